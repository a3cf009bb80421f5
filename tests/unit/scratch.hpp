#pragma once
// Small helpers the unit tests share: a scratch directory that cleans up after itself, and bytes
// written as hex so that a golden-bytes mismatch reads at a glance.

#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <iterator>
#include <string>

#include <node_crunch/bytes.hpp>

namespace test {

/// A fresh directory under /tmp, removed with everything in it when the test ends.
struct TempDir {
  explicit TempDir(const std::string& prefix = "nc-test") {
    std::string name = "/tmp/" + prefix + "-XXXXXX";
    path = ::mkdtemp(name.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] std::string file(const std::string& name) const { return path + "/" + name; }
  /// How many files the directory holds: no temporary left behind, no file half written.
  [[nodiscard]] std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path), {}));
  }
  std::string path;
};

/// "0a1b..." for the bytes.
inline std::string hex(const nc::Bytes& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    const auto v = std::to_integer<unsigned>(b);
    out += digits[v >> 4];
    out += digits[v & 15];
  }
  return out;
}

}  // namespace test
