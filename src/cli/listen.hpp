#pragma once
// --listen for every kind of server: TCP nodes next to MPI ranks or in-process nodes, or alone.

#include <memory>

#include "core/server_runtime.hpp"
#include "transport/tcp/tcp_server.hpp"

namespace nc::detail {

/// Where `--server` listens when no --listen is given.
inline constexpr const char* kDefaultListen = "0.0.0.0:7870";

/// Starts accepting TCP nodes at config.listen; prints the address bound on stdout
/// ("nc_job: listening on HOST:PORT", port 0 resolved). Refuses a non-loopback address
/// without a secret unless --insecure.
std::unique_ptr<TcpServerTransport> listen_for_nodes(ServerRuntime& runtime,
                                                     const Configuration& config);
/// Throws what listen_for_nodes would throw about config.listen and the secret. Called before a
/// server sets anything up (its checkpoint), so that a refused start leaves nothing behind.
void check_listen(const Configuration& config);

}  // namespace nc::detail
