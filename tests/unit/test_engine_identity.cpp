// A node's id is its own: only the token it was given with it takes it back, a quarantined
// one is refused for good, ids of another server run mean nothing, and records of lost nodes
// do not pile up.
#include <catch2/catch.hpp>

#include "engine_harness.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;
using test::RecordingLink;

namespace {
using IdentityHarness = test::EngineHarness<test::KeptSquareServer>;
}  // namespace

TEST_CASE("a hello under a node's id without its token is refused; the node keeps its id",
          "[engine_identity]") {
  IdentityHarness h(test::Knobs{.chunks = 4});
  auto owner = h.join("owner");
  h.request(owner, 2);
  const std::uint64_t token = h.tokens.at(1);
  for (const std::uint64_t guess : {std::uint64_t{0}, token + 1, token ^ 1}) {
    auto thief = h.join("thief", nc::NodeID{1}, guess);
    CHECK(thief->closed);
    REQUIRE(thief->all<Reject>().size() == 1);
    CHECK_THAT(thief->all<Reject>()[0].reason, Catch::Contains("token does not match"));
    CHECK_FALSE(thief->got<Welcome>());
  }
  CHECK_FALSE(owner->closed);
  CHECK(h.server.lost.empty());
  const auto task = IdentityHarness::tasks_of(*owner).at(0);
  h.answer(owner, task.first, task.second);
  CHECK(h.server.processed == std::vector<std::uint64_t>{task.second});
  // Once its link is gone, a stranger still cannot take the id.
  h.engine.on_link_closed(owner, "connection reset");
  auto late_thief = h.join("late thief", nc::NodeID{1}, token + 7);
  CHECK(late_thief->all<Reject>().size() == 1);
}

TEST_CASE("the node itself, with its token, takes its id back at once from a link it left open",
          "[engine_identity]") {
  IdentityHarness h(test::Knobs{.chunks = 4});
  auto half_open = h.join("half-open link");
  h.request(half_open, 1);
  const auto task = IdentityHarness::tasks_of(*half_open).at(0);
  auto back = h.join("new link", nc::NodeID{1});
  CHECK(half_open->closed);
  REQUIRE(back->all<Welcome>().size() == 1);
  CHECK(back->all<Welcome>()[0].node == nc::NodeID{1});
  CHECK_FALSE(back->all<Welcome>()[0].fresh);
  h.answer(back, task.first, task.second);
  CHECK(h.server.processed == std::vector<std::uint64_t>{task.second});
}

TEST_CASE("an id of another server run is a new registration, whatever it claims",
          "[engine_identity]") {
  IdentityHarness h(test::Knobs{.chunks = 4});
  auto first = h.join("first");
  auto link = std::make_shared<RecordingLink>("from an earlier run");
  Hello hello;
  hello.job = "square";
  hello.previous = nc::NodeID{1};  // the id of a live node here, but of another run
  hello.instance = h.engine.instance() + 1;
  hello.token = 99;
  h.engine.on_message(link, hello);
  REQUIRE(link->all<Welcome>().size() == 1);
  CHECK(link->all<Welcome>()[0].node == nc::NodeID{2});
  CHECK(link->all<Welcome>()[0].fresh);
  CHECK(link->all<Welcome>()[0].instance == h.engine.instance());
  CHECK(link->all<Welcome>()[0].token != h.tokens.at(1));
  CHECK_FALSE(first->closed);
}

TEST_CASE("once its connection is gone a node may come back under its id", "[engine_identity]") {
  IdentityHarness h(test::Knobs{.chunks = 4});
  auto first = h.join("first connection");
  h.request(first, 1);
  const auto task = IdentityHarness::tasks_of(*first).at(0);
  h.engine.on_link_closed(first, "connection reset");
  auto second = h.join("second connection", nc::NodeID{1});
  REQUIRE(second->all<Welcome>().size() == 1);
  CHECK(second->all<Welcome>()[0].node == nc::NodeID{1});
  CHECK_FALSE(second->all<Welcome>()[0].fresh);
  h.answer(second, task.first, task.second);  // its late result still counts
  CHECK(h.server.processed == std::vector<std::uint64_t>{task.second});
}

TEST_CASE("records of lost nodes are pruned: thousands of registrations keep memory flat",
          "[engine_identity]") {
  constexpr int kNodes = 5000;
  IdentityHarness h(test::Knobs{.chunks = kNodes + 1});
  std::size_t most = 0;
  for (int i = 0; i < kNodes; ++i) {
    auto link = h.join("node " + std::to_string(i));
    h.request(link, 1);
    const auto task = IdentityHarness::tasks_of(*link).at(0);
    h.answer(link, task.first, task.second);
    h.engine.on_message(link, Bye{});
    h.engine.on_link_closed(link, "closed");
    if (i % 100 == 99) {
      h.clock.advance(600ms);  // past the timeout: their chance to come back is over
      h.engine.on_tick();
      most = std::max(most, h.engine.status().nodes.size());
    }
  }
  CHECK(most <= 100);
  CHECK(h.server.processed.size() == kNodes);
  const auto status = h.engine.status();
  std::uint64_t listed = 0;
  for (const auto& node : status.nodes)
    listed += node.stats.results;
  CHECK(status.departed_nodes >= kNodes - 100);
  CHECK(listed + status.departed_results == status.results);
  CHECK_THAT(status_json(status), Catch::Contains(R"("departed":{"nodes":)"));
  // The summary still counts every node's results: the first ones each, the rest added up.
  auto last = h.join("last");
  h.request(last, 1);
  const auto task = IdentityHarness::tasks_of(*last).at(0);
  h.answer(last, task.first, task.second, 1);  // asking for more finds the job finished
  REQUIRE(h.engine.done());
  std::uint64_t results = 0;
  for (const auto& node : h.engine.summary().nodes)
    results += node.results;
  CHECK(results == kNodes + 1);
  CHECK(h.engine.summary().nodes.size() <= 4096 + 1 + 101);
}

TEST_CASE("a quarantined id stays refused after its record is pruned", "[engine_identity]") {
  nc::Configuration config = test::fast_config();
  config.quarantine_after = 1;
  IdentityHarness h(test::Knobs{.chunks = 3}, config);
  auto liar = h.join("liar");
  h.request(liar, 1);
  const auto task = IdentityHarness::tasks_of(*liar).at(0);
  Results results;
  results.items.push_back(ResultItem{task.first, std::nullopt, 10,
                                     nc::to_bytes(std::pair<std::uint64_t, std::uint64_t>{0, 5})});
  h.engine.on_message(liar, results);
  REQUIRE(liar->closed);
  h.clock.advance(600ms);
  h.engine.on_tick();
  CHECK(h.engine.status().nodes.empty());
  CHECK(h.engine.status().quarantined == 1);
  auto back = h.join("liar again", nc::NodeID{1});
  CHECK(back->closed);
  CHECK_THAT(back->all<Reject>().at(0).reason, Catch::Contains("node 1 is quarantined"));
}

TEST_CASE("a node built from other job types is refused when it joins, and named so",
          "[engine_identity]") {
  IdentityHarness h(test::Knobs{.chunks = 4});
  const std::uint64_t ours = h.adapter.fingerprint();
  REQUIRE(ours != 0);
  const auto hello_with = [&](std::uint64_t fingerprint) {
    auto link = std::make_shared<RecordingLink>("node");
    Hello hello;
    hello.job = "square";
    hello.fingerprint = fingerprint;
    h.engine.on_message(link, hello);
    return link;
  };
  auto stale = hello_with(ours ^ 1);
  CHECK(stale->closed);
  REQUIRE(stale->all<Reject>().size() == 1);
  CHECK_THAT(stale->all<Reject>()[0].reason,
             Catch::Contains("other Task, Result or InitialData types"));
  CHECK_FALSE(stale->got<Welcome>());
  auto current = hello_with(ours);
  CHECK(current->got<Welcome>());
  CHECK_FALSE(current->closed);
}
