#pragma once
// A node process's event loop: the engine, the heartbeat timer and the transport run on one
// asio::io_context (the communication thread); the user's code runs in the worker pool.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>

#include "core/node_engine.hpp"
#include "core/worker_pool.hpp"

namespace nc::detail {

class NodeTransport {
 public:
  virtual ~NodeTransport() = default;
  /// Connect; call engine.connected(link) once the link is up.
  virtual void start() = 0;
  /// The engine is done: deliver what is queued (bounded in time), then call `done` once.
  virtual void drain(std::function<void()> done) = 0;
};

class NodeRuntime {
 public:
  NodeRuntime(NodeFactory factory, std::string job_name, const Configuration& config,
              bool keep_results);

  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  [[nodiscard]] NodeEngine& engine() { return engine_; }
  /// SIGINT and SIGTERM make this node say goodbye and stop. With
  /// Configuration::pause_after_tasks, SIGUSR1 (meant for the server) is ignored.
  void handle_signals();
  /// Runs until the engine is done and the transport drained; returns the exit status.
  int run(NodeTransport& transport);
  /// After run(): true if a worker was still inside user code when the grace period ended; the
  /// process must then end with std::_Exit, since the thread cannot be stopped.
  [[nodiscard]] bool workers_stuck() const { return workers_stuck_; }

 private:
  void schedule_heartbeat();
  void ignore_release();

  boost::asio::io_context io_;
  WorkerPool workers_;
  NodeEngine engine_;
  boost::asio::steady_timer heartbeat_;
  std::optional<boost::asio::signal_set> signals_;
  std::optional<boost::asio::signal_set> ignored_;
  bool pausable_ = false;
  bool workers_stuck_ = false;
};

}  // namespace nc::detail
