// nc_scale_nodes: many TCP nodes in one process, to measure how many nodes one server holds.
//
//   nc_job empty --server --listen 127.0.0.1:7870 --tasks 1000000 &
//   nc_scale_nodes --connect 127.0.0.1:7870 --nodes 1000
//
// Each simulated node is the library's own node side, unchanged: a NodeRuntime (the node
// engine with its adaptive prefetch and heartbeats, a worker pool of one thread) and a
// TcpNodeTransport (connection, handshake, secret and encryption if given, reconnection). Only
// the process is shared, so what the server sees -- connections, handshakes, registrations,
// requests, results, heartbeats, goodbyes -- is what as many `nc_job empty --connect`
// processes would send, at two threads per node instead of a process. The node answers the
// `empty` job's tasks as its own node does; with --task-ms it first sleeps that long, a task
// that takes time without taking a core, so that a thousand nodes "computing" fit beside the
// server on a small machine and the server sees the traffic of a thousand real ones.
// Prints one line of figures; exits 1 unless every node registered and ended with status 0.

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <node_crunch/detail/job_adapters.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/node_runtime.hpp"
#include "empty/empty_job.hpp"
#include "transport/tcp/address.hpp"
#include "transport/tcp/secret.hpp"
#include "transport/tcp/tcp_node.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Each node holds a socket and its event loop's descriptors (epoll, its wake-up, a timer).
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

double resident_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

// The empty job's node, with an optional pause per task.
class PacedNode final : public nc::Node<empty::Types> {
 public:
  static inline std::chrono::microseconds pause{0};
  empty::Pair process_data_from_server(const empty::Pair& task) override {
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
    return empty::Pair{task.index, empty::expected_check(task.index)};
  }
};

class SimulatedNode {
 public:
  SimulatedNode(const nc::Configuration& config, const nc::detail::HostPort& server,
                const std::optional<nc::detail::Key>& key, std::atomic<unsigned>& registered)
      : runtime_(nc::detail::make_node_factory<PacedNode>(), "empty", config, true),
        transport_(runtime_, config, nc::detail::ServerAddress::fixed(server), key) {
    runtime_.engine().set_on_registered([&registered](nc::NodeID) { ++registered; });
  }

  void start() {
    thread_ = std::thread([this] { status_ = runtime_.run(transport_); });
  }
  int join() {
    thread_.join();
    return status_;
  }

 private:
  nc::detail::NodeRuntime runtime_;
  nc::detail::TcpNodeTransport transport_;
  std::thread thread_;
  int status_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Many TCP nodes of the 'empty' job in one process, built from the library's node side"};
  std::string connect;
  unsigned count = 100;
  double stagger_ms = 1.0;
  double task_ms = 0.0;
  nc::Configuration config;
  app.add_option("--connect", connect, "The server, HOST:PORT")->required();
  app.add_option("--nodes", count, "How many nodes")->capture_default_str();
  app.add_option("--stagger-ms", stagger_ms, "Pause between starting two nodes")
      ->capture_default_str();
  app.add_option("--task-ms", task_ms, "Each task sleeps this long (0: answers at once)")
      ->capture_default_str();
  app.add_option("--secret-file", config.secret_file, "The shared secret, as for nc_job");
  app.add_option("--connect-attempts", config.connect_attempts, "As for nc_job")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    PacedNode::pause = std::chrono::microseconds(static_cast<std::int64_t>(task_ms * 1000.0));
    spdlog::set_level(spdlog::level::warn);  // a thousand "connected" lines say nothing
    raise_descriptor_limit();
    const auto server = nc::detail::parse_host_port(connect, "--connect");
    const auto key = nc::detail::load_secret(config);

    std::atomic<unsigned> registered{0};
    std::vector<std::unique_ptr<SimulatedNode>> nodes;
    nodes.reserve(count);
    const auto start = Clock::now();
    for (unsigned i = 0; i < count; ++i) {
      nodes.push_back(std::make_unique<SimulatedNode>(config, server, key, registered));
      nodes.back()->start();
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(stagger_ms));
    }
    unsigned ok = 0;
    for (auto& node : nodes)
      ok += node->join() == nc::exit_ok ? 1 : 0;
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "nc_scale_nodes: nodes=%u registered=%u exit_ok=%u seconds=%.2f peak_rss_mib=%.1f\n", count,
        registered.load(), ok, seconds, resident_mib());
    return registered.load() >= count && ok == count ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nc_scale_nodes: %s\n", e.what());
    return 2;
  }
}
