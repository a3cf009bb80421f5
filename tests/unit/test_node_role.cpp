// Every node process ends the same way, whatever its transport: the status of its engine, one
// line that says why, and an end of the process that does not wait for a stuck worker.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "captured_log.hpp"
#include "cli/node_role.hpp"
#include "core/message.hpp"
#include "core/node_link.hpp"
#include "node_crunch/exit_status.hpp"
#include "test_support.hpp"

namespace {

// A link that takes every message and delivers none.
struct DiscardingLink final : nc::detail::NodeLink {
  void send_bytes(nc::detail::Outgoing&&) override {}
};

// A transport that plays the server's part in one step: `script` runs once the loop runs.
class ScriptedTransport final : public nc::detail::NodeTransport {
 public:
  ScriptedTransport(nc::detail::NodeRuntime& runtime,
                    std::function<void(nc::detail::NodeEngine&, nc::detail::NodeLink&)> script)
      : runtime_(runtime), script_(std::move(script)) {}
  void start() override { script_(runtime_.engine(), link_); }
  void drain(std::function<void()> done) override {
    ++drains;
    done();
  }
  int drains = 0;

 private:
  nc::detail::NodeRuntime& runtime_;
  std::function<void(nc::detail::NodeEngine&, nc::detail::NodeLink&)> script_;
  DiscardingLink link_;
};

nc::detail::NodeFactory square_nodes() {
  return nc::detail::make_job_entry<test::SquareServer, test::SquareNode>("square", "squares")
      .node_factory;
}

// The server's part at the end of a job: the link comes up and Finish arrives.
void told_to_finish(nc::detail::NodeEngine& engine, nc::detail::NodeLink& link) {
  engine.connected(link);
  engine.on_message(nc::detail::Finish{});
}

}  // namespace

TEST_CASE("a node told the job is finished exits 0 and says so", "[node_role]") {
  test::CapturedLog log;
  const nc::Configuration config;
  nc::detail::NodeRuntime runtime(square_nodes(), "square", config, false);
  ScriptedTransport transport(runtime, told_to_finish);
  CHECK(nc::detail::run_node_role(runtime, transport) == nc::exit_ok);
  CHECK(transport.drains == 1);
  CHECK(log.lines_with("the job is done") == 1);
}

TEST_CASE("an MPI rank leaves the closing words to its server", "[node_role]") {
  test::CapturedLog log;
  const nc::Configuration config;
  nc::detail::NodeRuntime runtime(square_nodes(), "square", config, false);
  ScriptedTransport transport(runtime, told_to_finish);
  CHECK(nc::detail::run_node_role(runtime, transport, {.say_done = false}) == nc::exit_ok);
  CHECK(log.text().empty());
}

TEST_CASE("a node that cannot reach its server exits 1 with the reason", "[node_role]") {
  test::CapturedLog log;
  const nc::Configuration config;
  nc::detail::NodeRuntime runtime(square_nodes(), "square", config, true);
  ScriptedTransport transport(runtime, [](auto& engine, auto&) {
    engine.give_up("cannot reach the server at 10.0.0.1:7 after 3 tries");
  });
  CHECK(nc::detail::run_node_role(runtime, transport) == nc::exit_failed);
  CHECK(log.lines_with("cannot reach the server at 10.0.0.1:7 after 3 tries") == 1);
  CHECK(log.lines_with("the job is done") == 0);
}

TEST_CASE("a node stopped by a signal exits with the interrupted status", "[node_role]") {
  test::CapturedLog log;
  const nc::Configuration config;
  nc::detail::NodeRuntime runtime(square_nodes(), "square", config, true);
  ScriptedTransport transport(runtime, [](auto& engine, auto& link) {
    engine.connected(link);
    engine.interrupt("SIGTERM");
  });
  CHECK(nc::detail::run_node_role(runtime, transport) == nc::exit_interrupted);
  CHECK(log.lines_with("interrupted: SIGTERM") == 1);
}

TEST_CASE("a process with a stuck worker ends with its status, after its last step",
          "[node_role]") {
  int pipe_ends[2];
  REQUIRE(::pipe(pipe_ends) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_ends[0]);
    nc::detail::end_leaving_workers(nc::exit_interrupted,
                                    [fd = pipe_ends[1]] { (void)!::write(fd, "F", 1); });
  }
  ::close(pipe_ends[1]);
  char step = 0;
  CHECK(::read(pipe_ends[0], &step, 1) == 1);
  CHECK(step == 'F');
  ::close(pipe_ends[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == nc::exit_interrupted);
}
