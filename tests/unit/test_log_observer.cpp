// The server's log stays small however many nodes come and go: joins and losses within a
// budget, and a summary table of the busiest nodes with one line for the rest.
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <string>

#include "captured_log.hpp"
#include "observers/log_observer.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using test::CapturedLog;

nc::NodeInfo observed_node(std::uint64_t id) {
  nc::NodeInfo node;
  node.id = nc::NodeID{id};
  node.address = "10.0.0.1:" + std::to_string(id);
  node.threads = 1;
  return node;
}

}  // namespace

TEST_CASE("joins and losses are logged up to a budget, and the rest counted", "[log_observer]") {
  CapturedLog log;
  test::ManualClock clock;
  nc::detail::LogObserver observer(0s, clock.function());
  const std::size_t nodes = 5 * nc::detail::LogObserver::kNodeLines;
  for (std::uint64_t id = 1; id <= nodes; ++id) {
    observer.on_node_joined(observed_node(id), false);
    observer.on_node_lost(observed_node(id), "connection closed");
  }
  CHECK(log.lines_with("joined at") + log.lines_with("is lost") ==
        nc::detail::LogObserver::kNodeLines);
  nc::JobSummary summary;
  summary.ok = true;
  observer.on_job_finished(summary);
  CHECK_THAT(log.text(),
             Catch::Contains(std::to_string(2 * nodes - nc::detail::LogObserver::kNodeLines) +
                             " similar line(s) about nodes were not logged"));
  clock.advance(10s);  // a new window writes again
  observer.on_node_joined(observed_node(nodes + 1), false);
  CHECK(log.lines_with("node " + std::to_string(nodes + 1) + " joined") == 1);
}

TEST_CASE("the summary table shows the busiest nodes and sums up the others", "[log_observer]") {
  CapturedLog log;
  nc::detail::LogObserver observer(0s);
  nc::JobSummary summary;
  summary.ok = true;
  const std::size_t rows = nc::detail::LogObserver::kTableRows;
  for (std::uint64_t id = 1; id <= 3 * rows; ++id) {
    nc::NodeStatistics node;
    node.info = observed_node(id);
    node.results = id <= rows ? 0 : 100 + id;  // the last 2 x rows did the work
    node.times_lost = id <= rows ? 1 : 0;
    summary.nodes.push_back(node);
  }
  observer.on_job_finished(summary);
  CHECK(log.lines_with("10.0.0.1:") == rows);
  CHECK(log.lines_with("10.0.0.1:" + std::to_string(3 * rows)) == 1);  // the busiest is shown
  CHECK(log.lines_starting("  1 ") == 0);  // one of the idle ones is summed up
  CHECK(log.lines_starting("  others ") == 1);
  CHECK_THAT(log.text(), Catch::Contains(std::to_string(2 * rows) + " more node(s)"));
}

TEST_CASE("the rate and the ETA count from the first node, not from the server's start",
          "[log_observer]") {
  CapturedLog log;
  test::ManualClock clock;
  nc::detail::LogObserver observer(5s, clock.function());
  observer.on_job_started("square");
  // A resumed run: 40 of 100 chunks restored, then a minute in the batch queue before a node.
  observer.on_progress(nc::JobProgress{100, 40, 0, 0});
  clock.advance(60s);
  observer.on_progress(nc::JobProgress{100, 40, 0, 0});
  CHECK(log.lines_with("progress: 40/100 chunks (40.0%), 0.0 chunks/s, ETA ?, 0 nodes alive") == 1);
  observer.on_node_joined(observed_node(1), false);
  clock.advance(10s);  // 20 chunks in 10 s: 2 per second, 40 left
  observer.on_progress(nc::JobProgress{100, 60, 0, 2});
  CHECK(log.lines_with("progress: 60/100 chunks (60.0%), 2.0 chunks/s, ETA 20 s, 1 nodes alive") ==
        1);
}

TEST_CASE("progress lines keep coming while nothing moves", "[log_observer]") {
  CapturedLog log;
  test::ManualClock clock;
  nc::detail::LogObserver observer(5s, clock.function());
  observer.on_job_started("square");
  observer.on_node_joined(observed_node(1), false);
  for (int second = 1; second <= 20; ++second) {  // the engine reports once a second
    clock.advance(1s);
    observer.on_progress(nc::JobProgress{100, 10, 0, 1});
  }
  CHECK(log.lines_with("progress: 10/100 chunks") == 4);
}

TEST_CASE("the summary counts the chunks computed again, whatever sent them back",
          "[log_observer]") {
  CapturedLog log;
  nc::detail::LogObserver observer(0s);
  nc::JobSummary summary;
  summary.ok = true;
  summary.nodes.push_back(nc::NodeStatistics{});
  summary.refused = 2;
  summary.task_failures = 1;
  summary.dropped = 4;
  observer.on_job_finished(summary);
  CHECK(log.lines_with("2 result(s) refused and 1 task(s) failed on their node") == 1);
  CHECK(log.lines_with("4 result(s) dropped") == 1);
  CHECK(log.lines_with("node(s) lost during the job") == 0);
}
