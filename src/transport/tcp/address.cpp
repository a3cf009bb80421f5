#include "transport/tcp/address.hpp"

#include <charconv>

#include "node_crunch/error.hpp"

namespace nc::detail {

HostPort parse_host_port(const std::string& text, const std::string& option) {
  const auto bad = [&](const std::string& why) {
    return UsageError(option + " " + text + ": " + why +
                      " (expected HOST:PORT, e.g. 127.0.0.1:7870 or [::1]:7870)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw bad("no port");
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') throw bad("an IPv6 address needs its closing bracket");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    throw bad("put an IPv6 address in brackets");
  }
  if (host.empty()) throw bad("no host");
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    throw bad("bad port");
  return HostPort{host, static_cast<std::uint16_t>(port)};
}

std::string to_string(const HostPort& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace nc::detail
