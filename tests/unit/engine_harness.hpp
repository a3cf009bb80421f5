#pragma once
// A server engine driven by hand: fake links, a clock the test moves, no threads.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/server_engine.hpp"
#include "test_support.hpp"

namespace test {

using namespace nc::detail;
using namespace std::chrono_literals;

struct CountingObserver final : nc::Observer {
  int joined = 0;
  int lost = 0;
  int finished = 0;
  nc::JobSummary summary;
  void on_node_joined(const nc::NodeInfo&, bool) override { ++joined; }
  void on_node_lost(const nc::NodeInfo&, std::string_view) override { ++lost; }
  void on_result(nc::NodeID, nc::AttemptID, std::optional<nc::ChunkID>) override { ++results; }
  void on_chunks_failed(const std::vector<nc::ChunkID>& chunks) override {
    failed.insert(failed.end(), chunks.begin(), chunks.end());
  }
  void on_progress(const nc::JobProgress&) override { ++progress_reports; }
  int results = 0;
  int progress_reports = 0;
  std::vector<nc::ChunkID> failed;
  void on_job_finished(const nc::JobSummary& s) override {
    ++finished;
    summary = s;
  }
};

inline nc::Configuration fast_config() {
  nc::Configuration config;
  config.heartbeat = 100ms;
  config.timeout = 500ms;
  config.max_copies = 1;  // no speculative copies unless a test asks
  return config;
}

template <class S>
struct EngineHarness {
  explicit EngineHarness(Knobs knobs = {}, nc::Configuration cfg = fast_config())
      : config(cfg),
        server_owner(std::make_unique<S>(typename S::Options{knobs}, config)),
        server(*server_owner),
        adapter(std::move(server_owner), config.chunk_policy()),
        engine(adapter, "square", config, observer, clock.function()) {}

  /// A node joins; with `previous`, it comes back under that id, with the run and token the
  /// engine gave it (an honest node) or with a token of its own (`token`, a stranger).
  std::shared_ptr<RecordingLink> join(const std::string& name, nc::NodeID previous = nc::NodeID{0},
                                      std::optional<std::uint64_t> token = std::nullopt) {
    auto link = std::make_shared<RecordingLink>(name);
    Hello hello;
    hello.job = "square";
    hello.previous = previous;
    hello.instance = engine.instance();
    if (const auto given = tokens.find(previous.value()); given != tokens.end())
      hello.token = given->second;
    if (token) hello.token = *token;
    engine.on_message(link, hello);
    for (const auto& welcome : link->all<Welcome>())
      tokens[welcome.node.value()] = welcome.token;
    return link;
  }
  /// A node of an earlier server run (another instance) joins, with the id and token it had.
  std::shared_ptr<RecordingLink> join_from_earlier_run(const std::string& name, nc::NodeID previous,
                                                       std::uint64_t token) {
    auto link = std::make_shared<RecordingLink>(name);
    Hello hello;
    hello.job = "square";
    hello.previous = previous;
    hello.instance = engine.instance() ^ 0x5a5a;  // any other run
    hello.token = token;
    engine.on_message(link, hello);
    for (const auto& welcome : link->all<Welcome>())
      tokens[welcome.node.value()] = welcome.token;
    return link;
  }
  void request(const std::shared_ptr<RecordingLink>& link, std::uint32_t count) {
    engine.on_message(link, Request{count});
  }
  /// The tasks a link holds, in order: (attempt, chunk).
  static std::vector<std::pair<nc::AttemptID, std::uint64_t>> tasks_of(const RecordingLink& link) {
    std::vector<std::pair<nc::AttemptID, std::uint64_t>> out;
    for (const auto& batch : link.all<Tasks>()) {
      for (const auto& item : batch.items)
        out.emplace_back(item.attempt, nc::from_bytes<std::uint64_t>(item.payload));
    }
    return out;
  }
  void answer(const std::shared_ptr<RecordingLink>& link, nc::AttemptID attempt,
              std::uint64_t chunk, std::uint32_t more = 0) {
    Results results;
    results.more = more;
    results.items.push_back(
        ResultItem{attempt, nc::ChunkID{chunk}, 10,
                   nc::to_bytes(std::pair<std::uint64_t, std::uint64_t>{chunk, chunk * chunk})});
    engine.on_message(link, results);
  }
  void heartbeat(const std::shared_ptr<RecordingLink>& link) {
    engine.on_message(link, Heartbeat{});
  }

  nc::Configuration config;
  std::unique_ptr<S> server_owner;
  S& server;
  ServerAdapter<S> adapter;
  ManualClock clock;
  CountingObserver observer;
  ServerEngine engine;
  std::unordered_map<std::uint64_t, std::uint64_t> tokens;  // node id -> the token it was given
};

}  // namespace test
