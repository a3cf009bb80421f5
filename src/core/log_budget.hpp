#pragma once
// A budget of log lines per time window, so that a misbehaving peer cannot flood the log: the
// first lines of a window are written, the rest only counted, and the count is said once the
// next window opens.
//
//   LogBudget budget{clock};
//   if (budget.allow()) spdlog::warn("dropped ...");
//
// Thread safety: none; the engine's thread owns it.

#include <chrono>
#include <cstddef>
#include <functional>
#include <utility>

#include <spdlog/spdlog.h>

namespace nc::detail {

class LogBudget {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogBudget(std::function<Clock::time_point()> clock, std::size_t lines = 20,
                     Clock::duration window = std::chrono::seconds(10))
      : clock_(std::move(clock)), lines_(lines), window_(window) {}

  /// True if one more line may be written now; false counts it as suppressed.
  bool allow() {
    const auto now = clock_();
    if (now - window_start_ >= window_) {
      flush();
      window_start_ = now;
      written_ = 0;
    }
    if (written_ < lines_) {
      ++written_;
      return true;
    }
    ++suppressed_;
    return false;
  }

  /// Says how many lines were not written since the last time it was said (at the end of a
  /// job, say, when no next window would tell).
  void flush() {
    if (suppressed_ > 0)
      spdlog::warn("{} similar line(s) about nodes were not logged in the last {} s", suppressed_,
                   std::chrono::duration_cast<std::chrono::seconds>(window_).count());
    suppressed_ = 0;
  }

  /// Lines counted and not written since the last flush.
  [[nodiscard]] std::size_t suppressed() const { return suppressed_; }

 private:
  std::function<Clock::time_point()> clock_;
  std::size_t lines_;
  Clock::duration window_;
  Clock::time_point window_start_{};
  std::size_t written_ = 0;
  std::size_t suppressed_ = 0;
};

}  // namespace nc::detail
