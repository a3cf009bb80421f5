#pragma once
/// Events a running server reports; the log, the progress bar, the statistics and the final
/// summary are observers. The engine calls them on its own thread, one at a time, so an
/// observer needs no lock unless it shares state with other threads.
///
///   struct Counter : nc::Observer {
///     int lost = 0;
///     void on_node_lost(const nc::NodeInfo&, std::string_view) override { ++lost; }
///   };
///   MyServer::MyServer() { add_observer(std::make_shared<Counter>()); }  // in the server
///
/// Every event is emitted: on_result for each accepted result (not duplicates, not refused
/// ones), on_chunks_failed when chunks the framework keeps (Server::use_chunks) fail.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node_crunch/ids.hpp"
#include "node_crunch/progress.hpp"

namespace nc {

/// What one node did, for the summary and the statistics.
struct NodeStatistics {
  NodeInfo info;
  std::uint64_t tasks_sent = 0;
  std::uint64_t results = 0;
  std::chrono::microseconds busy{0};  ///< time its workers spent in user code
  bool lost = false;
  std::uint32_t times_lost = 0;
  bool quarantined = false;  ///< thrown out: bad results, hoarding work, or it cannot work
};

/// The end of a job.
struct JobSummary {
  std::string job;
  bool ok = false;
  bool interrupted = false;  ///< stopped by a signal; resumable
  std::string failure;       ///< why not ok
  std::chrono::steady_clock::duration wall{};
  JobProgress progress;
  std::uint64_t tasks_sent = 0;
  std::uint64_t results = 0;
  std::uint64_t reassigned = 0;  ///< tasks whose node was lost before it answered
  std::uint64_t duplicates = 0;  ///< results for chunks already done (dropped unseen by the job)
  std::uint64_t refused = 0;     ///< results the job refused (nc::BadResult) or could not decode
  std::uint64_t dropped = 0;     ///< results for tasks never handed to their sender
  /// results for tasks an earlier server run handed out (before a restart), brought by the
  /// node they went to and taken by this run
  std::uint64_t earlier_results = 0;
  std::uint64_t task_failures = 0;  ///< tasks whose kernel threw on the node (TaskFailed)
  std::uint64_t quarantined = 0;    ///< nodes thrown out (bad results, hoarding, cannot work)
  std::vector<NodeStatistics> nodes;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_job_started(std::string_view /*job*/) {}
  virtual void on_node_joined(const NodeInfo& /*node*/, bool /*rejoined*/) {}
  virtual void on_node_lost(const NodeInfo& /*node*/, std::string_view /*reason*/) {}
  virtual void on_task_sent(NodeID /*node*/, AttemptID /*attempt*/,
                            std::optional<ChunkID> /*chunk*/) {}
  virtual void on_result(NodeID /*node*/, AttemptID /*attempt*/, std::optional<ChunkID> /*chunk*/) {
  }
  virtual void on_chunks_failed(const std::vector<ChunkID>& /*chunks*/) {}
  /// After every result, and at least once a second while the job runs, even if nothing moved.
  virtual void on_progress(const JobProgress& /*progress*/) {}
  virtual void on_job_finished(const JobSummary& /*summary*/) {}
};

}  // namespace nc
