// What a lost node costs: a loss counts against a chunk's attempts only for work the node could
// have been doing, a node that keeps taking work and dropping it is quarantined, and a chunk
// held with no result back is copied to idle nodes even before any chunk time is known.
#include <catch2/catch.hpp>

#include "engine_harness.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;
using test::RecordingLink;

namespace {

using LossHarness = test::EngineHarness<test::KeptSquareServer>;

nc::Configuration loss_config(unsigned max_attempts, unsigned max_copies = 1) {
  nc::Configuration config = test::fast_config();
  config.max_attempts = max_attempts;
  config.max_copies = max_copies;
  return config;
}

void loss_tick(LossHarness& h, std::chrono::milliseconds by,
               const std::vector<std::shared_ptr<RecordingLink>>& alive) {
  h.clock.advance(by);
  for (const auto& link : alive)
    h.heartbeat(link);
  h.engine.on_tick();
}

}  // namespace

TEST_CASE("before the first result, a chunk held past the straggler deadline is copied",
          "[engine_losses]") {
  nc::Configuration config = loss_config(3, 2);
  config.straggler_deadline = 300ms;
  LossHarness h(test::Knobs{.chunks = 1}, config);
  auto sitter = h.join("sitter");
  auto idle = h.join("idle");
  h.request(sitter, 1);
  h.request(idle, 1);  // nothing free: held
  loss_tick(h, 200ms, {sitter, idle});
  CHECK(LossHarness::tasks_of(*idle).empty());
  loss_tick(h, 150ms, {sitter, idle});  // 350 ms > 300 ms, and still no result anywhere
  const auto copy = LossHarness::tasks_of(*idle);
  REQUIRE(copy.size() == 1);
  CHECK(copy[0].second == LossHarness::tasks_of(*sitter).at(0).second);
  h.answer(idle, copy[0].first, copy[0].second, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
}

TEST_CASE("the straggler deadline defaults to the heartbeat timeout", "[engine_losses]") {
  nc::Configuration config;
  config.timeout = 7s;
  CHECK(config.chunk_policy().first_straggler_after == 7s);
  config.straggler_deadline = 2s;
  CHECK(config.chunk_policy().first_straggler_after == 2s);
}

TEST_CASE("nodes that take work and drop it under new ids never fail a chunk", "[engine_losses]") {
  LossHarness h(test::Knobs{.chunks = 3}, loss_config(2));
  for (int i = 0; i < 10; ++i) {
    auto hoarder = h.join("hoarder " + std::to_string(i));
    h.request(hoarder, 3);
    REQUIRE(LossHarness::tasks_of(*hoarder).size() == 3);
    h.engine.on_link_closed(hoarder, "connection reset");
  }
  CHECK(h.observer.failed.empty());
  auto honest = h.join("honest");
  h.request(honest, 3);
  for (const auto& [attempt, chunk] : LossHarness::tasks_of(*honest))
    h.answer(honest, attempt, chunk, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
}

TEST_CASE("a node lost with work again and again under its id is quarantined", "[engine_losses]") {
  nc::Configuration config = loss_config(1);
  config.quarantine_after = 3;
  LossHarness h(test::Knobs{.chunks = 5}, config);
  for (int i = 0; i < 3; ++i) {
    auto hoarder = h.join("hoarder", i == 0 ? nc::NodeID{0} : nc::NodeID{1});
    REQUIRE(hoarder->all<Welcome>().at(0).node == nc::NodeID{1});
    h.request(hoarder, 5);
    h.engine.on_link_closed(hoarder, "connection reset");
  }
  CHECK(h.engine.summary().quarantined == 1);
  CHECK(h.observer.failed.empty());  // even with max_attempts 1
  auto again = h.join("hoarder", nc::NodeID{1});
  CHECK(again->closed);
  CHECK_THAT(again->all<Reject>().at(0).reason,
             Catch::Contains("quarantined") && Catch::Contains("lost 3 times holding work"));
}

TEST_CASE("a node that returns work between its losses is not quarantined", "[engine_losses]") {
  nc::Configuration config = loss_config(10);
  config.quarantine_after = 2;
  LossHarness h(test::Knobs{.chunks = 20}, config);
  for (int i = 0; i < 5; ++i) {
    auto flaky = h.join("flaky", i == 0 ? nc::NodeID{0} : nc::NodeID{1});
    h.request(flaky, 2);
    const auto task = LossHarness::tasks_of(*flaky).at(0);
    h.answer(flaky, task.first, task.second);
    h.engine.on_link_closed(flaky, "network hiccup");
  }
  CHECK(h.engine.summary().quarantined == 0);
}

TEST_CASE("a loss costs an attempt only for the chunk a working node was running, naming it",
          "[engine_losses]") {
  LossHarness h(test::Knobs{.chunks = 5}, loss_config(1));
  auto worker = h.join("worker");
  h.request(worker, 1);
  const auto first = LossHarness::tasks_of(*worker).at(0);
  h.answer(worker, first.first, first.second, 3);  // it works: then takes three more
  const auto tasks = LossHarness::tasks_of(*worker);
  REQUIRE(tasks.size() == 4);
  h.engine.on_link_closed(worker, "killed");
  // One thread: only its oldest task was running; the prefetched ones go back free.
  REQUIRE(h.observer.failed == std::vector<nc::ChunkID>{nc::ChunkID{tasks.at(1).second}});
  auto other = h.join("other");
  h.request(other, 5);
  const auto rest = LossHarness::tasks_of(*other);
  CHECK(rest.size() == 3);
  for (const auto& [attempt, chunk] : rest)
    h.answer(other, attempt, chunk, 1);
  REQUIRE(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure, Catch::Contains("node 1 was lost (killed)"));
}
