// Whole programs in one process (server and nodes as threads), through the same entry point
// as nc_job: the job completes, and every kind of failure ends it with the failure status.
#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace {

int run_square(std::vector<std::string> words, test::Knobs knobs = {}) {
  test::run_knobs = knobs;
  test::last_run_correct = false;
  std::vector<char*> argv;
  for (auto& word : words)
    argv.push_back(word.data());
  std::vector<nc::detail::JobEntry> jobs;
  jobs.push_back(
      nc::detail::make_job_entry<test::SquareServer, test::SquareNode>("square", "squares"));
  const int status =
      nc::detail::run_main(std::move(jobs), static_cast<int>(argv.size()), argv.data());
  test::run_knobs = {};
  return status;
}

}  // namespace

TEST_CASE("a job run alone computes every chunk once and exits 0", "[local_run]") {
  CHECK(run_square({"square", "--nodes", "3", "--threads", "2", "--chunks", "500", "--log-level",
                    "warn"}) == nc::exit_ok);
  CHECK(test::last_run_correct);
}

TEST_CASE("a node's exception fails the run instead of hanging it", "[local_run]") {
  test::SquareNode::throws_on = 17;
  const int status = run_square({"square", "--nodes", "2", "--chunks", "40", "--log-level", "off"});
  test::SquareNode::throws_on.reset();
  CHECK(status == nc::exit_failed);
}

TEST_CASE("a server method that throws fails the run", "[local_run]") {
  test::Knobs broken_process;
  broken_process.server_throws_in_process = true;
  CHECK(run_square({"square", "--nodes", "2", "--log-level", "off"}, broken_process) ==
        nc::exit_failed);
  test::Knobs broken_finish;
  broken_finish.server_throws_in_finish = true;
  CHECK(run_square({"square", "--nodes", "2", "--log-level", "off"}, broken_finish) ==
        nc::exit_failed);
}

TEST_CASE("a bad command line exits with the usage status", "[local_run]") {
  CHECK(run_square({"square", "--threads", "zero"}) == nc::exit_usage);
  CHECK(run_square({"square", "--help"}) == nc::exit_ok);
}

namespace {

/// Counts what a job's own observer is told.
struct TallyObserver final : nc::Observer {
  static inline int results = 0;
  static inline int finished = 0;
  static inline std::size_t done_at_end = 0;
  void on_result(nc::NodeID, nc::AttemptID, std::optional<nc::ChunkID>) override { ++results; }
  void on_job_finished(const nc::JobSummary& summary) override {
    ++finished;
    done_at_end = summary.progress.done;
  }
};

class ObservedSquareServer : public test::KeptSquareServer {
 public:
  using KeptSquareServer::KeptSquareServer;
  explicit ObservedSquareServer(const Options& options, const nc::Configuration& config = {})
      : KeptSquareServer(options, config) {
    add_observer(std::make_shared<TallyObserver>());
  }
};

}  // namespace

TEST_CASE("a job's own observer sees every accepted result and the end", "[local_run]") {
  TallyObserver::results = 0;
  TallyObserver::finished = 0;
  std::vector<std::string> words{"square", "--nodes", "2", "--chunks", "64", "--log-level", "warn"};
  std::vector<char*> argv;
  for (auto& word : words)
    argv.push_back(word.data());
  std::vector<nc::detail::JobEntry> jobs;
  jobs.push_back(
      nc::detail::make_job_entry<ObservedSquareServer, test::SquareNode>("square", "squares"));
  CHECK(nc::detail::run_main(std::move(jobs), static_cast<int>(argv.size()), argv.data()) ==
        nc::exit_ok);
  CHECK(TallyObserver::results == 64);
  CHECK(TallyObserver::finished == 1);
  CHECK(TallyObserver::done_at_end == 64);
}
