#pragma once
// When the server may tell a node that it holds the node's results for good.
//
// A node keeps each result it sent until the server confirms it, so that a result is never
// only in a server that may crash. A result is confirmed once the record it needs is durable:
// its own (the chunk's first result goes to the checkpoint), or, for one that gets no record
// of its own (a duplicate, a refused result, a result without a chunk), every record made
// before it arrived, which covers the chunk's first result if it is still being written.
// Without a checkpoint nothing is ever waited for. A node's results are confirmed in the
// order they arrived: "the first n".
//
//   Confirmations confirm;
//   confirm.received(node, 1, /*needed=*/7);   // the node's first result needs record 7
//   for (NodeID moved : confirm.durable(7)) tell(moved, confirm.confirmed(moved));   // 1
//
// Thread safety: none; the server engine's thread owns it.

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "node_crunch/ids.hpp"

namespace nc::detail {

class Confirmations {
 public:
  /// `node`'s result number `number` (1, 2, ... in the order they arrive) is safe once
  /// `needed` records are durable. `needed` never decreases from one call to the next.
  void received(NodeID node, std::uint64_t number, std::uint64_t needed);
  /// `count` records are durable now: the nodes whose confirmed count grew, each once.
  [[nodiscard]] std::vector<NodeID> durable(std::uint64_t count);
  /// How many of `node`'s results, counted from its first, are confirmed.
  [[nodiscard]] std::uint64_t confirmed(NodeID node) const;
  /// `node` is gone for good (the server pruned it): its results need no confirming.
  void forget(NodeID node);
  /// Results of any node still waiting for a record.
  [[nodiscard]] bool waiting() const { return !due_.empty(); }

 private:
  struct Waiting {
    std::uint64_t needed;
    std::uint64_t number;  // the last of the node's results that needs no more than `needed`
  };
  struct Node {
    std::uint64_t confirmed = 0;
    std::deque<Waiting> waiting;  // in arrival order, so `needed` grows along it
  };

  std::unordered_map<NodeID, Node> nodes_;
  std::deque<std::pair<std::uint64_t, NodeID>> due_;  // one per Waiting entry, by `needed`
  std::uint64_t durable_ = 0;
};

}  // namespace nc::detail
