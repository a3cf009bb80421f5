#pragma once
// What every kind of server process sets up the same way: the user's server, the observers
// and the runtime.

#include <spdlog/spdlog.h>

#include <memory>

#include "cli/checkpointing.hpp"
#include "cli/logging.hpp"
#include "core/event_hub.hpp"
#include "core/random_id.hpp"
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
        checkpointing_(with_random_attempt_ids(runtime_), job, config) {
    runtime_.handle_signals();
  }
  /// --resume of a job that has finished already (its output is there, its checkpoint gone):
  /// says so; the caller ends with status 0, computing nothing.
  static bool finished_already(const JobEntry& job, const Configuration& config) {
    const auto output = Checkpointing::finished_output(job, config);
    if (!output) return false;
    spdlog::info(
        "--resume: job '{}' is done already: its output {} is there and no checkpoint is left "
        "(a run removes it once its output is written), so there is nothing to compute; delete "
        "{} to compute it again",
        job.name, *output, *output);
    return true;
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
  // Attempt ids start at a random point: results an earlier run's nodes still bring can never
  // be taken for this run's (a resumed run also starts above the ones its journal records).
  static ServerRuntime& with_random_attempt_ids(ServerRuntime& runtime) {
    runtime.engine().start_attempts_at((random_nonzero_u64() >> 12) + 1);
    return runtime;
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
