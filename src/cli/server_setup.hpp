#pragma once
// What every kind of server process sets up the same way: the user's server, the observers
// and the runtime.

#include <memory>

#include "core/event_hub.hpp"
#include "core/server_runtime.hpp"
#include "node_crunch/error.hpp"
#include "observers/log_observer.hpp"

namespace nc::detail {

class ServerSetup {
 public:
  ServerSetup(const JobEntry& job, const Configuration& config)
      : hub_(observers(log_)),
        server_(start_server(job, config)),
        runtime_(*server_, job.name, config, hub_) {
    runtime_.handle_signals();
  }
  [[nodiscard]] ServerRuntime& runtime() { return runtime_; }
  int run() { return runtime_.run(); }

 private:
  static std::unique_ptr<ServerHandle> start_server(const JobEntry& job,
                                                    const Configuration& config) {
    try {
      return job.make_server(config);
    } catch (const std::exception& e) {
      throw Error("the server of job '" + job.name + "' could not start: " + e.what());
    }
  }
  static EventHub observers(Observer& log) {
    EventHub hub;
    hub.add(log);
    return hub;
  }

  LogObserver log_;
  EventHub hub_;
  std::unique_ptr<ServerHandle> server_;
  ServerRuntime runtime_;
};

}  // namespace nc::detail
