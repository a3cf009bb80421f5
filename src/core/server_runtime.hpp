#pragma once
// The server's event loop: one thread runs the engine, its tick timer, the signals and every
// transport (MPI polling, TCP sockets, in-process queues) on one asio::io_context, so the
// engine, and the user's server, are only ever called from that thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
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
  /// SIGINT and SIGTERM interrupt the job (the process's signals: only the server takes them).
  void handle_signals();
  /// Runs until the engine is done and every transport drained; returns the exit status.
  int run();

 private:
  void schedule_tick();
  void drain_transports();

  boost::asio::io_context io_;
  ServerEngine engine_;
  boost::asio::steady_timer tick_;
  std::optional<boost::asio::signal_set> signals_;
  std::vector<ServerTransport*> transports_;
  std::function<void()> stop_;
};

}  // namespace nc::detail
