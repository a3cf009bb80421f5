// The server engine as a state machine: fake links, a clock the test moves, no threads.
#include <catch2/catch.hpp>

#include "core/server_engine.hpp"
#include "engine_harness.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;
using test::RecordingLink;

using Harness = test::EngineHarness<test::SquareServer>;
using test::fast_config;

TEST_CASE("a node registers and receives its id, the heartbeat and the initial data",
          "[server_engine]") {
  Harness h;
  auto link = h.join("a");
  const auto welcomes = link->all<Welcome>();
  REQUIRE(welcomes.size() == 1);
  CHECK(welcomes[0].node == nc::NodeID{1});
  CHECK(welcomes[0].fresh);
  CHECK(welcomes[0].heartbeat_ms == 100);
  REQUIRE(welcomes[0].initial_data.has_value());
  CHECK(nc::from_bytes<std::string>(*welcomes[0].initial_data) == "hello");
  CHECK(h.observer.joined == 1);
  auto second = h.join("b");
  CHECK(second->all<Welcome>().at(0).node == nc::NodeID{2});
}

TEST_CASE("requests are answered in one batch, each task with its own attempt id",
          "[server_engine]") {
  Harness h;
  auto link = h.join("a");
  h.request(link, 3);
  const auto batches = link->all<Tasks>();
  REQUIRE(batches.size() == 1);
  const auto tasks = Harness::tasks_of(*link);
  REQUIRE(tasks.size() == 3);
  CHECK(tasks[0].second == 0);
  CHECK(tasks[1].second == 1);
  CHECK(tasks[2].second == 2);
  CHECK(tasks[0].first != tasks[1].first);
  CHECK(tasks[1].first != tasks[2].first);
}

TEST_CASE("a result is processed and the node's next request is served with it",
          "[server_engine]") {
  Harness h;
  auto link = h.join("a");
  h.request(link, 1);
  const auto first = Harness::tasks_of(*link).at(0);
  h.answer(link, first.first, first.second, 1);
  CHECK(h.server.results_seen == 1);
  const auto batches = link->all<Tasks>();
  REQUIRE(batches.size() == 2);
  CHECK(batches[1].results_seen == 1);  // the node learns its result arrived
  CHECK(nc::from_bytes<std::uint64_t>(batches[1].items.at(0).payload) == 1);
}

TEST_CASE("Waiting holds a request until a lost node's work comes back", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 2});
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 2);
  h.request(b, 1);
  CHECK(Harness::tasks_of(*a).size() == 2);
  CHECK(Harness::tasks_of(*b).empty());  // all work is out: b waits, nothing is sent

  // a falls silent; b keeps its heartbeat.
  for (int i = 0; i < 6; ++i) {
    h.clock.advance(100ms);
    h.heartbeat(b);
    h.engine.on_tick();
  }
  REQUIRE(h.server.lost.size() == 1);
  CHECK(h.server.lost[0] == std::vector<nc::NodeID>{nc::NodeID{1}});
  CHECK(a->closed);
  const auto b_tasks = Harness::tasks_of(*b);
  REQUIRE(b_tasks.size() == 1);  // the held request was answered at once with a's chunk
  CHECK(b_tasks[0].second == 0);

  for (int i = 0; i < 10; ++i) {  // a loss is reported once
    h.clock.advance(100ms);
    h.heartbeat(b);
    h.engine.on_tick();
  }
  CHECK(h.server.lost.size() == 1);
  CHECK(h.observer.lost == 1);
}

TEST_CASE("a late result from a lost node counts; the duplicate that follows is dropped",
          "[server_engine]") {
  Harness h(test::Knobs{.chunks = 1});
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 1);
  const auto a_task = Harness::tasks_of(*a).at(0);
  h.engine.on_link_closed(a,
                          "connection reset");  // a's connection drops: its chunk is free at once
  REQUIRE(h.server.lost.size() == 1);
  h.request(b, 1);
  const auto b_task = Harness::tasks_of(*b).at(0);
  CHECK(b_task.second == a_task.second);
  CHECK(b_task.first != a_task.first);  // a new attempt for the same chunk

  auto a_again = h.join("a again", nc::NodeID{1});  // a comes back and delivers its result
  CHECK(a_again->all<Welcome>().at(0).fresh == false);
  h.answer(a_again, a_task.first, a_task.second, 1);
  CHECK(h.server.duplicates == 0);
  CHECK(h.engine.done());  // that was the last chunk
  CHECK(h.server.finished == 1);
  h.answer(b, b_task.first, b_task.second);  // after the end: ignored
  CHECK(h.server.finished == 1);
  CHECK(h.server.all_squares_right());
}

TEST_CASE("a duplicate result while the job runs is dropped, never counted twice",
          "[server_engine]") {
  auto config = fast_config();
  config.max_copies = 2;
  Harness h(test::Knobs{.chunks = 3}, config);
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = Harness::tasks_of(*a).at(0);
  h.answer(a, task.first, task.second);
  h.answer(a, task.first, task.second);  // the same result again (a resend after a reconnection)
  CHECK(h.server.results_seen == 1);     // the engine knows the attempt was answered
  CHECK(h.engine.summary().duplicates == 1);
  CHECK(h.server.progress().done == 1);
}

TEST_CASE("finish_job runs once and every node is told to finish", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 2});
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 1);
  h.request(b, 1);
  const auto ta = Harness::tasks_of(*a).at(0);
  const auto tb = Harness::tasks_of(*b).at(0);
  h.answer(a, ta.first, ta.second, 1);
  CHECK_FALSE(h.engine.done());
  h.answer(b, tb.first, tb.second, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
  CHECK(h.server.finished == 1);
  CHECK(a->got<Finish>());
  CHECK(b->got<Finish>());
  CHECK(h.observer.finished == 1);
  CHECK(h.observer.summary.ok);
  CHECK(h.observer.summary.results == 2);
  h.engine.on_tick();
  h.request(a, 1);
  CHECK(h.server.finished == 1);
  auto late = h.join("late");  // a node that arrives after the end is sent away
  CHECK(late->got<Finish>());
}

TEST_CASE("a server method that throws ends the job with a message naming it", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 2, .server_throws_in_prepare = true});
  auto a = h.join("a");
  h.request(a, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  const auto aborts = a->all<Abort>();
  REQUIRE(aborts.size() == 1);
  CHECK_THAT(aborts[0].reason, Catch::Contains("prepare_data_for_node") &&
                                   Catch::Contains("node 1") &&
                                   Catch::Contains("prepare is broken"));
  CHECK(h.server.finished == 0);
}

TEST_CASE("finish_job that throws makes the run fail", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 1, .server_throws_in_finish = true});
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = Harness::tasks_of(*a).at(0);
  h.answer(a, task.first, task.second, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure,
             Catch::Contains("finish_job") && Catch::Contains("disk full"));
}

TEST_CASE("a node whose code throws ends the job, naming the node and the chunk",
          "[server_engine]") {
  Harness h(test::Knobs{.chunks = 4});
  auto a = h.join("a");
  h.request(a, 2);
  const auto task = Harness::tasks_of(*a).at(1);
  h.engine.on_message(a, TaskFailed{task.first, "cannot square 1"});
  CHECK(h.engine.exit_status() == nc::exit_failed);
  const auto reason = a->all<Abort>().at(0).reason;
  CHECK_THAT(reason, Catch::Contains("node 1") && Catch::Contains("chunk 1") &&
                         Catch::Contains("cannot square 1"));
}

TEST_CASE("a TaskFailed for a task its sender was not given ends nothing", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 4});
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 1);
  const auto task = Harness::tasks_of(*a).at(0);
  h.engine.on_message(b, TaskFailed{task.first, "forged: a's task"});
  h.engine.on_message(b, TaskFailed{nc::AttemptID{999}, "forged: never handed out"});
  CHECK_FALSE(h.engine.done());
  CHECK(b->all<Abort>().empty());
}

TEST_CASE("messages before registering, from strangers or another job are refused",
          "[server_engine]") {
  Harness h;
  auto stranger = std::make_shared<RecordingLink>("stranger");
  h.engine.on_message(stranger, Request{5});
  CHECK(stranger->closed);
  CHECK(stranger->sent.empty());

  auto wrong_job = std::make_shared<RecordingLink>("other job");
  Hello hello;
  hello.job = "raytrace";
  h.engine.on_message(wrong_job, hello);
  REQUIRE(wrong_job->got<Reject>());
  CHECK_THAT(wrong_job->all<Reject>()[0].reason,
             Catch::Contains("raytrace") && Catch::Contains("square"));
  CHECK(wrong_job->closed);

  auto old_protocol = std::make_shared<RecordingLink>("old");
  hello.job = "square";
  hello.protocol = 99;
  h.engine.on_message(old_protocol, hello);
  CHECK(old_protocol->got<Reject>());

  auto impostor = h.join("impostor");
  h.engine.on_message(impostor, Finish{});  // only a server sends that
  CHECK(impostor->closed);
  CHECK_FALSE(h.engine.done());
  CHECK(h.observer.joined == 1);
}

TEST_CASE("a node that reconnects keeps its id; its old work is handed out again",
          "[server_engine]") {
  Harness h(test::Knobs{.chunks = 5});
  auto first = h.join("first connection");
  h.request(first, 2);
  h.engine.on_link_closed(first, "connection reset");  // a live id is not handed over
  auto second = h.join("second connection", nc::NodeID{1});
  const auto welcome = second->all<Welcome>().at(0);
  CHECK(welcome.node == nc::NodeID{1});
  CHECK_FALSE(welcome.fresh);
  CHECK_FALSE(welcome.initial_data.has_value());
  REQUIRE(h.server.lost.size() == 1);  // what it had in flight may be lost: handed out again
  h.request(second, 2);
  const auto tasks = Harness::tasks_of(*second);
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[0].second == 0);
  CHECK(tasks[1].second == 1);
}

TEST_CASE(
    "after a stall of the server's own thread nobody is judged before their messages are read",
    "[server_engine]") {
  Harness h;
  auto a = h.join("a");
  h.clock.advance(2s);  // the loop was busy; a's heartbeats are still unread
  h.engine.on_tick();
  CHECK(h.server.lost.empty());
  h.clock.advance(100ms);  // the next regular tick: a really said nothing
  h.engine.on_tick();
  CHECK(h.server.lost.size() == 1);
}

TEST_CASE("a chunk that took max_attempts nodes with it fails the job instead of poisoning more",
          "[server_engine]") {
  auto config = fast_config();
  config.max_attempts = 2;
  Harness h(test::Knobs{.chunks = 1}, config);
  for (int i = 0; i < 2; ++i) {
    auto node = h.join("victim " + std::to_string(i));
    h.request(node, 1);
    REQUIRE(Harness::tasks_of(*node).size() == 1);
    h.engine.on_link_closed(node, "killed");
  }
  CHECK_FALSE(h.engine.done());
  auto survivor = h.join("survivor");
  h.request(survivor, 1);
  CHECK(Harness::tasks_of(*survivor).empty());  // the failed chunk is not handed out again
  CHECK(h.engine.done());                       // every chunk is done or failed: the job ends
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure, Catch::Contains("1 of 1 chunks failed"));
}

TEST_CASE("interrupting stops the job with the interrupted status and tells the nodes",
          "[server_engine]") {
  Harness h;
  auto a = h.join("a");
  h.engine.interrupt("SIGTERM");
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_interrupted);
  CHECK(a->got<Abort>());
  CHECK(h.server.finished == 0);
}

TEST_CASE("the statistics name every node and the chunk counts", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 3});
  auto a = h.join("host \"a\"");
  h.request(a, 1);
  const auto json = status_json(h.engine.status());
  CHECK_THAT(json, Catch::Contains(R"("total":3)") && Catch::Contains(R"("processing":1)") &&
                       Catch::Contains(R"(host \"a\")") && Catch::Contains(R"("state":"running")"));
}

namespace {
nc::Configuration pausing_after(std::uint64_t tasks) {
  auto config = fast_config();
  config.pause_after_tasks = tasks;
  return config;
}
}  // namespace

TEST_CASE("a pause holds the hand-out at its limit until it is released", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 6}, pausing_after(3));
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 2);
  h.request(b, 2);
  CHECK(Harness::tasks_of(*a).size() == 2);
  CHECK(Harness::tasks_of(*b).size() == 1);  // the third task, then the limit
  CHECK(h.engine.paused());
  CHECK(h.engine.summary().tasks_sent == 3);
  CHECK(h.engine.tasks_in_flight() == 3);

  for (int i = 0; i < 10; ++i) {  // time passing changes nothing
    h.clock.advance(100ms);
    h.heartbeat(a);
    h.heartbeat(b);
    h.engine.on_tick();
  }
  CHECK(Harness::tasks_of(*a).size() + Harness::tasks_of(*b).size() == 3);
  CHECK(h.server.lost.empty());  // a node held by the pause is not lost: it still talks

  h.engine.on_link_closed(a, "killed");  // a lost node's tasks are no longer in flight
  CHECK(h.engine.tasks_in_flight() == 1);
  CHECK(Harness::tasks_of(*b).size() == 1);  // and its chunks wait for the release too
  h.engine.release_pause();
  CHECK(Harness::tasks_of(*b).size() == 2);  // b's held request, with one of a's chunks
}

TEST_CASE("results that arrive during a pause are accepted, and no new task goes out",
          "[server_engine]") {
  Harness h(test::Knobs{.chunks = 4}, pausing_after(2));
  auto a = h.join("a");
  h.request(a, 2);
  const auto tasks = Harness::tasks_of(*a);
  REQUIRE(tasks.size() == 2);
  h.answer(a, tasks[0].first, tasks[0].second, 1);
  CHECK(h.engine.tasks_in_flight() == 1);
  h.answer(a, tasks[1].first, tasks[1].second, 1);
  CHECK(h.engine.tasks_in_flight() == 0);  // the job is quiet: nothing changes until the release
  CHECK(h.server.results_seen == 2);
  CHECK(h.server.progress().done == 2);
  CHECK(Harness::tasks_of(*a).size() == 2);
  CHECK(h.engine.paused());
  CHECK_FALSE(h.engine.done());
}

TEST_CASE("releasing a pause serves the held nodes, oldest first, and the job finishes",
          "[server_engine]") {
  Harness h(test::Knobs{.chunks = 4}, pausing_after(1));
  auto a = h.join("a");
  auto b = h.join("b");
  h.request(a, 1);
  h.request(b, 1);
  h.request(a, 1);
  REQUIRE(Harness::tasks_of(*a).size() == 1);
  REQUIRE(Harness::tasks_of(*b).empty());

  h.engine.release_pause();
  CHECK_FALSE(h.engine.paused());
  const auto b_tasks = Harness::tasks_of(*b);
  REQUIRE(b_tasks.size() == 1);  // b asked first: it is served first
  CHECK(b_tasks[0].second == 1);
  REQUIRE(Harness::tasks_of(*a).size() == 2);

  // The rest of the job runs as without a pause: every task answered, each answer asking for
  // one more, until the job ends.
  std::size_t answered_a = 0;
  std::size_t answered_b = 0;
  for (int round = 0; round < 10 && !h.engine.done(); ++round) {
    for (auto [link, answered] : {std::pair{a, &answered_a}, std::pair{b, &answered_b}}) {
      const auto tasks = Harness::tasks_of(*link);
      for (; *answered < tasks.size() && !h.engine.done(); ++*answered)
        h.answer(link, tasks[*answered].first, tasks[*answered].second, 1);
    }
  }
  CHECK(h.engine.done());
  CHECK(h.engine.summary().tasks_sent == 4);
  CHECK(h.engine.exit_status() == nc::exit_ok);
  CHECK(h.server.all_squares_right());
  h.engine.release_pause();  // a late release does nothing
  CHECK(h.server.finished == 1);
}

TEST_CASE("a release before the limit cancels the pause; a limit of the whole job is no pause",
          "[server_engine]") {
  SECTION("released early") {
    Harness h(test::Knobs{.chunks = 4}, pausing_after(2));
    auto a = h.join("a");
    h.engine.release_pause();
    h.request(a, 4);
    CHECK(Harness::tasks_of(*a).size() == 4);
    CHECK_FALSE(h.engine.paused());
  }
  SECTION("every chunk answered at the limit: the job finishes without a release") {
    Harness h(test::Knobs{.chunks = 2}, pausing_after(2));
    auto a = h.join("a");
    h.request(a, 2);
    const auto tasks = Harness::tasks_of(*a);
    REQUIRE(tasks.size() == 2);
    h.answer(a, tasks[0].first, tasks[0].second);
    h.answer(a, tasks[1].first, tasks[1].second, 1);
    CHECK(h.engine.done());
    CHECK(h.engine.exit_status() == nc::exit_ok);
  }
}

TEST_CASE("a paused job can still be interrupted", "[server_engine]") {
  Harness h(test::Knobs{.chunks = 4}, pausing_after(0));
  auto a = h.join("a");
  h.request(a, 2);
  CHECK(Harness::tasks_of(*a).empty());
  CHECK(h.engine.paused());
  h.engine.interrupt("SIGTERM");
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_interrupted);
  CHECK(a->got<Abort>());
}

TEST_CASE("a hello with an oversized field is refused before it registers", "[server_engine]") {
  Harness h;
  auto link = std::make_shared<RecordingLink>("big");
  Hello hello;
  hello.job = "square";
  hello.host = std::string(100000, 'x');
  h.engine.on_message(link, hello);
  REQUIRE(link->got<Reject>());
  CHECK_THAT(link->all<Reject>().at(0).reason, Catch::Contains("host name of 100000 bytes"));
  CHECK(link->closed);
  auto threads = std::make_shared<RecordingLink>("threads");
  Hello many;
  many.job = "square";
  many.threads = 1u << 30;
  h.engine.on_message(threads, many);
  CHECK(threads->got<Reject>());
  CHECK(h.observer.joined == 0);
}
