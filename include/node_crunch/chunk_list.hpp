#pragma once
/// Which chunks of a job are free, out on nodes, done or failed: the bookkeeping a server
/// needs so that no chunk is lost when nodes die and none is counted twice.
///
/// Server::use_chunks makes the framework keep one for a server; a server that keeps its own:
///
///   nc::ChunkList chunks{grid.chunk_count()};
///   nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override {
///     return chunks.next(node, [&](nc::ChunkID c) { return Band{c, grid.chunk(c)}; });
///   }
///   void process_data_from_node(nc::NodeID node, const Pixels& r) override {
///     if (chunks.complete(r.chunk, node)) out.add(grid.chunk(r.chunk), r.values);  // else a copy
///   }
///   void heartbeat_timeout(std::vector<nc::NodeID> lost) override { chunks.nodes_lost(lost); }
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
///
/// Rules:
/// - hand_out gives chunks freed by lost nodes first, then chunks never handed out, in order;
/// - when nothing is free it may hand out a copy of the oldest chunk still out (a straggler),
///   if that chunk has been out for longer than `straggler_factor` times the mean chunk time
///   (before any result gives a mean: longer than `first_straggler_after`) and fewer than
///   `max_copies` nodes hold it; a node that holds such a straggler itself gets no copy;
/// - a refused result (reject) counts like a lost holder, and the chunk is not handed back to
///   the node that failed it while other work is there for it, or while another node holds
///   work and may take the chunk instead: a node that fails every task then costs each chunk
///   one attempt, not all of them;
/// - the first result for a chunk wins, from whichever node and attempt, even one from a node
///   already declared lost; later results for it are duplicates (complete() returns false);
/// - a chunk whose holders were lost `max_attempts` times is failed rather than handed to node
///   after node; a late result still completes it;
/// - release(chunk, node, Loss::uncounted) frees a chunk without costing it an attempt (its
///   holder had no time to work on it); such losses fail a chunk only at
///   kUncountedLossFactor x max_attempts, so that a chunk that kills every node at once still ends.
/// Every operation is O(1) amortised, except nodes_lost (O(chunks the lost nodes held)) and a
/// hand_out that finds only chunks its node failed (O(nodes holding work)).
/// Memory: 3 bytes per chunk plus a little per chunk out.
/// Thread safety: none; a server's methods are never called concurrently, so none is needed.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "node_crunch/ids.hpp"
#include "node_crunch/job_status.hpp"
#include "node_crunch/progress.hpp"

namespace nc {

enum class ChunkState : std::uint8_t { free, processing, done, failed };

/// How a ChunkList treats lost nodes and stragglers.
struct ChunkPolicy {
  unsigned max_attempts = 3;      ///< lost holders before a chunk is failed (>= 1)
  unsigned max_copies = 2;        ///< nodes on one chunk at once; 1 turns speculation off
  double straggler_factor = 2.0;  ///< "out too long" = this many mean chunk times
  /// "Out too long" while no chunk time is known yet (no result so far).
  std::chrono::milliseconds first_straggler_after{5000};
};

class ChunkList {
 public:
  using Clock = std::chrono::steady_clock;

  using Policy = ChunkPolicy;

  explicit ChunkList(std::size_t count, Policy policy = {});

  /// The next chunk for `node`, marked processing by it; nullopt if none can be given now.
  [[nodiscard]] std::optional<ChunkID> hand_out(NodeID node);

  /// Records a result for `chunk` from `node`. True if it is the first (keep it),
  /// false if the chunk was already done (drop the duplicate).
  [[nodiscard]] bool complete(ChunkID chunk, NodeID node);

  /// Frees the chunks the lost nodes held; returns the chunks that are failed now.
  std::vector<ChunkID> nodes_lost(const std::vector<NodeID>& nodes);

  enum class Loss : std::uint8_t { counted, uncounted };
  /// `node`'s result for `chunk` was refused: it no longer holds the chunk, and the refusal
  /// counts like a lost holder (`loss`). True if the chunk is failed now.
  bool reject(ChunkID chunk, NodeID node, Loss loss = Loss::counted);

  /// Whether losing a holder costs its chunk an attempt.
  /// Uncounted losses fail a chunk at this many times max_attempts.
  static constexpr unsigned kUncountedLossFactor = 8;
  /// `node` no longer holds `chunk` (it was lost, or thrown out); `loss` says whether that
  /// costs the chunk an attempt. True if the chunk is failed now.
  bool release(ChunkID chunk, NodeID node, Loss loss);

  /// Marks a chunk done without a node (a result restored from a checkpoint).
  void mark_done(ChunkID chunk);
  /// `node` holds `chunk` already (an earlier server run handed it out, and the node came
  /// back with it): the chunk is marked processing by that node, if it is free, as if handed
  /// out now. True if it was.
  bool adopt(ChunkID chunk, NodeID node);

  /// hand_out wrapped as a JobStatus: Unfinished(make_task(chunk), chunk), Waiting while
  /// chunks are out, Finished once every chunk is done or failed.
  template <class MakeTask>
  auto next(NodeID node, MakeTask&& make_task)
      -> JobStatus<std::invoke_result_t<MakeTask&, ChunkID>> {
    using Task = std::invoke_result_t<MakeTask&, ChunkID>;
    if (auto chunk = hand_out(node)) return Unfinished<Task>{make_task(*chunk), *chunk};
    if (finished()) return Finished{};
    return Waiting{};
  }

  [[nodiscard]] bool finished() const { return done_ + failed_ == slots_.size(); }
  [[nodiscard]] JobProgress progress() const;
  [[nodiscard]] ChunkState state(ChunkID chunk) const;
  [[nodiscard]] std::size_t size() const { return slots_.size(); }
  [[nodiscard]] std::vector<ChunkID> failed_chunks() const;
  [[nodiscard]] const Policy& policy() const { return policy_; }

  /// Replaces the clock (tests of the straggler rule).
  void set_clock(std::function<Clock::time_point()> clock) { clock_ = std::move(clock); }

 private:
  struct Slot {
    ChunkState state = ChunkState::free;
    std::uint8_t copies = 0;     // nodes holding it now
    std::uint8_t losses = 0;     // holders lost so far
    std::uint8_t uncounted = 0;  // holders lost that had no time to work on it
  };
  struct Held {
    std::uint64_t chunk;
    Clock::time_point since;
  };

  std::uint64_t checked(ChunkID chunk) const;
  ChunkID issue(std::uint64_t chunk, NodeID node, Clock::time_point now);
  std::optional<ChunkID> speculate(NodeID node, Clock::time_point now);
  bool holds(NodeID node, std::uint64_t chunk) const;
  [[nodiscard]] bool failed_on(NodeID node, std::uint64_t chunk) const;
  [[nodiscard]] bool others_hold_work(NodeID node) const;
  std::optional<std::uint64_t> take_requeued(NodeID node, bool even_failed_on);
  bool lose_copy(std::uint64_t chunk, Loss loss = Loss::counted);
  bool drop_hold(NodeID node, std::uint64_t chunk);
  void prune_out_order();
  void set_state(Slot& slot, ChunkState state);

  Policy policy_;
  std::vector<Slot> slots_;
  std::uint64_t next_fresh_ = 0;
  std::deque<std::uint64_t> requeued_;
  // The nodes whose reject() cost each chunk an attempt, for chunks not done yet.
  std::unordered_map<std::uint64_t, std::vector<NodeID>> failed_on_;
  std::unordered_map<NodeID, std::vector<Held>> held_;
  std::deque<Held> out_order_;  // every hand-out, oldest first; stale entries pruned lazily
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  std::size_t processing_ = 0;
  double mean_seconds_ = 0.0;  // running mean of hand-out-to-result time
  bool have_mean_ = false;
  std::function<Clock::time_point()> clock_ = [] { return Clock::now(); };
};

}  // namespace nc
