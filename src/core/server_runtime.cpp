#include "core/server_runtime.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <csignal>
#include <memory>

namespace nc::detail {

ServerRuntime::ServerRuntime(ServerHandle& job, std::string job_name, const Configuration& config,
                             Observer& observer)
    : engine_(job, std::move(job_name), config, observer),
      tick_(io_),
      pausable_(config.pause_after_tasks.has_value()) {}

void ServerRuntime::handle_signals() {
  signals_.emplace(io_, SIGINT, SIGTERM);
  signals_->async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    const char* name = signal == SIGTERM ? "SIGTERM" : "SIGINT";
    spdlog::warn("{} received: stopping the job", name);
    engine_.interrupt(name);
  });
  // Without a pause SIGUSR1 keeps its default meaning: nothing here would answer it.
  if (pausable_) {
    release_.emplace(io_, SIGUSR1);
    wait_for_release();
  }
}

void ServerRuntime::wait_for_release() {
  release_->async_wait([this](const boost::system::error_code& error, int) {
    if (error) return;
    engine_.release_pause();
    wait_for_release();  // a second SIGUSR1 must not end the process either
  });
}

void ServerRuntime::every(std::chrono::milliseconds interval, std::function<void()> task) {
  periodic_.push_back(std::make_unique<Periodic>(io_, interval, std::move(task)));
  periodic_.back()->arm();
}

void ServerRuntime::Periodic::arm() {
  timer.expires_after(interval);
  timer.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    task();
    arm();
  });
}

void ServerRuntime::schedule_tick() {
  tick_.expires_after(engine_.tick_interval());
  tick_.async_wait([this](const boost::system::error_code& error) {
    if (error || engine_.done()) return;
    engine_.on_tick();
    if (!engine_.done()) schedule_tick();
  });
}

void ServerRuntime::drain_transports() {
  auto pending = std::make_shared<std::size_t>(transports_.size());
  if (*pending == 0) {
    stop_();
    return;
  }
  for (auto* transport : transports_) {
    transport->drain([this, pending] {
      if (--*pending == 0) stop_();
    });
  }
}

int ServerRuntime::run() {
  auto guard = boost::asio::make_work_guard(io_);
  stop_ = [this, &guard] {
    guard.reset();
    io_.stop();
  };
  engine_.set_on_done([this] {
    tick_.cancel();
    for (auto& periodic : periodic_)
      periodic->timer.cancel();
    if (signals_) signals_->cancel();
    if (release_) release_->cancel();
    for (auto& task : at_end_)
      task();
    // Not from inside the engine's call stack: let it return first.
    boost::asio::post(io_, [this] { drain_transports(); });
  });
  schedule_tick();
  io_.run();
  return engine_.exit_status();
}

}  // namespace nc::detail
