#include <catch2/catch.hpp>

#include "cli/command_line.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

struct Args {
  explicit Args(std::vector<std::string> words) : storage(std::move(words)) {
    for (auto& word : storage)
      pointers.push_back(word.data());
  }
  int argc() { return static_cast<int>(pointers.size()); }
  char** argv() { return pointers.data(); }
  std::vector<std::string> storage;
  std::vector<char*> pointers;
};

std::vector<nc::detail::JobEntry> two_jobs() {
  std::vector<nc::detail::JobEntry> jobs;
  jobs.push_back(nc::detail::make_job_entry<test::SquareServer, test::SquareNode>(
      "square", "squares numbers"));
  jobs.push_back(
      nc::detail::make_job_entry<test::SquareServer, test::SquareNode>("cube", "another"));
  return jobs;
}

nc::detail::CommandLine parse(std::vector<std::string> words) {
  Args args(std::move(words));
  return nc::detail::parse_command_line(two_jobs(), args.argc(), args.argv());
}

// A job with options of each kind that can be out of range.
class RangedServer : public test::SquareServer {
 public:
  struct Options {
    std::uint32_t rows = 16;
    std::uint64_t cells = 1;
    std::int32_t level = 0;
    double share = 0.5;
    void declare(nc::OptionSet& o) {
      o.add("--rows", rows, "rows per chunk");
      o.add("--cells", cells, "cells");
      o.add("--level", level, "a level").range(0, 9);
      o.add("--share", share, "a share").range(0.0, 1.0);
    }
  };
  explicit RangedServer(const Options&) : SquareServer(test::Knobs{}) {}
};

nc::detail::CommandLine parse_ranged(std::vector<std::string> words) {
  std::vector<nc::detail::JobEntry> jobs;
  jobs.push_back(
      nc::detail::make_job_entry<RangedServer, test::SquareNode>("ranged", "has ranges"));
  Args args(std::move(words));
  return nc::detail::parse_command_line(jobs, args.argc(), args.argv());
}

std::string value_of(const nc::detail::CommandLine& command, const std::string& name) {
  for (const auto& [option, value] : command.config.job_parameters)
    if (option == name) return value;
  return "(absent)";
}

}  // namespace

TEST_CASE("the first argument picks the job; the default is the first job", "[command_line]") {
  CHECK(parse({"nc_job"}).job == 0);
  CHECK(parse({"nc_job", "cube"}).job == 1);
  CHECK(parse({"nc_job", "--threads", "2"}).job == 0);
  CHECK_THROWS_WITH(parse({"nc_job", "spiral"}),
                    Catch::Contains("unknown job 'spiral'") && Catch::Contains("square, cube"));
}

TEST_CASE("framework options fill the configuration", "[command_line]") {
  const auto command =
      parse({"nc_job", "square", "--heartbeat", "0.25", "--timeout", "2", "--threads", "4",
             "--max-attempts", "5", "--nodes", "3", "--listen", "127.0.0.1:0", "--quiet"});
  CHECK(command.config.heartbeat == 250ms);
  CHECK(command.config.timeout == 2000ms);
  CHECK(command.config.threads == 4);
  CHECK(command.config.max_attempts == 5);
  CHECK(command.config.local_nodes == 3);
  CHECK(command.config.listen == "127.0.0.1:0");
  CHECK(command.config.log_level == "warn");
  CHECK(command.config.chunk_policy().max_attempts == 5);
}

TEST_CASE("bad values are refused with a message that says which option", "[command_line]") {
  CHECK_THROWS_WITH(parse({"nc_job", "--timeout", "0.5", "--heartbeat", "1"}),
                    Catch::Contains("--timeout"));
  CHECK_THROWS_WITH(parse({"nc_job", "--heartbeat", "-1"}), Catch::Contains("--heartbeat"));
  CHECK_THROWS_WITH(parse({"nc_job", "--threads", "0"}), Catch::Contains("--threads"));
  CHECK_THROWS_WITH(parse({"nc_job", "--max-frame-bytes", "-1"}),
                    Catch::Contains("--max-frame-bytes") && Catch::Contains("not -1"));
  CHECK_THROWS_WITH(parse({"nc_job", "--mpi-piece-bytes", "4294967296"}),
                    Catch::Contains("--mpi-piece-bytes"));
  CHECK_THROWS_WITH(parse({"nc_job", "--log-level", "loud"}), Catch::Contains("--log-level"));
  CHECK_THROWS_WITH(parse({"nc_job", "--no-such-option"}),
                    Catch::Contains("--no-such-option") && Catch::Contains("--help"));
  CHECK_THROWS_WITH(parse({"nc_job", "--server", "--connect", "h:1"}), Catch::Contains("exclude"));
  CHECK_THROWS_AS(parse({"nc_job", "--threads", "many"}), nc::UsageError);
}

TEST_CASE("a job's unsigned option refuses a negative value instead of wrapping it",
          "[command_line]") {
  CHECK_THROWS_WITH(parse_ranged({"nc_job", "--rows", "-1"}),
                    Catch::Contains("--rows") && Catch::Contains("0 or more, not -1"));
  CHECK_THROWS_WITH(parse_ranged({"nc_job", "--cells", "-5"}),
                    Catch::Contains("--cells") && Catch::Contains("0 or more, not -5"));
  CHECK_THROWS_AS(parse_ranged({"nc_job", "--cells", " -5"}), nc::UsageError);
  const auto command = parse_ranged({"nc_job", "--rows", "0", "--cells", "18446744073709551615"});
  CHECK(value_of(command, "--rows") == "0");
  CHECK(value_of(command, "--cells") == "18446744073709551615");
}

TEST_CASE("a job's option with a range refuses values outside it, naming the range",
          "[command_line]") {
  CHECK_THROWS_WITH(parse_ranged({"nc_job", "--level", "10"}),
                    Catch::Contains("--level") && Catch::Contains("0 to 9"));
  CHECK_THROWS_WITH(parse_ranged({"nc_job", "--level", "-1"}), Catch::Contains("--level"));
  CHECK_THROWS_WITH(parse_ranged({"nc_job", "--share", "1.5"}), Catch::Contains("--share"));
  const auto command = parse_ranged({"nc_job", "--level", "9", "--share", "0"});
  CHECK(value_of(command, "--level") == "9");
  CHECK(value_of(command, "--share") == "0");
}

TEST_CASE("--help and --list are answered without running anything", "[command_line]") {
  const auto help = parse({"nc_job", "square", "--help"});
  CHECK(help.exit_now);
  CHECK(help.exit_status == 0);
  CHECK(parse({"nc_job", "--list"}).list);
}

TEST_CASE("a pause after a number of tasks is for the server only, a whole number",
          "[command_line]") {
  CHECK_FALSE(parse({"nc_job"}).config.pause_after_tasks.has_value());
  CHECK(parse({"nc_job", "--pause-after-tasks", "12"}).config.pause_after_tasks == 12u);
  CHECK(parse({"nc_job", "--pause-after-tasks", "0"}).config.pause_after_tasks == 0u);
  CHECK_THROWS_WITH(parse({"nc_job", "--pause-after-tasks", "-3"}),
                    Catch::Contains("--pause-after-tasks"));
  for (const char* nonsense : {"few", "2.5", "", "99999999999999999999999"}) {
    CHECK_THROWS_WITH(parse({"nc_job", "--pause-after-tasks", nonsense}),
                      Catch::Contains("--pause-after-tasks"));
  }
  CHECK_THROWS_WITH(parse({"nc_job", "--pause-after-tasks", "3", "--connect", "h:1"}),
                    Catch::Contains("--pause-after-tasks"));
}

TEST_CASE("a bad node's options: quarantine, fail-fast and the first straggler deadline",
          "[command_line]") {
  const auto defaults = parse({"nc_job"}).config;
  CHECK(defaults.quarantine_after == 3);
  CHECK_FALSE(defaults.fail_fast);
  CHECK(defaults.straggler_deadline == 0ms);
  const auto set =
      parse({"nc_job", "--quarantine-after", "5", "--fail-fast", "--straggler-deadline", "1.5"})
          .config;
  CHECK(set.quarantine_after == 5);
  CHECK(set.fail_fast);
  CHECK(set.straggler_deadline == 1500ms);
  CHECK(set.chunk_policy().first_straggler_after == 1500ms);
  CHECK_THROWS_WITH(parse({"nc_job", "--straggler-deadline", "-1"}),
                    Catch::Contains("--straggler-deadline"));
}
