// A job whose chunk state the engine keeps (use_chunks): results bound to the attempts handed
// out, duplicates and refusals handled before the job sees them, losses and failures counted.
#include <catch2/catch.hpp>

#include "engine_harness.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;
using test::RecordingLink;

namespace {

using KeptHarness = test::EngineHarness<test::KeptSquareServer>;

Results one_result(nc::AttemptID attempt, std::uint64_t label, nc::Bytes payload,
                   std::uint32_t more = 0) {
  Results results;
  results.more = more;
  results.items.push_back(ResultItem{attempt, nc::ChunkID{label}, 10, std::move(payload)});
  return results;
}

nc::Bytes square_of(std::uint64_t n) {
  return nc::to_bytes(std::pair<std::uint64_t, std::uint64_t>{n, n * n});
}

nc::Configuration config_with(unsigned max_attempts, unsigned max_copies = 1) {
  nc::Configuration config = test::fast_config();
  config.max_attempts = max_attempts;
  config.max_copies = max_copies;
  return config;
}

}  // namespace

TEST_CASE("the engine hands out the chunks, tells the job each result's chunk once, and ends",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 3});
  auto a = h.join("a");
  h.request(a, 3);
  const auto tasks = KeptHarness::tasks_of(*a);
  REQUIRE(tasks.size() == 3);
  CHECK(h.adapter.progress().processing == 3);
  for (const auto& [attempt, chunk] : tasks)
    h.answer(a, attempt, chunk, 1);
  CHECK(h.server.processed == std::vector<std::uint64_t>{0, 1, 2});
  CHECK(h.server.finished == 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
  CHECK(h.engine.summary().progress.done == 3);
  CHECK(h.observer.results == 3);
}

TEST_CASE("a second result for a done chunk never reaches the job", "[engine_chunks]") {
  nc::Configuration config = config_with(3, 2);
  KeptHarness h(test::Knobs{.chunks = 2}, config);
  auto a = h.join("a");
  h.request(a, 1);
  const auto first = KeptHarness::tasks_of(*a).at(0);
  h.answer(a, first.first, first.second);  // chunk 0 done; sets the mean chunk time
  h.request(a, 1);
  const auto slow = KeptHarness::tasks_of(*a).at(1);  // chunk 1 on a
  auto b = h.join("b");
  h.clock.advance(100ms);  // longer than twice the mean (0): chunk 1 is a straggler
  h.heartbeat(a);
  h.request(b, 1);
  const auto copy = KeptHarness::tasks_of(*b).at(0);
  REQUIRE(copy.second == slow.second);  // a speculative copy of chunk 1
  h.answer(b, copy.first, copy.second);
  h.answer(a, slow.first, slow.second);  // the original, too late
  CHECK(h.server.processed == std::vector<std::uint64_t>{0, 1});
  CHECK(h.engine.summary().duplicates == 1);
}

TEST_CASE("a result for an attempt its sender was not given is dropped, whatever its label",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 2});
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 1);
  const auto task = KeptHarness::tasks_of(*a).at(0);
  // b answers a's attempt, then an attempt nobody was given, both with good squares.
  h.engine.on_message(b, one_result(task.first, task.second, square_of(task.second)));
  h.engine.on_message(b, one_result(nc::AttemptID{999}, 1, square_of(1)));
  CHECK(h.server.processed.empty());
  CHECK(h.engine.summary().dropped == 2);
  CHECK(h.adapter.progress().done == 0);
  h.answer(a, task.first, task.second);  // a's own answer still counts
  CHECK(h.server.processed == std::vector<std::uint64_t>{task.second});
}

TEST_CASE("the chunk of a task is the server's record, not the label its result carries",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 4});
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = KeptHarness::tasks_of(*a).at(0);
  // The right square of chunk 0, labelled chunk 3: the job sees chunk 0.
  h.engine.on_message(a, one_result(task.first, 3, square_of(task.second)));
  CHECK(h.server.processed == std::vector<std::uint64_t>{task.second});
  CHECK(h.server.chunk_state().state(nc::ChunkID{3}) == nc::ChunkState::free);
}

TEST_CASE("a refused result costs its sender: the chunk is handed out again, the job goes on",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 2}, config_with(3));
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = KeptHarness::tasks_of(*a).at(0);
  h.engine.on_message(a, one_result(task.first, task.second, square_of(task.second + 1), 1));
  CHECK_FALSE(h.engine.done());
  CHECK(h.engine.summary().refused == 1);
  CHECK(h.server.processed.empty());
  const auto next = KeptHarness::tasks_of(*a).at(1);
  CHECK(next.second != task.second);  // fresh work first, not the chunk it spoiled
  h.answer(a, next.first, next.second, 1);
  const auto again = KeptHarness::tasks_of(*a).at(2);
  CHECK(again.second == task.second);  // alone, it gets the chunk back once nothing else is left
  h.answer(a, again.first, again.second);
  CHECK(h.server.processed == std::vector<std::uint64_t>{next.second, task.second});
}

TEST_CASE("a result that does not decode is refused like a wrong one", "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 1});
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = KeptHarness::tasks_of(*a).at(0);
  h.engine.on_message(a, one_result(task.first, task.second, nc::Bytes(3, std::byte{7}), 1));
  CHECK_FALSE(h.engine.done());
  CHECK(h.engine.summary().refused == 1);
  REQUIRE(KeptHarness::tasks_of(*a).size() == 2);
  CHECK(KeptHarness::tasks_of(*a).at(1).second == task.second);
}

TEST_CASE("a chunk refused max_attempts times fails, and observers are told which",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 3, .refuse_chunk = 1}, config_with(2));
  auto a = h.join("a");
  h.request(a, 1);
  const auto proven = KeptHarness::tasks_of(*a).back();
  REQUIRE(proven.second == 0);
  h.answer(a, proven.first, proven.second, 1);  // its work is accepted: its failures count
  const auto first = KeptHarness::tasks_of(*a).back();
  REQUIRE(first.second == 1);
  h.engine.on_message(a, one_result(first.first, first.second, square_of(1), 1));
  const auto other = KeptHarness::tasks_of(*a).back();
  REQUIRE(other.second == 2);  // fresh work before the refused chunk
  h.answer(a, other.first, other.second, 1);
  const auto second = KeptHarness::tasks_of(*a).back();
  REQUIRE(second.second == 1);  // then, alone, the refused chunk again
  h.engine.on_message(a, one_result(second.first, second.second, square_of(1), 1));
  REQUIRE(h.observer.failed == std::vector<nc::ChunkID>{nc::ChunkID{1}});
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK(h.engine.summary().progress.failed == 1);
  CHECK(h.engine.summary().refused == 2);
}

TEST_CASE("the failures of a node that never had work accepted cost uncounted attempts",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 2}, config_with(1));
  for (int id = 0; id < 5; ++id) {  // fresh ids, one after the other, each failing chunk 0
    auto fresh = h.join("fresh " + std::to_string(id));
    h.request(fresh, 1);
    const auto task = KeptHarness::tasks_of(*fresh).at(0);
    REQUIRE(task.second == 0);
    h.engine.on_message(fresh, TaskFailed{task.first, "pretends to fail"});
    h.engine.on_link_closed(fresh, "gone");
  }
  CHECK(h.observer.failed.empty());  // with max_attempts 1, one counted failure would fail it
  auto honest = h.join("honest");
  h.request(honest, 2);
  for (const auto& [attempt, chunk] : KeptHarness::tasks_of(*honest))
    h.answer(honest, attempt, chunk, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
}

TEST_CASE("a lost node's chunks go to others; the job is told of the loss", "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 2});
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 2);
  h.request(b, 1);  // nothing free: b waits
  CHECK(KeptHarness::tasks_of(*b).empty());
  h.engine.on_link_closed(a, "killed");
  CHECK(h.server.lost.size() == 1);
  CHECK(KeptHarness::tasks_of(*b).size() == 1);
  CHECK(h.adapter.progress().processing == 1);
}

TEST_CASE("a chunk whose holders are lost max_attempts times is failed and reported",
          "[engine_chunks]") {
  // Each node has returned work before (a loss counts only for such a node).
  KeptHarness h(test::Knobs{.chunks = 3}, config_with(2));
  auto n0 = h.join("n0");
  auto n1 = h.join("n1");
  for (const auto& node : {n0, n1}) {
    h.request(node, 1);
    const auto task = KeptHarness::tasks_of(*node).at(0);
    h.answer(node, task.first, task.second);
  }
  for (const auto& node : {n0, n1}) {
    h.request(node, 1);
    REQUIRE(KeptHarness::tasks_of(*node).back().second == 2);
    h.engine.on_link_closed(node, "killed");
  }
  CHECK(h.observer.failed == std::vector<nc::ChunkID>{nc::ChunkID{2}});
  CHECK(h.server.chunk_state().state(nc::ChunkID{2}) == nc::ChunkState::failed);
}

TEST_CASE("a late result from a lost node is bound by its attempt and still counts",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 2});
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = KeptHarness::tasks_of(*a).at(0);
  for (int i = 0; i < 4; ++i) {  // a is silent past the timeout
    h.clock.advance(200ms);
    h.engine.on_tick();
  }
  REQUIRE(h.observer.lost == 1);
  h.engine.on_message(a, one_result(task.first, 1, square_of(task.second)));
  CHECK(h.server.processed == std::vector<std::uint64_t>{task.second});
}

TEST_CASE("any other exception from process_data_from_node ends the job", "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 2, .server_throws_in_process = true});
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = KeptHarness::tasks_of(*a).at(0);
  h.answer(a, task.first, task.second);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure, Catch::Contains("process is broken"));
}

TEST_CASE("a checkpoint's results are replayed once; a refused one is computed again",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 3});
  h.engine.replay(nc::ChunkID{0}, square_of(0));
  h.engine.replay(nc::ChunkID{0}, square_of(0));                // twice in a damaged file
  h.engine.replay(nc::ChunkID{1}, square_of(5));                // wrong
  h.engine.replay(nc::ChunkID{9}, square_of(9));                // not a chunk of this job
  h.engine.replay(nc::ChunkID{2}, nc::Bytes(2, std::byte{1}));  // does not decode
  CHECK(h.server.processed == std::vector<std::uint64_t>{0});
  auto a = h.join("a");
  h.request(a, 3);
  const auto tasks = KeptHarness::tasks_of(*a);
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[0].second == 1);
  CHECK(tasks[1].second == 2);
}

TEST_CASE("a kernel that throws costs its chunk one attempt, and the job goes on",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 2}, config_with(3));
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = KeptHarness::tasks_of(*a).at(0);
  h.engine.on_message(a, TaskFailed{task.first, "out of memory"});
  CHECK_FALSE(h.engine.done());
  CHECK(h.engine.summary().task_failures == 1);
  h.request(a, 1);
  const auto next = KeptHarness::tasks_of(*a).at(1);
  CHECK(next.second != task.second);  // fresh work first
  h.answer(a, next.first, next.second, 1);
  const auto again = KeptHarness::tasks_of(*a).at(2);
  CHECK(again.second == task.second);  // handed out again
  h.answer(a, again.first, again.second);
  CHECK(h.server.processed == std::vector<std::uint64_t>{next.second, task.second});
  h.engine.on_message(a, TaskFailed{task.first, "again"});  // already answered: nothing
  CHECK(h.engine.summary().task_failures == 1);
}

TEST_CASE("a chunk whose kernel throws on every attempt fails the job, naming each reason",
          "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 3}, config_with(2));
  auto a = h.join("a");
  auto b = h.join("b");
  for (const auto& node : {a, b}) {  // each has work accepted first: its failures count
    h.request(node, 1);
    const auto task = KeptHarness::tasks_of(*node).back();
    h.answer(node, task.first, task.second);
  }
  h.request(a, 1);
  const auto on_a = KeptHarness::tasks_of(*a).back();
  REQUIRE(on_a.second == 2);
  h.engine.on_message(a, TaskFailed{on_a.first, "division by zero"});
  h.request(b, 1);
  const auto on_b = KeptHarness::tasks_of(*b).back();
  REQUIRE(on_b.second == 2);  // the chunk a failed goes to b
  h.engine.on_message(b, TaskFailed{on_b.first, "division by zero"});
  REQUIRE(h.observer.failed == std::vector<nc::ChunkID>{nc::ChunkID{2}});
  h.request(a, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure, Catch::Contains("1 of 3 chunks failed") &&
                                             Catch::Contains("chunk 2") &&
                                             Catch::Contains("node 1 failed: division by zero") &&
                                             Catch::Contains("node 2 failed: division by zero"));
}

TEST_CASE("a node asking for everything gets what its threads may prefetch, no more",
          "[engine_chunks]") {
  nc::Configuration config = test::fast_config();
  config.max_prefetch = 4;  // a thread may hold 1 + 4 tasks
  KeptHarness h(test::Knobs{.chunks = 100}, config);
  auto hoarder = h.join("hoarder");
  h.request(hoarder, ~std::uint32_t{0});
  CHECK(KeptHarness::tasks_of(*hoarder).size() == 5);
  h.request(hoarder, 1000);  // holding its share already: nothing more
  CHECK(KeptHarness::tasks_of(*hoarder).size() == 5);
  auto honest = h.join("honest");
  h.request(honest, 2);
  CHECK(KeptHarness::tasks_of(*honest).size() == 2);  // the rest of the job is still free
  const auto first = KeptHarness::tasks_of(*hoarder).at(0);
  h.answer(hoarder, first.first, first.second, 1000);  // one answered: one more, not 1000
  CHECK(KeptHarness::tasks_of(*hoarder).size() == 6);
}

TEST_CASE("the engine reports progress every second while no result arrives", "[engine_chunks]") {
  KeptHarness h(test::Knobs{.chunks = 4});
  auto a = h.join("a");
  h.request(a, 1);  // and holds on to it, heartbeating
  const int before = h.observer.progress_reports;
  for (int tick = 0; tick < 30; ++tick) {  // 3 s of ticks, 100 ms apart
    h.clock.advance(100ms);
    h.heartbeat(a);
    h.engine.on_tick();
  }
  CHECK(h.observer.progress_reports - before == 3);
}
