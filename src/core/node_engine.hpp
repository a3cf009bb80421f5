#pragma once
// The node side of the protocol, as a state machine that knows no transport.
//
// It registers, hands tasks to the worker pool and results back to the server, and keeps
// enough tasks requested ahead of the workers to cover the round trip: two per worker thread
// when tasks are long, up to 1 + max_prefetch per thread when they are short (measured, not
// configured). It keeps results the server has not confirmed, to send them again after a
// reconnection (TCP), and sends heartbeats from the event loop, which never runs user code.
// It comes back with the server run and token it was given with its id; a server that is a
// new run (restarted after a crash) registers it afresh and gets its results and tasks.
//
// Thread safety: none; the node's event loop thread calls every method.

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "core/message.hpp"
#include "core/node_link.hpp"
#include "core/worker_pool.hpp"
#include "node_crunch/configuration.hpp"
#include "node_crunch/exit_status.hpp"

namespace nc::detail {

class NodeEngine {
 public:
  using Clock = std::chrono::steady_clock;

  /// `keep_results`: hold results until the server confirms them (transports that reconnect).
  NodeEngine(
      std::string job_name, const Configuration& config, WorkerPool& workers, bool keep_results,
      std::function<Clock::time_point()> clock = [] { return Clock::now(); });

  /// The link is up: register (or come back under the old id).
  void connected(NodeLink& link);
  /// The link is down; results wait for the next connection.
  void disconnected();
  /// One whole message from the server, as its transport received it: decoded here, once, its
  /// payloads pointing into `bytes`. A malformed one is logged and ignored.
  void on_bytes(const ReceiveBuffer& bytes);
  void on_bytes(Bytes&& bytes);
  void on_message(Message message);
  /// Workers have finished something: send it.
  void on_worker_outputs();
  /// Send a heartbeat; call every heartbeat_interval().
  void on_tick();
  /// The transport cannot reach the server any more.
  void give_up(const std::string& reason);
  /// This node was asked to stop (SIGTERM): say goodbye so its work is reassigned at once.
  void interrupt(const std::string& reason);

  [[nodiscard]] bool done() const { return done_; }
  [[nodiscard]] int exit_status() const { return exit_status_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }
  [[nodiscard]] std::optional<NodeID> id() const { return id_; }
  [[nodiscard]] Clock::duration heartbeat_interval() const { return heartbeat_; }
  /// Tasks this node wants in hand now (running + queued + asked for).
  [[nodiscard]] std::uint32_t target() const;
  void set_on_done(std::function<void()> on_done) { on_done_ = std::move(on_done); }
  /// Called when the server gives this node an id (for log names).
  void set_on_registered(std::function<void(NodeID)> on_registered) {
    on_registered_ = std::move(on_registered);
  }

 private:
  struct Unconfirmed {
    std::uint64_t number;
    ResultItem item;
  };
  struct Asked {
    Clock::time_point when;
    std::uint32_t count;
  };

  void on_welcome(Welcome& welcome);
  void on_tasks(Tasks& tasks);
  void confirm(std::uint64_t results_seen);
  void top_up();
  std::uint32_t ask_more();
  void note_round_trip(std::uint32_t received);
  void end(int status, const std::string& reason);
  void send(Message&& message);
  template <class M>
  void send(M& message) = delete;  // would copy the payloads: move the message in

  std::string job_name_;
  const Configuration& config_;
  WorkerPool& workers_;
  bool keep_results_;
  std::function<Clock::time_point()> clock_;
  std::function<void()> on_done_;
  std::function<void(NodeID)> on_registered_;

  NodeLink* link_ = nullptr;
  std::optional<NodeID> id_;
  std::uint64_t instance_ = 0;  // the server run that gave id_ (Welcome::instance)
  std::uint64_t token_ = 0;     // and the token that proves it is ours
  bool registered_ = false;
  bool done_ = false;
  int exit_status_ = exit_ok;
  std::string reason_;
  Clock::duration heartbeat_;

  std::uint32_t requested_ = 0;  // asked for, not yet received
  std::uint32_t held_ = 0;       // received, not yet answered
  std::deque<Asked> asked_;      // when each outstanding request was made
  double round_trip_s_ = 0.0;
  double task_s_ = 0.0;
  bool have_round_trip_ = false;
  bool have_task_time_ = false;

  std::uint64_t results_sent_ = 0;
  std::deque<Unconfirmed> unconfirmed_;
};

}  // namespace nc::detail
