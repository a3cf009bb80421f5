// The server engine with a checkpoint: a result is confirmed to its node only once its record
// is durable (or it needs none), the farewell waits for the last records, and a checkpoint that
// cannot be written fails the job.
#include <catch2/catch.hpp>

#include <functional>
#include <utility>
#include <vector>

#include "engine_harness.hpp"

using namespace nc::detail;
using test::RecordingLink;

namespace {

using DurableHarness = test::EngineHarness<test::KeptSquareServer>;

// A recorder that keeps what it is given; the test says when records are durable.
struct HeldRecorder final : ResultRecorder {
  std::vector<std::uint64_t> chunks;
  int drains = 0;
  std::function<void()> on_drain;
  void record(nc::ChunkID chunk, Payload) override { chunks.push_back(chunk.value()); }
  void drain() override {
    ++drains;
    if (on_drain) on_drain();
  }
};

// The confirmation the link was last told, and whether that message carried no task.
std::pair<std::uint64_t, bool> last_confirmation(const RecordingLink& link) {
  const auto batches = link.all<Tasks>();
  if (batches.empty()) return {0, false};
  return {batches.back().results_seen, batches.back().items.empty()};
}

}  // namespace

TEST_CASE("a result is confirmed to its node once its record is durable, not when it arrives",
          "[server_engine][durable]") {
  DurableHarness h(test::Knobs{.chunks = 4});
  HeldRecorder recorder;
  h.engine.set_recorder(&recorder);
  auto a = h.join("a");
  h.request(a, 2);
  const auto tasks = DurableHarness::tasks_of(*a);
  h.answer(a, tasks[0].first, tasks[0].second, 1);
  CHECK(recorder.chunks == std::vector<std::uint64_t>{tasks[0].second});
  CHECK(last_confirmation(*a) ==
        std::pair<std::uint64_t, bool>{0, false});  // a task, no confirmation
  h.engine.on_records_durable(1);
  CHECK(last_confirmation(*a) ==
        std::pair<std::uint64_t, bool>{1, true});  // an empty Tasks says it
  const auto sent = a->sent.size();
  h.engine.on_records_durable(1);  // nothing new: nothing sent
  CHECK(a->sent.size() == sent);
}

TEST_CASE("a duplicate is not recorded again, and is confirmed behind the record before it",
          "[server_engine][durable]") {
  DurableHarness h(test::Knobs{.chunks = 4});
  HeldRecorder recorder;
  h.engine.set_recorder(&recorder);
  auto a = h.join("a");
  h.request(a, 2);
  const auto task = DurableHarness::tasks_of(*a).at(0);
  h.answer(a, task.first, task.second);
  h.answer(a, task.first, task.second);  // sent again: a duplicate
  CHECK(recorder.chunks.size() == 1);
  CHECK(h.engine.summary().duplicates == 1);
  CHECK(last_confirmation(*a).first == 0);
  h.engine.on_records_durable(1);
  CHECK(last_confirmation(*a) == std::pair<std::uint64_t, bool>{2, true});
}

TEST_CASE("a refused result needs no record, and is confirmed once the records before it are",
          "[server_engine][durable]") {
  DurableHarness h(test::Knobs{.chunks = 4, .refuse_chunk = 1});
  HeldRecorder recorder;
  h.engine.set_recorder(&recorder);
  auto a = h.join("a");
  h.request(a, 2);
  const auto tasks = DurableHarness::tasks_of(*a);
  REQUIRE(tasks[1].second == 1);
  h.answer(a, tasks[1].first, tasks[1].second);  // refused: no record, nothing before it
  CHECK(recorder.chunks.empty());
  CHECK(h.engine.summary().refused == 1);
  h.answer(a, tasks[0].first, tasks[0].second, 1);  // the task it asks for carries the count
  CHECK(last_confirmation(*a).first == 1);
  h.engine.on_records_durable(1);
  CHECK(last_confirmation(*a) == std::pair<std::uint64_t, bool>{2, true});
}

TEST_CASE("the job's end waits for the last records before the farewell and the output",
          "[server_engine][durable]") {
  DurableHarness h(test::Knobs{.chunks = 1});
  HeldRecorder recorder;
  h.engine.set_recorder(&recorder);
  auto a = h.join("a");
  bool farewell_before = true;
  bool output_before = true;
  recorder.on_drain = [&] {
    farewell_before = a->got<Finish>();
    output_before = h.server.finished != 0;
  };
  h.request(a, 1);
  const auto task = DurableHarness::tasks_of(*a).at(0);
  h.answer(a, task.first, task.second, 1);
  REQUIRE(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
  CHECK(recorder.drains == 1);
  CHECK_FALSE(farewell_before);
  CHECK_FALSE(output_before);
  CHECK(a->got<Finish>());
  CHECK(h.server.finished == 1);
}

TEST_CASE("a checkpoint that cannot be written fails the job and tells the nodes",
          "[server_engine][durable]") {
  DurableHarness h(test::Knobs{.chunks = 4});
  HeldRecorder recorder;
  h.engine.set_recorder(&recorder);
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = DurableHarness::tasks_of(*a).at(0);
  h.answer(a, task.first, task.second);
  h.engine.on_recording_failed(
      "writing the checkpoint x.checkpoint failed: No space left on device");
  REQUIRE(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure, Catch::Contains("No space left on device"));
  REQUIRE(a->got<Abort>());
  CHECK_THAT(a->all<Abort>().at(0).reason, Catch::Contains("x.checkpoint"));
  CHECK(h.server.finished == 0);  // no output from a job that failed
}

TEST_CASE(
    "a node that reconnects is told what is durable, and what it sends again is not recorded twice",
    "[server_engine][durable]") {
  DurableHarness h(test::Knobs{.chunks = 4});
  HeldRecorder recorder;
  h.engine.set_recorder(&recorder);
  auto a = h.join("a");
  h.request(a, 2);
  const auto tasks = DurableHarness::tasks_of(*a);
  h.answer(a, tasks[0].first, tasks[0].second);
  h.answer(a, tasks[1].first, tasks[1].second);
  h.engine.on_records_durable(1);
  CHECK(last_confirmation(*a).first == 1);
  h.engine.on_link_closed(a, "connection reset");
  auto back = h.join("a again", nc::NodeID{1});
  const auto welcomes = back->all<Welcome>();
  REQUIRE(welcomes.size() == 1);
  CHECK_FALSE(welcomes[0].fresh);
  CHECK(welcomes[0].results_seen == 1);             // the second result is not on record yet
  h.answer(back, tasks[1].first, tasks[1].second);  // so the node sends it again
  CHECK(recorder.chunks.size() == 2);
  CHECK(last_confirmation(*back).first == 0);
  h.engine.on_records_durable(2);
  CHECK(last_confirmation(*back) == std::pair<std::uint64_t, bool>{2, true});
}
