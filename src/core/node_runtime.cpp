#include "core/node_runtime.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <csignal>

namespace nc::detail {

namespace {
// How long finished workers get to leave user code before the process ends without them.
constexpr std::chrono::milliseconds kWorkerGrace{300};
}  // namespace

NodeRuntime::NodeRuntime(NodeFactory factory, std::string job_name, const Configuration& config,
                         bool keep_results)
    : workers_(std::move(factory), std::max(1u, config.threads),
               [this] { boost::asio::post(io_, [this] { engine_.on_worker_outputs(); }); }),
      engine_(std::move(job_name), config, workers_, keep_results),
      heartbeat_(io_),
      pausable_(config.pause_after_tasks.has_value()) {}

void NodeRuntime::handle_signals() {
  signals_.emplace(io_, SIGINT, SIGTERM);
  signals_->async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    engine_.interrupt(signal == SIGTERM ? "SIGTERM" : "SIGINT");
  });
  // mpirun passes the SIGUSR1 that releases a paused server on to every rank: it must not
  // end the node ranks, whose command line asked for the same pause.
  if (pausable_) {
    ignored_.emplace(io_, SIGUSR1);
    ignore_release();
  }
}

void NodeRuntime::ignore_release() {
  ignored_->async_wait([this](const boost::system::error_code& error, int) {
    if (!error) ignore_release();
  });
}

void NodeRuntime::schedule_heartbeat() {
  heartbeat_.expires_after(engine_.heartbeat_interval());
  heartbeat_.async_wait([this](const boost::system::error_code& error) {
    if (error || engine_.done()) return;
    engine_.on_tick();
    schedule_heartbeat();
  });
}

int NodeRuntime::run(NodeTransport& transport) {
  auto guard = boost::asio::make_work_guard(io_);
  engine_.set_on_done([this, &transport, &guard] {
    heartbeat_.cancel();
    if (signals_) signals_->cancel();
    if (ignored_) ignored_->cancel();
    boost::asio::post(io_, [this, &transport, &guard] {
      transport.drain([this, &guard] {
        guard.reset();
        io_.stop();
      });
    });
  });
  transport.start();
  schedule_heartbeat();
  io_.run();
  workers_stuck_ = !workers_.join_for(kWorkerGrace);
  if (workers_stuck_) spdlog::warn("a worker is still inside a task; leaving it behind");
  return engine_.exit_status();
}

}  // namespace nc::detail
