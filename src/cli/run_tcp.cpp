// The TCP roles: a server (--server), a node (--connect), a statistics request (--status).

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli/cpu_affinity.hpp"
#include "cli/listen.hpp"
#include "cli/logging.hpp"
#include "cli/node_role.hpp"
#include "cli/roles.hpp"
#include "cli/server_setup.hpp"
#include "cli/status_query.hpp"
#include "node_crunch/error.hpp"
#include "transport/tcp/tcp_node.hpp"

namespace nc::detail {

int run_tcp_server(const JobEntry& job, const Configuration& config) {
  setup_logging(config, "server");
  add_log_file(config, "server");
  Configuration listening = config;
  if (listening.listen.empty()) listening.listen = kDefaultListen;
  check_listen(listening);
  if (ServerSetup::finished_already(job, config)) return exit_ok;
  ServerSetup setup(job, listening);
  auto tcp = listen_for_nodes(setup.runtime(), listening);
  return setup.run();
}

int run_tcp_node(const JobEntry& job, const Configuration& config,
                 const std::vector<std::string>& ignored_options) {
  setup_logging(config, "node");
  if (!ignored_options.empty()) {
    std::string names;
    for (const auto& name : ignored_options)
      names += (names.empty() ? "" : ", ") + name;
    spdlog::warn("ignoring {}: a TCP node computes with the job options of its server", names);
  }
  warn_if_threads_exceed_cpus(config.threads,
                              "It was started bound to them (taskset, numactl, a batch system's "
                              "CPU allocation): start it on more, or give fewer --threads.");
  const ServerAddress server =
      config.connect_file.empty()
          ? ServerAddress::fixed(parse_host_port(config.connect, "--connect"))
          : ServerAddress::from_file(config.connect_file);
  auto key = load_secret(config);
  // A TCP node outlives its connection: it keeps every result until the server confirms it
  // is on record, and sends the unconfirmed ones again when it reconnects.
  NodeRuntime runtime(job.node_factory, job.name, config, true);
  runtime.handle_signals();
  runtime.engine().set_on_registered([&config](NodeID id) {
    set_log_role(to_string(id));
    add_log_file(config, fmt::format("node-{}", id.value()));
  });
  TcpNodeTransport transport(runtime, config, server, std::move(key));
  return run_node_role(runtime, transport);
}

int run_status_client(const Configuration& config) {
  setup_logging(config, "status");
  const HostPort server = parse_host_port(config.status, "--status");
  std::printf("%s\n", fetch_status(server, load_secret(config), config).c_str());
  return exit_ok;
}

}  // namespace nc::detail
