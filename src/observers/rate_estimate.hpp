#pragma once
// The chunk rate and the time left, counted from the first node's arrival: neither the wait
// before any node joins (a batch queue, nodes started later by hand) nor the chunks a resumed
// run restored say how fast the nodes work.
//
//   RateEstimate rate;
//   rate.progress(progress);             // every progress report
//   rate.node_joined(now);               // every join; the first one starts the count
//   if (auto left = rate.seconds_left(now, progress)) ...

#include <chrono>
#include <cstddef>
#include <optional>

#include "node_crunch/progress.hpp"

namespace nc::detail {

class RateEstimate {
 public:
  using Clock = std::chrono::steady_clock;

  void node_joined(Clock::time_point now) {
    if (since_) return;
    since_ = now;
    done_before_ = last_done_;
  }
  void progress(const JobProgress& progress) {
    if (!since_) last_done_ = progress.done;
  }
  /// Chunks per second since the first node joined; nullopt before that.
  [[nodiscard]] std::optional<double> per_second(Clock::time_point now,
                                                 const JobProgress& progress) const {
    if (!since_ || now <= *since_) return std::nullopt;
    const double done =
        progress.done > done_before_ ? static_cast<double>(progress.done - done_before_) : 0.0;
    return done / std::chrono::duration<double>(now - *since_).count();
  }
  /// Seconds until every chunk not yet done or failed is done, at that rate; nullopt while no
  /// chunk has been done since the first node joined.
  [[nodiscard]] std::optional<double> seconds_left(Clock::time_point now,
                                                   const JobProgress& progress) const {
    const auto rate = per_second(now, progress);
    if (!rate || *rate <= 0) return std::nullopt;
    const std::size_t finished = progress.done + progress.failed;
    const double left =
        progress.total > finished ? static_cast<double>(progress.total - finished) : 0.0;
    return left / *rate;
  }

 private:
  std::optional<Clock::time_point> since_;
  std::size_t last_done_ = 0;    // chunks done before any node joined (restored ones)
  std::size_t done_before_ = 0;  // ... as they were when the first node joined
};

}  // namespace nc::detail
