#pragma once
// Runs a non-blocking poll on an event loop: back to back while traffic flows (yielding the
// core when a poll finds nothing), and once nothing has happened for 50 us, between sleeps
// that start at 50 us and grow fourfold (50, 200, 800, 3200 us) up to 10 ms; a poll that finds
// work starts the spinning over. An idle rank so wakes about a hundred times a second, and a
// message that arrives during a sleep waits at most 10 ms, little next to any task worth
// distributing.
//
// MPI can only be polled, and a rank that polls in a tight loop takes a whole core from the
// nodes on a machine with more ranks than cores. Spinning keeps the latency of a busy farm
// low (hundreds of thousands of tasks a second); sleeping while idle leaves the cores to the
// computation. wake() says "an answer is due": spin again at once.
//
// Thread safety: the event loop's thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace nc::detail {

class AdaptivePoller {
 public:
  using Clock = std::chrono::steady_clock;

  /// `poll` returns true if it did something.
  AdaptivePoller(boost::asio::io_context& io, std::function<bool()> poll);

  void start();
  void stop();
  void wake();

 private:
  void run();
  void schedule_spin();

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  std::function<bool()> poll_;
  Clock::time_point last_activity_;
  std::chrono::microseconds sleep_{0};
  bool running_ = false;
  bool sleeping_ = false;
  bool spin_queued_ = false;
};

}  // namespace nc::detail
