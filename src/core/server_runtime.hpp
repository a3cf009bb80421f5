#pragma once
// The server's event loop: one thread runs the engine, its tick timer, the signals and every
// transport (MPI polling, TCP sockets, in-process queues) on one asio::io_context, so the
// engine, and the user's server, are only ever called from that thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/server_engine.hpp"

namespace nc::detail {

class ServerTransport {
 public:
  virtual ~ServerTransport() = default;
  /// The engine is done: deliver what is queued (bounded in time), then call `done` once.
  virtual void drain(std::function<void()> done) = 0;
};

class ServerRuntime {
 public:
  ServerRuntime(ServerHandle& job, std::string job_name, const Configuration& config,
                Observer& observer);

  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  [[nodiscard]] ServerEngine& engine() { return engine_; }
  void add_transport(ServerTransport& transport) { transports_.push_back(&transport); }
  /// Runs `task` on the loop every `interval` while the job runs.
  void every(std::chrono::milliseconds interval, std::function<void()> task);
  /// Runs `task` once when the engine is done, before the transports drain.
  void at_end(std::function<void()> task) { at_end_.push_back(std::move(task)); }
  /// SIGINT and SIGTERM interrupt the job (the process's signals: only the server takes them);
  /// with Configuration::pause_after_tasks, SIGUSR1 ends the pause.
  void handle_signals();
  /// Runs until the engine is done and every transport drained; returns the exit status.
  int run();

 private:
  void schedule_tick();
  void wait_for_release();
  void drain_transports();

  boost::asio::io_context io_;
  ServerEngine engine_;
  boost::asio::steady_timer tick_;
  std::optional<boost::asio::signal_set> signals_;
  std::optional<boost::asio::signal_set> release_;  // SIGUSR1, only when a pause is asked for
  bool pausable_ = false;
  std::vector<ServerTransport*> transports_;
  std::function<void()> stop_;
  struct Periodic {
    Periodic(boost::asio::io_context& io, std::chrono::milliseconds every,
             std::function<void()> what)
        : timer(io), interval(every), task(std::move(what)) {}
    void arm();
    boost::asio::steady_timer timer;
    std::chrono::milliseconds interval;
    std::function<void()> task;
  };
  std::vector<std::unique_ptr<Periodic>> periodic_;
  std::vector<std::function<void()>> at_end_;
};

}  // namespace nc::detail
