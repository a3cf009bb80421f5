// A node that sends bad results is quarantined: told why, dropped, its work handed to others at
// no cost to the chunks, its id refused. A kernel that throws is never the node's fault; a node
// that cannot start is quarantined at once.
#include <catch2/catch.hpp>

#include "engine_harness.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;
using test::RecordingLink;

namespace {

using QuarantineHarness = test::EngineHarness<test::KeptSquareServer>;

nc::Bytes quarantine_square(std::uint64_t n, std::uint64_t off = 0) {
  return nc::to_bytes(std::pair<std::uint64_t, std::uint64_t>{n, n * n + off});
}

void send_result(QuarantineHarness& h, const std::shared_ptr<RecordingLink>& link,
                 nc::AttemptID attempt, nc::Bytes payload, std::uint32_t more = 0) {
  Results results;
  results.more = more;
  results.items.push_back(ResultItem{attempt, std::nullopt, 10, std::move(payload)});
  h.engine.on_message(link, results);
}

nc::Configuration quarantine_config(unsigned after, unsigned max_attempts = 10) {
  nc::Configuration config = test::fast_config();
  config.quarantine_after = after;
  config.max_attempts = max_attempts;
  return config;
}

bool node_quarantined(const QuarantineHarness& h, nc::NodeID id) {
  for (const auto& node : h.engine.status().nodes) {
    if (node.stats.info.id == id) return node.stats.quarantined;
  }
  return false;
}

}  // namespace

TEST_CASE("a node with quarantine_after wrong results is told why, dropped and its work moved",
          "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 10}, quarantine_config(3));
  auto liar = h.join("liar");
  auto honest = h.join("honest");
  h.request(liar, 5);
  for (int lie = 0; lie < 2; ++lie) {
    const auto task = QuarantineHarness::tasks_of(*liar).at(lie);
    send_result(h, liar, task.first, quarantine_square(task.second, 1));
    CHECK_FALSE(liar->closed);  // two bad results: not yet
  }
  const auto third = QuarantineHarness::tasks_of(*liar).at(2);
  send_result(h, liar, third.first, quarantine_square(third.second, 1));
  REQUIRE(liar->closed);
  const auto reject = liar->all<Reject>();
  REQUIRE(reject.size() == 1);
  CHECK_THAT(reject[0].reason, Catch::Contains("quarantined") && Catch::Contains("3 bad results") &&
                                   Catch::Contains("not the square"));
  CHECK(h.engine.summary().quarantined == 1);
  CHECK(h.engine.status().quarantined == 1);
  CHECK(node_quarantined(h, nc::NodeID{1}));
  CHECK_THAT(status_json(h.engine.status()),
             Catch::Contains(R"("quarantined":1)") && Catch::Contains(R"("quarantined":true)"));
  // Every chunk it held or spoiled goes to the honest node; no chunk is failed by it.
  h.request(honest, 10);
  const auto tasks = QuarantineHarness::tasks_of(*honest);
  CHECK(tasks.size() == 10);
  for (const auto& [attempt, chunk] : tasks)
    h.answer(honest, attempt, chunk, 1);
  CHECK(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
  CHECK(h.server.processed.size() == 10);
}

TEST_CASE("what a node of an earlier server run resends is dropped without blame, up to a bound",
          "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 4}, quarantine_config(1));
  auto node = h.join_from_earlier_run("back after a server restart", nc::NodeID{3}, 77);
  // As much as it could hold (1 thread x (1 + 128)), and as much again, is forgiven.
  constexpr std::uint64_t kForgiven = 2 * 129;
  Results old;
  for (std::uint64_t attempt = 500; attempt < 500 + kForgiven; ++attempt)
    old.items.push_back(ResultItem{nc::AttemptID{attempt}, nc::ChunkID{attempt % 4}, 10,
                                   quarantine_square(attempt % 4)});
  h.engine.on_message(node, old);
  CHECK_FALSE(node->closed);
  CHECK(h.engine.summary().quarantined == 0);
  CHECK(h.engine.summary().dropped == kForgiven);
  send_result(h, node, nc::AttemptID{900}, quarantine_square(0));  // beyond that: its fault
  CHECK(node->closed);
  CHECK(h.engine.summary().quarantined == 1);
}

TEST_CASE("a node new to the server is forgiven nothing", "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 4}, quarantine_config(1));
  auto node = h.join("fresh");
  send_result(h, node, nc::AttemptID{500}, quarantine_square(0));
  CHECK(node->closed);
  CHECK(h.engine.summary().quarantined == 1);
}

TEST_CASE("a quarantined node's late results are ignored and its id is refused",
          "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 4}, quarantine_config(1));
  auto liar = h.join("liar");
  h.request(liar, 2);
  const auto tasks = QuarantineHarness::tasks_of(*liar);
  send_result(h, liar, tasks.at(0).first, quarantine_square(tasks.at(0).second, 7));
  REQUIRE(liar->closed);
  // What still arrives on its connection, even right, is not taken.
  send_result(h, liar, tasks.at(1).first, quarantine_square(tasks.at(1).second));
  CHECK(h.server.processed.empty());
  auto back = h.join("back again", nc::NodeID{1});
  CHECK(back->closed);
  REQUIRE(back->all<Reject>().size() == 1);
  CHECK_THAT(back->all<Reject>()[0].reason, Catch::Contains("node 1 is quarantined"));
  CHECK_FALSE(back->got<Welcome>());
}

TEST_CASE("results for tasks a node was not given count as bad results", "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 4}, quarantine_config(3));
  auto victim = h.join("victim");
  auto forger = h.join("forger");
  h.request(victim, 1);
  const auto task = QuarantineHarness::tasks_of(*victim).at(0);
  send_result(h, forger, nc::AttemptID{9997}, quarantine_square(3));  // never handed out
  CHECK(h.engine.summary().dropped == 1);
  send_result(h, forger, task.first, quarantine_square(task.second));  // the victim's attempt
  CHECK_FALSE(forger->closed);
  send_result(h, forger, nc::AttemptID{9998}, quarantine_square(2));
  CHECK(forger->closed);
  CHECK(h.engine.summary().quarantined == 1);
  CHECK_FALSE(victim->closed);
  h.answer(victim, task.first, task.second);  // the victim's own answer still counts
  CHECK(h.server.processed == std::vector<std::uint64_t>{task.second});
}

TEST_CASE("a kernel that throws never quarantines its node", "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 20}, quarantine_config(2, 100));
  auto unlucky = h.join("unlucky");
  h.request(unlucky, 1);
  for (int i = 0; i < 10; ++i) {
    const auto task = QuarantineHarness::tasks_of(*unlucky).back();
    h.engine.on_message(unlucky, TaskFailed{task.first, "out of memory"});
    h.request(unlucky, 1);
  }
  CHECK_FALSE(unlucky->closed);
  CHECK(h.engine.summary().quarantined == 0);
  CHECK(h.engine.summary().task_failures == 10);
  CHECK_FALSE(h.engine.done());
}

TEST_CASE("a node that cannot start is quarantined and the job goes on with the others",
          "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 3}, quarantine_config(3));
  auto stale = h.join("stale");
  auto good = h.join("good");
  h.request(stale, 2);
  h.engine.on_message(stale, TaskFailed{nc::AttemptID{0}, "input stream error"});
  REQUIRE(stale->closed);
  CHECK_THAT(stale->all<Reject>().at(0).reason,
             Catch::Contains("could not start") && Catch::Contains("input stream error"));
  CHECK_FALSE(h.engine.done());
  h.request(good, 3);
  for (const auto& [attempt, chunk] : QuarantineHarness::tasks_of(*good))
    h.answer(good, attempt, chunk, 1);
  REQUIRE(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
  CHECK(h.server.processed.size() == 3);
}

TEST_CASE("a fixed set of nodes, all quarantined, ends the job; a listener waits for more",
          "[engine_quarantine]") {
  const bool listening = GENERATE(false, true);
  QuarantineHarness h(test::Knobs{.chunks = 3}, quarantine_config(3));
  h.engine.expect_fixed_nodes(2);
  if (listening) h.engine.accept_new_nodes();
  auto a = h.join("a");
  auto b = h.join("b");
  h.engine.on_message(a, TaskFailed{nc::AttemptID{0}, "no such file: table.dat"});
  CHECK_FALSE(h.engine.done());
  h.engine.on_message(b, TaskFailed{nc::AttemptID{0}, "no such file: table.dat"});
  CHECK(h.engine.summary().quarantined == 2);
  if (listening) {
    CHECK_FALSE(h.engine.done());
  } else {
    REQUIRE(h.engine.done());
    CHECK(h.engine.exit_status() == nc::exit_failed);
    CHECK_THAT(h.engine.summary().failure, Catch::Contains("no node is left to work") &&
                                               Catch::Contains("all 2 were quarantined") &&
                                               Catch::Contains("table.dat"));
  }
}

TEST_CASE("fail-fast ends the job when a node cannot start", "[engine_quarantine]") {
  nc::Configuration config = quarantine_config(3);
  config.fail_fast = true;
  QuarantineHarness h(test::Knobs{.chunks = 3}, config);
  auto a = h.join("a");
  h.engine.on_message(a, TaskFailed{nc::AttemptID{0}, "bad initial data"});
  REQUIRE(h.engine.done());
  CHECK_THAT(h.engine.summary().failure,
             Catch::Contains("--fail-fast") && Catch::Contains("could not start"));
}

TEST_CASE("a quarantined MPI rank is left idle and still gets the final Finish",
          "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 2}, quarantine_config(1));
  auto rank1 = std::make_shared<RecordingLink>("rank 1");
  rank1->reachable = true;
  Hello hello;
  hello.job = "square";
  h.engine.on_message(rank1, hello);
  auto rank2 = h.join("rank 2");
  h.request(rank1, 1);
  const auto task = QuarantineHarness::tasks_of(*rank1).at(0);
  send_result(h, rank1, task.first, quarantine_square(task.second, 1), 1);
  CHECK(h.engine.summary().quarantined == 1);
  CHECK_FALSE(rank1->got<Reject>());
  h.request(rank1, 5);  // no longer served
  CHECK(QuarantineHarness::tasks_of(*rank1).size() == 1);
  h.request(rank2, 2);
  for (const auto& [attempt, chunk] : QuarantineHarness::tasks_of(*rank2))
    h.answer(rank2, attempt, chunk, 1);
  REQUIRE(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_ok);
  CHECK(rank1->got<Finish>());
}

TEST_CASE("with quarantine_after 0 nobody is quarantined", "[engine_quarantine]") {
  QuarantineHarness h(test::Knobs{.chunks = 3}, quarantine_config(0));
  auto liar = h.join("liar");
  h.request(liar, 1);
  for (int i = 0; i < 5; ++i) {
    const auto task = QuarantineHarness::tasks_of(*liar).back();
    send_result(h, liar, task.first, quarantine_square(task.second, 1), 1);
  }
  CHECK_FALSE(liar->closed);
  CHECK(h.engine.summary().refused == 5);
}

TEST_CASE("fail-fast ends the job at the first failed task, with its reason",
          "[engine_quarantine]") {
  nc::Configuration config = quarantine_config(3);
  config.fail_fast = true;
  QuarantineHarness h(test::Knobs{.chunks = 3}, config);
  auto a = h.join("a");
  h.request(a, 1);
  h.engine.on_message(a, TaskFailed{QuarantineHarness::tasks_of(*a).at(0).first, "NaN in row 4"});
  REQUIRE(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure, Catch::Contains("--fail-fast") &&
                                             Catch::Contains("chunk 0") &&
                                             Catch::Contains("NaN in row 4"));
  CHECK(a->got<Abort>());
}

TEST_CASE("fail-fast ends the job at the first refused result, with its reason",
          "[engine_quarantine]") {
  nc::Configuration config = quarantine_config(3);
  config.fail_fast = true;
  QuarantineHarness h(test::Knobs{.chunks = 3}, config);
  auto a = h.join("a");
  h.request(a, 1);
  const auto task = QuarantineHarness::tasks_of(*a).at(0);
  send_result(h, a, task.first, quarantine_square(task.second, 1));
  REQUIRE(h.engine.done());
  CHECK(h.engine.exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine.summary().failure,
             Catch::Contains("--fail-fast") && Catch::Contains("not the square of 0"));
}
