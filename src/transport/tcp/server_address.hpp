#pragma once
// Where a TCP node finds its server: a fixed HOST:PORT (--connect), or a file that names it
// (--connect-file), read again before every try, so that a server started again on another
// host or port (a requeued batch job that writes its new address there) is found by the same
// node process, which keeps its results.

#include <optional>
#include <string>

#include "transport/tcp/address.hpp"

namespace nc::detail {

class ServerAddress {
 public:
  static ServerAddress fixed(HostPort address) { return ServerAddress(std::move(address), {}); }
  static ServerAddress from_file(std::string path) { return ServerAddress({}, std::move(path)); }

  /// The address to try now. For a file: its first line, HOST:PORT; throws UsageError if the
  /// file is missing (not written yet), empty, too long or holds no address.
  [[nodiscard]] HostPort current() const;
  /// For log lines: the address, or "the address in FILE".
  [[nodiscard]] std::string describe() const;

 private:
  ServerAddress(std::optional<HostPort> address, std::string path)
      : address_(std::move(address)), path_(std::move(path)) {}
  std::optional<HostPort> address_;
  std::string path_;
};

}  // namespace nc::detail
