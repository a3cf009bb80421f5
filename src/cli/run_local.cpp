#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "cli/listen.hpp"
#include "cli/logging.hpp"
#include "cli/node_role.hpp"
#include "cli/roles.hpp"
#include "cli/server_setup.hpp"
#include "transport/inproc/inproc.hpp"

namespace nc::detail {

int run_local(const JobEntry& job, const Configuration& config) {
  setup_logging(config, "server");
  add_log_file(config, "server");
  if (!config.listen.empty()) check_listen(config);
  if (ServerSetup::finished_already(job, config)) return exit_ok;
  ServerSetup setup(job, config);
  InprocServerTransport inproc(setup.runtime());
  const auto tcp = config.listen.empty() ? nullptr : listen_for_nodes(setup.runtime(), config);

  const unsigned count = config.local_nodes != 0
                             ? config.local_nodes
                             : std::max(1u, std::thread::hardware_concurrency());
  setup.runtime().engine().expect_fixed_nodes(count);
  spdlog::info("running alone: {} in-process node(s) of {} thread(s)", count, config.threads);
  std::atomic<bool> stuck{false};
  std::vector<std::thread> nodes;
  nodes.reserve(count);
  for (unsigned index = 1; index <= count; ++index) {
    nodes.emplace_back([&, index] {
      // In-process nodes keep no unconfirmed results: a crash of the server is a crash of
      // this process, theirs included.
      auto runtime = std::make_unique<NodeRuntime>(job.node_factory, job.name, config, false);
      {
        InprocNodeTransport transport(inproc.end(), *runtime, index);
        runtime->run(transport);
      }
      if (runtime->workers_stuck()) {
        stuck = true;
        (void)runtime.release();  // a worker is still inside user code: it cannot be destroyed
      }
    });
  }
  const int status = setup.run();
  for (auto& node : nodes)
    node.join();
  if (stuck) end_leaving_workers(status);
  return status;
}

}  // namespace nc::detail
