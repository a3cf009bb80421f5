#pragma once
// The server's log: nodes joining and leaving, failed chunks, a progress line every few
// seconds (also while nothing moves: the engine reports progress every second), and the
// summary at the end. However many nodes come and go, the log stays small:
// joins and losses are written up to a budget per window (the rest counted), and the summary's
// table shows the nodes that did the most work, with the others in one line.

#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "core/log_budget.hpp"
#include "node_crunch/observer.hpp"
#include "observers/rate_estimate.hpp"

namespace nc::detail {

class LogObserver final : public Observer {
 public:
  /// `progress_every`: how often a progress line is logged; zero for none (a live bar shows it).
  explicit LogObserver(
      std::chrono::steady_clock::duration progress_every = std::chrono::seconds(5),
      std::function<std::chrono::steady_clock::time_point()> clock =
          [] { return std::chrono::steady_clock::now(); })
      : progress_every_(progress_every), clock_(clock), node_lines_(std::move(clock), kNodeLines) {}

  /// Join and loss lines written per 10 s window; the summary's table rows.
  static constexpr std::size_t kNodeLines = 100;
  static constexpr std::size_t kTableRows = 50;

  void on_job_started(std::string_view job) override;
  void on_node_joined(const NodeInfo& node, bool rejoined) override;
  void on_node_lost(const NodeInfo& node, std::string_view reason) override;
  void on_task_sent(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) override;
  void on_result(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) override;
  void on_progress(const JobProgress& progress) override;
  void on_job_finished(const JobSummary& summary) override;

 private:
  void log_node_table(const std::vector<NodeStatistics>& nodes);

  std::chrono::steady_clock::duration progress_every_;
  std::function<std::chrono::steady_clock::time_point()> clock_;
  RateEstimate rate_;
  std::chrono::steady_clock::time_point last_line_;
  std::size_t nodes_alive_ = 0;
  std::size_t nodes_lost_ = 0;
  LogBudget node_lines_;
};

}  // namespace nc::detail
