#pragma once
// Every task a server hands out is an attempt: an id, the node it went to and the chunk it
// computes. A result counts only for an attempt handed to its sender, and its chunk is the
// one recorded here, whatever the node says. A lost node's attempts stay known as late ones,
// since the node may only have been slow, or may reconnect, and its results are still good.
//
//   AttemptTable attempts;
//   const AttemptID a = attempts.issue(node, chunk);
//   if (auto attempt = attempts.take(node, a)) use(attempt->chunk);  // once
//
// Memory: about 50 bytes per attempt in flight or late. Late attempts are pruned when the
// caller says which can no longer matter (their chunk is done), and capped otherwise.
// Thread safety: none; the engine's thread owns it.

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "node_crunch/ids.hpp"

namespace nc::detail {

class AttemptTable {
 public:
  struct Attempt {
    NodeID node;
    std::optional<ChunkID> chunk;
  };
  /// Why a result's attempt was not found.
  enum class Unknown : std::uint8_t {
    answered,  // issued and answered already (a node resending what it was not sure arrived)
    foreign,   // never issued, or held by another node
  };

  /// Ids are issued from `first` on (1 unless said): a server run starts where no earlier run
  /// of its job has issued any, so that an earlier run's result is never taken for one of its
  /// own. Only before the first issue.
  void start_at(std::uint64_t first);
  [[nodiscard]] std::uint64_t first() const { return first_; }
  AttemptID issue(NodeID node, std::optional<ChunkID> chunk);
  /// An attempt an earlier server run issued, which `node` holds: in flight from now on, as if
  /// issued here. Its id is below first() (start_at), so it meets none of this run's.
  void adopt(AttemptID id, NodeID node, ChunkID chunk);
  /// The attempt, if it was handed to `node` (in flight or late); removed, so it counts once.
  std::optional<Attempt> take(NodeID node, AttemptID id);
  [[nodiscard]] Unknown classify(AttemptID id) const;
  /// The attempt in flight with this id, if any (any node).
  [[nodiscard]] std::optional<Attempt> find(AttemptID id) const;

  /// `node` is lost: its attempts are no longer in flight, but late. Returns how many.
  std::size_t lose(NodeID node);
  /// Forgets the late attempts for which `obsolete` is true, when enough have gathered.
  void prune_late(const std::function<bool(const Attempt&)>& obsolete);

  [[nodiscard]] std::size_t in_flight() const { return live_.size(); }
  [[nodiscard]] std::size_t late() const { return late_.size(); }
  [[nodiscard]] std::size_t held_by(NodeID node) const;
  /// `node`'s attempts in flight, oldest (first handed out) first.
  [[nodiscard]] std::vector<std::pair<AttemptID, Attempt>> held(NodeID node) const;
  /// `node`'s late attempts: while there are some, its results may still come.
  [[nodiscard]] std::size_t late_of(NodeID node) const;

 private:
  std::unordered_map<AttemptID, Attempt> live_;
  std::unordered_map<AttemptID, Attempt> late_;
  std::unordered_map<NodeID, std::vector<AttemptID>> by_node_;  // live attempts per node
  std::unordered_map<NodeID, std::size_t> late_by_node_;        // late attempts per node
  void forget_late(NodeID node);
  std::uint64_t first_ = 1;
  std::uint64_t next_ = 1;
  std::size_t pruned_at_ = 0;
};

}  // namespace nc::detail
