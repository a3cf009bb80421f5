#pragma once
// What every kind of server process sets up the same way: the user's server, the observers
// and the runtime.

#include <spdlog/spdlog.h>

#include <memory>

#include "cli/checkpointing.hpp"
#include "cli/logging.hpp"
#include "core/event_hub.hpp"
#include "core/server_runtime.hpp"
#include "node_crunch/error.hpp"
#include "observers/log_observer.hpp"
#include "observers/progress_bar.hpp"

namespace nc::detail {

class ServerSetup {
 public:
  ServerSetup(const JobEntry& job, const Configuration& config)
      : log_(live_bar(config) ? std::chrono::steady_clock::duration::zero()
                              : config.progress_every),
        hub_(observers(log_, live_bar(config) ? &bar_ : nullptr)),
        server_(start_server(job, config, hub_)),
        runtime_(*server_, job.name, config, hub_),
        checkpointing_(runtime_, job, config) {
    runtime_.handle_signals();
  }
  [[nodiscard]] ServerRuntime& runtime() { return runtime_; }
  int run() { return runtime_.run(); }

 private:
  static std::unique_ptr<ServerHandle> start_server(const JobEntry& job,
                                                    const Configuration& config, EventHub& hub) {
    std::unique_ptr<ServerHandle> server;
    try {
      server = job.make_server(config);
    } catch (const std::exception& e) {
      throw Error("the server of job '" + job.name + "' could not start: " + e.what());
    }
    for (Observer* observer : server->observers())
      hub.add(*observer);
    return server;
  }
  static EventHub observers(Observer& log, Observer* bar) {
    EventHub hub;
    if (bar != nullptr)
      hub.add(*bar);  // first: it leaves the terminal before the summary is logged
    hub.add(log);
    return hub;
  }
  // A live bar where a person watches (a terminal), plain progress lines where a file records.
  static bool live_bar(const Configuration& config) {
    return stderr_is_terminal() && !config.quiet && spdlog::get_level() <= spdlog::level::info;
  }

  ProgressBar bar_;
  LogObserver log_;
  EventHub hub_;
  std::unique_ptr<ServerHandle> server_;
  ServerRuntime runtime_;
  Checkpointing checkpointing_;
};

}  // namespace nc::detail
