#include "transport/tcp/server_address.hpp"

#include <fstream>

#include "node_crunch/error.hpp"

namespace nc::detail {

HostPort ServerAddress::current() const {
  if (address_) return *address_;
  std::ifstream in(path_);
  if (!in) throw UsageError("no address file " + path_ + " (yet)");
  // An address is short: a file that is not one is refused before it costs anything.
  constexpr std::size_t kMaxLine = 300;
  std::string line;
  char c = 0;
  while (in.get(c) && c != '\n' && line.size() <= kMaxLine)
    line.push_back(c);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.pop_back();
  if (line.empty()) throw UsageError("the address file " + path_ + " is empty (yet)");
  if (line.size() > kMaxLine)
    throw UsageError("the address file " + path_ + " holds no address (its first line is long)");
  return parse_host_port(line, "the address file " + path_ + " holds");
}

std::string ServerAddress::describe() const {
  return address_ ? to_string(*address_) : "the address in " + path_;
}

}  // namespace nc::detail
