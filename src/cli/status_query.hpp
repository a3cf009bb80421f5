#pragma once
// nc_job --status HOST:PORT: asks a running server for its statistics (JSON) and prints them.

#include <optional>
#include <string>

#include "node_crunch/configuration.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::detail {

/// The server's statistics as JSON; throws TransportError if it cannot be asked.
std::string fetch_status(const HostPort& server, const std::optional<Key>& key,
                         const Configuration& config);

}  // namespace nc::detail
