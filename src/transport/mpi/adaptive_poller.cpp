#include "transport/mpi/adaptive_poller.hpp"

#include <sched.h>

#include <algorithm>
#include <boost/asio/post.hpp>

namespace nc::detail {
namespace {
// Spin this long after the last activity: longer than a round trip between ranks, shorter
// than any task worth distributing.
constexpr std::chrono::microseconds kSpinWindow{50};
constexpr std::chrono::microseconds kFirstSleep{50};
constexpr std::chrono::microseconds kLongestSleep{10000};
}  // namespace

AdaptivePoller::AdaptivePoller(boost::asio::io_context& io, std::function<bool()> poll)
    : io_(io), timer_(io), poll_(std::move(poll)) {}

void AdaptivePoller::start() {
  running_ = true;
  last_activity_ = Clock::now();
  schedule_spin();
}

void AdaptivePoller::stop() {
  running_ = false;
  timer_.cancel();
}

void AdaptivePoller::wake() {
  last_activity_ = Clock::now();
  sleep_ = std::chrono::microseconds{0};
  if (sleeping_) timer_.cancel();  // its handler spins again at once
}

void AdaptivePoller::schedule_spin() {
  if (spin_queued_) return;
  spin_queued_ = true;
  boost::asio::post(io_, [this] {
    spin_queued_ = false;
    run();
  });
}

void AdaptivePoller::run() {
  if (!running_) return;
  const bool active = poll_();
  const auto now = Clock::now();
  if (active) {
    last_activity_ = now;
    sleep_ = std::chrono::microseconds{0};
  }
  if (now - last_activity_ < kSpinWindow) {
    if (!active) sched_yield();  // another rank or thread may need this core more
    schedule_spin();
    return;
  }
  sleep_ = sleep_.count() == 0 ? kFirstSleep : std::min(sleep_ * 4, kLongestSleep);
  sleeping_ = true;
  timer_.expires_after(sleep_);
  timer_.async_wait([this](const boost::system::error_code&) {
    sleeping_ = false;
    schedule_spin();
  });
}

}  // namespace nc::detail
