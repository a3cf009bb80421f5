#pragma once
// The server's log: nodes joining and leaving, failed chunks, a progress line every few
// seconds, and the summary at the end.

#include <chrono>

#include "node_crunch/observer.hpp"

namespace nc::detail {

class LogObserver final : public Observer {
 public:
  /// `progress_every`: how often a progress line is logged; zero for none (a live bar shows it).
  explicit LogObserver(std::chrono::steady_clock::duration progress_every = std::chrono::seconds(5))
      : progress_every_(progress_every) {}

  void on_job_started(std::string_view job) override;
  void on_node_joined(const NodeInfo& node, bool rejoined) override;
  void on_node_lost(const NodeInfo& node, std::string_view reason) override;
  void on_task_sent(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) override;
  void on_result(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) override;
  void on_progress(const JobProgress& progress) override;
  void on_job_finished(const JobSummary& summary) override;

 private:
  std::chrono::steady_clock::duration progress_every_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_line_;
  std::size_t nodes_alive_ = 0;
  std::size_t nodes_lost_ = 0;
};

}  // namespace nc::detail
