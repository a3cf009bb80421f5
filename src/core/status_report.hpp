#pragma once
// What a running server is doing, as a read-only snapshot the engine hands out, and its JSON
// for `--status`: the report is built here, from the snapshot, not inside the engine.

#include <chrono>
#include <string>
#include <vector>

#include "node_crunch/observer.hpp"
#include "node_crunch/progress.hpp"

namespace nc::detail {

struct StatusSnapshot {
  std::string job;
  bool running = true;
  std::chrono::steady_clock::duration elapsed{};
  JobProgress progress;
  std::uint64_t tasks_sent = 0;
  std::uint64_t results = 0;
  std::uint64_t quarantined = 0;  // nodes thrown out so far
  /// Lost nodes whose records are gone (nothing could refer to them any more), added up.
  std::uint64_t departed_nodes = 0;
  std::uint64_t departed_results = 0;
  /// Every node the server still keeps a record of, by id; `since_heard` is how long ago each
  /// was last heard from. Their results and departed_results add up to `results`.
  struct Node {
    NodeStatistics stats;
    std::chrono::steady_clock::duration since_heard{};
    std::uint64_t held = 0;     // tasks it holds: handed out, not yet answered
    std::uint64_t waiting = 0;  // tasks it asked for and has not been given (none to give yet)
  };
  std::vector<Node> nodes;
};

/// {"job", "state", "elapsed_s", "chunks": {total, done, failed, processing}, "tasks_sent",
///  "results", "quarantined", "departed": {nodes, results}, "nodes": [{id, address, threads,
///  lost, quarantined,
///  last_heartbeat_s, tasks, results, busy_s, held, waiting}]}
[[nodiscard]] std::string status_json(const StatusSnapshot& status);

}  // namespace nc::detail
