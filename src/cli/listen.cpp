#include "cli/listen.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

#include "node_crunch/error.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::detail {

namespace {

struct ListenPlan {
  HostPort where;
  std::optional<Key> key;
};

ListenPlan plan(const Configuration& config) {
  ListenPlan plan{parse_host_port(config.listen, "--listen"), load_secret(config)};
  if (!plan.key && !config.insecure && !is_loopback(plan.where.host)) {
    throw UsageError(
        "listening on " + to_string(plan.where) +
        " lets anyone on the network take part: give a shared secret (--secret-file FILE or "
        "NC_SECRET) or, on a network you trust, --insecure. For one machine, --listen 127.0.0.1:0");
  }
  return plan;
}

}  // namespace

void check_listen(const Configuration& config) {
  (void)plan(config);
}

std::unique_ptr<TcpServerTransport> listen_for_nodes(ServerRuntime& runtime,
                                                     const Configuration& config) {
  auto [where, key] = plan(config);
  const bool secret = key.has_value();
  auto transport = std::make_unique<TcpServerTransport>(runtime, config, std::move(key));
  const HostPort bound = transport->listen(where);
  runtime.engine().accept_new_nodes();
  std::printf("nc_job: listening on %s\n", to_string(bound).c_str());
  std::fflush(stdout);
  if (secret) {
    spdlog::info("listening for TCP nodes on {} (with a shared secret: authenticated, encrypted)",
                 to_string(bound));
  } else {
    spdlog::warn(
        "listening for TCP nodes on {} without a secret: anyone who can reach it can read the "
        "status, join, send results and end the job",
        to_string(bound));
  }
  return transport;
}

}  // namespace nc::detail
