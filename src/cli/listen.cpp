#include "cli/listen.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "node_crunch/error.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::detail {

std::unique_ptr<TcpServerTransport> listen_for_nodes(ServerRuntime& runtime,
                                                     const Configuration& config) {
  const HostPort where = parse_host_port(config.listen, "--listen");
  auto key = load_secret(config);
  if (!key && !config.insecure && !is_loopback(where.host)) {
    throw UsageError(
        "listening on " + to_string(where) +
        " lets anyone on the network take part: give a shared secret (--secret-file FILE or "
        "NC_SECRET) or, on a network you trust, --insecure. For one machine, --listen 127.0.0.1:0");
  }
  if (!key)
    spdlog::warn("TCP without a secret: anyone who can reach {} can join this job",
                 to_string(where));
  auto transport = std::make_unique<TcpServerTransport>(runtime, config, std::move(key));
  const HostPort bound = transport->listen(where);
  std::printf("nc_job: listening on %s\n", to_string(bound).c_str());
  std::fflush(stdout);
  spdlog::info("listening for TCP nodes on {}{}", to_string(bound),
               config.secret_file.empty() && std::getenv("NC_SECRET") == nullptr &&
                       std::getenv("NC_SECRET_FILE") == nullptr
                   ? ""
                   : " (authenticated, encrypted)");
  return transport;
}

}  // namespace nc::detail
