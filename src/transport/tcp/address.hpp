#pragma once
// "HOST:PORT" on the command line: host names, IPv4 and bracketed IPv6 ("[::1]:7870").

#include <cstdint>
#include <string>

namespace nc::detail {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

/// Throws UsageError naming `option` if `text` is not HOST:PORT.
HostPort parse_host_port(const std::string& text, const std::string& option);
/// Formats an address back, with brackets for IPv6.
std::string to_string(const HostPort& address);

}  // namespace nc::detail
