// A server run that follows a killed one: the nodes of the earlier run register afresh, and
// the results they bring for that run's tasks count when the journal says the task went to
// that very node (its token) and the chunk is not done; anything else of that run is dropped
// without blame. Attempt ids of the new run never meet the earlier run's.
#include <catch2/catch.hpp>

#include <vector>

#include "engine_harness.hpp"

using namespace nc::detail;
using test::RecordingLink;

namespace {

using RestartHarness = test::EngineHarness<test::KeptSquareServer>;

// Records what the engine hands out, as the task journal does.
struct JournalRecorder final : ResultRecorder {
  std::vector<HandedOut> handed;
  void record(nc::ChunkID, Payload) override {}
  void drain() override {}
  void handed_out(const std::vector<HandedOut>& tasks) override {
    handed.insert(handed.end(), tasks.begin(), tasks.end());
  }
};

Results earlier_result(nc::AttemptID attempt, std::uint64_t chunk) {
  Results results;
  results.items.push_back(
      ResultItem{attempt, nc::ChunkID{chunk}, 10,
                 nc::to_bytes(std::pair<std::uint64_t, std::uint64_t>{chunk, chunk * chunk})});
  return results;
}

}  // namespace

TEST_CASE("a node brings an earlier run's result to the next run, which takes it once",
          "[engine_restart]") {
  RestartHarness first(test::Knobs{.chunks = 6});
  JournalRecorder journal;
  first.engine.set_recorder(&journal);
  auto a = first.join("a");
  auto b = first.join("b");
  first.request(a, 2);
  first.request(b, 1);
  const auto a_tasks = RestartHarness::tasks_of(*a);
  const auto b_tasks = RestartHarness::tasks_of(*b);
  REQUIRE(journal.handed.size() == 3);
  CHECK(journal.handed[0].token == first.tokens.at(1));
  CHECK(journal.handed[2].token == first.tokens.at(2));
  // The server is killed here; the next run reads the journal.
  RestartHarness second(test::Knobs{.chunks = 6});
  second.engine.restore_handed_out(journal.handed);
  auto a2 = second.join_from_earlier_run("a, back", nc::NodeID{1}, first.tokens.at(1));
  REQUIRE(a2->all<Welcome>().size() == 1);
  CHECK(a2->all<Welcome>()[0].fresh);

  // a's own earlier task counts, for the chunk the journal names.
  second.engine.on_message(a2, earlier_result(a_tasks[0].first, a_tasks[0].second));
  CHECK(second.server.processed == std::vector<std::uint64_t>{a_tasks[0].second});
  CHECK(second.engine.summary().earlier_results == 1);
  // Again: it was taken once; b's task is not a's to bring.
  second.engine.on_message(a2, earlier_result(a_tasks[0].first, a_tasks[0].second));
  second.engine.on_message(a2, earlier_result(b_tasks[0].first, b_tasks[0].second));
  CHECK(second.server.processed.size() == 1);
  CHECK_FALSE(a2->closed);  // not blamed: a node resends what it was not told is safe

  // A stranger claiming b's old id without its token brings nothing.
  auto forger = second.join_from_earlier_run("forger", nc::NodeID{2}, first.tokens.at(2) + 1);
  second.engine.on_message(forger, earlier_result(b_tasks[0].first, b_tasks[0].second));
  CHECK(second.server.processed.size() == 1);
  // b itself does.
  auto b2 = second.join_from_earlier_run("b, back", nc::NodeID{2}, first.tokens.at(2));
  second.engine.on_message(b2, earlier_result(b_tasks[0].first, b_tasks[0].second));
  CHECK(second.server.processed.size() == 2);

  // a's other earlier task is still its own: not handed to anyone else while a lives.
  auto c = second.join("c");
  second.request(c, 10);
  const auto c_tasks = RestartHarness::tasks_of(*c);
  CHECK(c_tasks.size() == 3);  // 6 chunks: 3 were handed out by the earlier run
  for (const auto& [attempt, chunk] : c_tasks) {
    CHECK(attempt.value() > journal.handed.back().attempt.value());  // above the journal's ids
    CHECK(chunk != a_tasks[1].second);
  }
  second.answer(a2, a_tasks[1].first, a_tasks[1].second);
  CHECK(second.server.processed.size() == 3);
  CHECK(second.engine.summary().earlier_results == 3);
  CHECK(second.engine.summary().duplicates == 0);
}

TEST_CASE("an earlier run's task is handed to others once the node that holds it is lost",
          "[engine_restart]") {
  RestartHarness first(test::Knobs{.chunks = 2});
  JournalRecorder journal;
  first.engine.set_recorder(&journal);
  auto a = first.join("a");
  first.request(a, 1);
  const auto task = RestartHarness::tasks_of(*a).at(0);

  RestartHarness second(test::Knobs{.chunks = 2});
  second.engine.restore_handed_out(journal.handed);
  auto a2 = second.join_from_earlier_run("a, back", nc::NodeID{1}, first.tokens.at(1));
  auto b = second.join("b");
  second.request(b, 2);
  REQUIRE(RestartHarness::tasks_of(*b).size() == 1);
  CHECK(RestartHarness::tasks_of(*b).at(0).second != task.second);
  second.engine.on_link_closed(a2, "connection reset");
  second.clock.advance(std::chrono::seconds(1));  // past the timeout: a2 is lost
  second.engine.on_tick();
  second.request(b, 1);
  REQUIRE(RestartHarness::tasks_of(*b).size() == 2);
  CHECK(RestartHarness::tasks_of(*b).at(1).second == task.second);
}

TEST_CASE("an earlier run's result for a chunk done since is a duplicate, not taken again",
          "[engine_restart]") {
  RestartHarness first(test::Knobs{.chunks = 2});
  JournalRecorder journal;
  first.engine.set_recorder(&journal);
  auto a = first.join("a");
  first.request(a, 1);
  const auto task = RestartHarness::tasks_of(*a).at(0);

  RestartHarness second(test::Knobs{.chunks = 2});
  second.engine.restore_handed_out(journal.handed);
  auto b = second.join("b");
  second.request(b, 2);
  for (const auto& [attempt, chunk] : RestartHarness::tasks_of(*b))
    if (chunk == task.second) second.answer(b, attempt, chunk);
  auto a2 = second.join_from_earlier_run("a, back", nc::NodeID{1}, first.tokens.at(1));
  second.engine.on_message(a2, earlier_result(task.first, task.second));
  CHECK(second.server.processed == std::vector<std::uint64_t>{task.second});
  CHECK(second.engine.summary().earlier_results == 0);
  CHECK(second.engine.summary().duplicates == 1);
}

TEST_CASE("attempt ids start where the run says, before the first is issued", "[engine_restart]") {
  RestartHarness h(test::Knobs{.chunks = 3});
  h.engine.start_attempts_at(1000);
  auto a = h.join("a");
  h.request(a, 1);
  CHECK(RestartHarness::tasks_of(*a).at(0).first == nc::AttemptID{1000});
  h.engine.start_attempts_at(5);  // too late: ids already issued stay unique
  h.request(a, 1);
  CHECK(RestartHarness::tasks_of(*a).at(1).first == nc::AttemptID{1001});
  // An id below the start was never issued by this run: a forgery, not a duplicate.
  h.engine.on_message(a, earlier_result(nc::AttemptID{7}, 0));
  CHECK(h.engine.summary().dropped == 1);
  CHECK(h.engine.summary().duplicates == 0);
}
