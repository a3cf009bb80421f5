// nc_insider: a registered node of the mandel job that plays one attack on its server, for the
// attack tests (tests/integration/test_attacks.py). It proves the shared secret like any node
// (--secret-file, $NC_SECRET_FILE or $NC_SECRET), speaks the library's own codec, and prints
// one line when its attack is done:
//
//   nc_insider --connect 127.0.0.1:7870 --chunk-height 4 relabel
//   insider: relabel done, 57 tasks answered as another chunk, ended by: the job finished
//
// It ends by itself: every wait has a deadline, and --limit bounds the whole run.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <map>

#include "insider_attacks.hpp"
#include "node_crunch/configuration.hpp"

namespace {

using nc::insider::Options;
using nc::insider::Target;
using Attack = std::function<std::string(const Target&, const Options&, std::uint64_t)>;

const std::map<std::string, Attack>& attacks() {
  using namespace nc::insider;
  static const std::map<std::string, Attack> table{
      {"forge-unknown", [](auto& t, auto& o, auto) { return forge_unknown(t, o); }},
      {"relabel", [](auto& t, auto& o, auto) { return relabel(t, o); }},
      {"missized", [](auto& t, auto& o, auto) { return missized(t, o); }},
      {"chunk-1e6", [](auto& t, auto& o, auto) { return chunk_1e6(t, o); }},
      {"task-failed-flood", [](auto& t, auto& o, auto) { return task_failed_flood(t, o); }},
      {"task-failed-initial", [](auto& t, auto& o, auto) { return task_failed_initial(t, o); }},
      {"hoard", [](auto& t, auto& o, auto) { return hoard(t, o); }},
      {"hoard-drop", [](auto& t, auto& o, auto) { return hoard_drop(t, o); }},
      {"long-hello", [](auto& t, auto& o, auto) { return long_hello(t, o); }},
      {"registrations", [](auto& t, auto&, auto n) { return registrations(t, n); }},
      {"steal-id", [](auto& t, auto&, auto id) { return steal_id(t, id); }},
  };
  return table;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a server that closes on the insider is an outcome, not a crash
  CLI::App app("An authenticated node of the mandel job that attacks its server");
  std::string connect;
  std::string attack;
  std::uint64_t argument = 0;
  double limit_s = 120;
  Options options;
  nc::Configuration config;
  app.add_option("--connect", connect, "The server, HOST:PORT")->required();
  app.add_option("--secret-file", config.secret_file, "The shared secret (else $NC_SECRET)");
  app.add_option("--times", options.times, "Rounds, tasks or connections (0: the attack's own)");
  app.add_option("--chunk-width", options.chunk_width, "The server's --chunk-width");
  app.add_option("--chunk-height", options.chunk_height, "The server's --chunk-height");
  app.add_option("--batch", options.batch, "Tasks asked for at once");
  app.add_option("--threads", options.threads, "Worker threads claimed in the hello");
  app.add_option("--host-bytes", options.host_bytes, "long-hello's host name length");
  app.add_option("--limit", limit_s, "Seconds after which the insider stops, whatever happens");
  std::string names;
  for (const auto& [name, run] : attacks())
    names += (names.empty() ? "" : ", ") + name;
  app.add_option("attack", attack, "One of: " + names)->required();
  app.add_option("argument", argument, "registrations: how many; steal-id: the id to claim");
  CLI11_PARSE(app, argc, argv);

  const auto found = attacks().find(attack);
  if (found == attacks().end()) {
    std::fprintf(stderr, "insider: no attack '%s' (one of: %s)\n", attack.c_str(), names.c_str());
    return 2;
  }
  try {
    Target target;
    target.server = nc::detail::parse_host_port(connect, "--connect");
    target.key = nc::detail::load_secret(config);
    target.end =
        nc::insider::Clock::now() + std::chrono::duration_cast<nc::insider::Clock::duration>(
                                        std::chrono::duration<double>(limit_s));
    const std::string counts = found->second(target, options, argument);
    std::printf("insider: %s done, %s\n", attack.c_str(), counts.c_str());
    std::fflush(stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "insider: %s failed: %s\n", attack.c_str(), e.what());
    return 1;
  }
}
