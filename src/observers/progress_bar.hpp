#pragma once
// A live one-line progress bar for a server whose stderr is a terminal:
//   [##########..........] 1234/4096 chunks  30.1%  52.3/s  ETA 0:55  nodes 3 (1 lost)
// redrawn at most five times a second. (Where stderr is a file, the log observer writes a
// plain progress line every few seconds instead.)

#include <chrono>

#include "node_crunch/observer.hpp"
#include "observers/rate_estimate.hpp"

namespace nc::detail {

class ProgressBar final : public Observer {
 public:
  ProgressBar();
  void on_node_joined(const NodeInfo& node, bool rejoined) override;
  void on_node_lost(const NodeInfo& node, std::string_view reason) override;
  void on_progress(const JobProgress& progress) override;
  void on_job_finished(const JobSummary& summary) override;

 private:
  void draw(const JobProgress& progress);

  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  JobProgress last_{};
  RateEstimate rate_;
  std::size_t alive_ = 0;
  std::size_t lost_ = 0;
};

}  // namespace nc::detail
