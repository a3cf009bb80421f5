// The engine as the one endpoint of every transport: it decodes what a link received, applies
// one policy to malformed bytes, and bids farewell to links it never saw register.
#include <catch2/catch.hpp>

#include "captured_log.hpp"
#include "engine_harness.hpp"

using Harness = test::EngineHarness<test::SquareServer>;
using namespace nc::detail;
using nc::Bytes;

namespace {

Bytes hello_bytes() {
  Hello hello;
  hello.job = "square";
  return encode(Message(std::move(hello)));
}

}  // namespace

TEST_CASE("bytes a link received are decoded and served by the engine", "[engine][endpoint]") {
  Harness h;
  auto link = std::make_shared<test::RecordingLink>("node");
  h.engine.on_bytes(link, hello_bytes());
  REQUIRE(link->got<Welcome>());
  h.engine.on_bytes(link, encode(Message(Request{2})));
  CHECK(Harness::tasks_of(*link).size() == 2);
  CHECK_FALSE(link->closed);
}

TEST_CASE("a malformed message closes its link, logged, and the job goes on",
          "[engine][endpoint]") {
  test::CapturedLog log;
  Harness h;
  auto honest = h.join("honest");
  auto bad = h.join("bad");
  Bytes cut = encode(Message(Request{1}));
  cut.pop_back();  // a Request one byte short
  h.engine.on_bytes(bad, std::move(cut));
  CHECK(bad->closed);
  CHECK(bad->close_reason.find("a malformed message") == 0);
  CHECK(log.lines_with("bad sent a malformed message") == 1);
  CHECK_FALSE(honest->closed);
  h.request(honest, 1);
  CHECK(Harness::tasks_of(*honest).size() == 1);
  CHECK_FALSE(h.engine.done());

  // Bytes that are not a message at all, before any Hello: the same.
  auto stranger = std::make_shared<test::RecordingLink>("stranger");
  h.engine.on_bytes(stranger, Bytes{std::byte{0xff}, std::byte{0}});
  CHECK(stranger->closed);
  CHECK(stranger->sent.empty());
}

TEST_CASE("the farewell keeps its reason and interrupted flag on every link, once",
          "[engine][endpoint]") {
  Harness h;
  auto registered = h.join("node");
  auto never_registered = std::make_shared<test::RecordingLink>("rank 7");
  CHECK_FALSE(never_registered->told_farewell());
  h.engine.bid_farewell(never_registered);  // the job runs: nothing to bid yet
  CHECK(never_registered->sent.empty());

  h.engine.interrupt("SIGTERM");
  REQUIRE(h.engine.done());
  REQUIRE(registered->all<Abort>().size() == 1);
  CHECK(registered->all<Abort>().front().interrupted);
  CHECK(registered->told_farewell());

  h.engine.bid_farewell(registered);  // told already
  CHECK(registered->all<Abort>().size() == 1);
  h.engine.bid_farewell(never_registered);
  h.engine.bid_farewell(never_registered);
  REQUIRE(never_registered->all<Abort>().size() == 1);
  CHECK(never_registered->all<Abort>().front() == registered->all<Abort>().front());

  // A Hello after the end is answered with the same farewell.
  auto late = std::make_shared<test::RecordingLink>("late");
  h.engine.on_bytes(late, hello_bytes());
  REQUIRE(late->all<Abort>().size() == 1);
  CHECK(late->all<Abort>().front().interrupted);
}

TEST_CASE("a goodbye is noted on its link, also after the end", "[engine][endpoint]") {
  Harness h;
  auto node = h.join("node");
  auto silent = h.join("silent");
  h.engine.interrupt("SIGTERM");
  CHECK_FALSE(node->said_goodbye());
  h.engine.on_bytes(node, encode(Message(Bye{})));
  CHECK(node->said_goodbye());
  CHECK_FALSE(silent->said_goodbye());
}
