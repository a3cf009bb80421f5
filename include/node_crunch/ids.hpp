#pragma once
/// Strong identifiers: a node, a chunk of work, one hand-out of a task.
///
/// Distinct types so that a chunk number can never be passed where a node is meant.
///   nc::NodeID node{3};   node.value() == 3;   nc::to_string(node) == "node 3"
/// `std::cout << node` prints the same. The public headers do not depend on fmt, so there is
/// no fmt::formatter for ids: hand fmt and spdlog nc::to_string(node).
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Thread safety: plain values.

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace nc {

namespace detail {
template <class Tag>
class StrongId {
 public:
  using value_type = std::uint64_t;
  constexpr StrongId() = default;
  constexpr explicit StrongId(value_type value) : value_(value) {}
  [[nodiscard]] constexpr value_type value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;

  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& value_;
  }

 private:
  value_type value_ = 0;
};
}  // namespace detail

/// A node (one process or one connection's worth of worker threads); 0 means "none yet".
using NodeID = detail::StrongId<struct NodeTag>;
/// A chunk of the job's work, as the job numbers it (0-based).
using ChunkID = detail::StrongId<struct ChunkTag>;
/// One hand-out of a task to a node. Every hand-out gets a fresh one, also for the same chunk.
using AttemptID = detail::StrongId<struct AttemptTag>;

[[nodiscard]] std::string to_string(NodeID id);
[[nodiscard]] std::string to_string(ChunkID id);
[[nodiscard]] std::string to_string(AttemptID id);

inline std::ostream& operator<<(std::ostream& out, NodeID id) {
  return out << to_string(id);
}
inline std::ostream& operator<<(std::ostream& out, ChunkID id) {
  return out << to_string(id);
}
inline std::ostream& operator<<(std::ostream& out, AttemptID id) {
  return out << to_string(id);
}

/// What the server knows of a node.
struct NodeInfo {
  NodeID id;
  /// Where it runs: "rank 3", "10.0.0.7:50412 (host cn07, pid 1234)", "local node 2".
  std::string address;
  std::uint32_t threads = 1;
  std::chrono::steady_clock::time_point joined;
  std::chrono::steady_clock::time_point last_heartbeat;
};

}  // namespace nc

template <class Tag>
struct std::hash<nc::detail::StrongId<Tag>> {
  std::size_t operator()(nc::detail::StrongId<Tag> id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value());
  }
};
