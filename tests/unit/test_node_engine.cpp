// The node engine with a real worker pool and a link that records what it sends.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "captured_log.hpp"
#include "core/node_engine.hpp"
#include "test_support.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;

namespace {

class RecordingNodeLink final : public NodeLink {
 public:
  void send_bytes(Outgoing&& out) override { sent.push_back(decode(std::move(out.bytes))); }
  template <class M>
  std::vector<M> all() const {
    std::vector<M> out;
    for (const auto& m : sent) {
      if (const auto* typed = std::get_if<M>(&m)) out.push_back(*typed);
    }
    return out;
  }
  std::vector<Message> sent;
};

// Workers signal here; the test thread plays the event loop.
struct Signal {
  std::mutex mutex;
  std::condition_variable cv;
  int count = 0;
  void raise() {
    std::lock_guard lock(mutex);
    ++count;
    cv.notify_all();
  }
  bool wait(int at_least, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, limit, [&] { return count >= at_least; });
  }
};

struct NodeHarness {
  explicit NodeHarness(unsigned threads = 1, bool keep_results = false) {
    config.threads = threads;
    pool = std::make_unique<WorkerPool>(make_node_factory<test::SquareNode>(), threads,
                                        [this] { signal.raise(); });
    engine = std::make_unique<NodeEngine>("square", config, *pool, keep_results, clock.function());
  }
  void welcome(nc::NodeID id = nc::NodeID{4}, bool fresh = true, std::uint64_t results_seen = 0,
               std::uint64_t instance = 0xaa, std::uint64_t token = 0xbb) {
    Welcome w;
    w.node = id;
    w.instance = instance;
    w.token = token;
    w.heartbeat_ms = 250;
    w.fresh = fresh;
    w.results_seen = results_seen;
    if (fresh) w.initial_data = nc::to_bytes(std::string("hello"));
    engine->on_message(w);
  }
  void tasks(std::vector<std::uint64_t> chunks, std::uint64_t results_seen = 0) {
    Tasks t;
    t.results_seen = results_seen;
    for (auto chunk : chunks)
      t.items.push_back(TaskItem{nc::AttemptID{100 + chunk}, std::nullopt, nc::to_bytes(chunk)});
    engine->on_message(t);
  }
  /// Waits until `count` results (or failures) came out of the workers and hands them over.
  void collect(std::size_t count) {
    std::size_t seen = 0;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (seen < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
      const auto before = link.sent.size();
      engine->on_worker_outputs();
      for (auto i = before; i < link.sent.size(); ++i) {
        if (auto* r = std::get_if<Results>(&link.sent[i])) seen += r->items.size();
        if (std::holds_alternative<TaskFailed>(link.sent[i])) ++seen;
      }
    }
    REQUIRE(seen == count);
  }

  nc::Configuration config;
  test::ManualClock clock;
  Signal signal;
  RecordingNodeLink link;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<NodeEngine> engine;
};

}  // namespace

TEST_CASE("a node says hello with its job, threads and no old id", "[node_engine]") {
  NodeHarness h(3);
  h.engine->connected(h.link);
  const auto hellos = h.link.all<Hello>();
  REQUIRE(hellos.size() == 1);
  CHECK(hellos[0].job == "square");
  CHECK(hellos[0].threads == 3);
  CHECK(hellos[0].previous == nc::NodeID{0});
  CHECK(hellos[0].pid != 0);
}

TEST_CASE("after the welcome a node asks for two tasks per worker thread", "[node_engine]") {
  NodeHarness h(3);
  h.engine->connected(h.link);
  h.engine->on_tick();
  CHECK(h.link.all<Heartbeat>().empty());  // no heartbeats before registering
  h.welcome();
  const auto requests = h.link.all<Request>();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].count == 6);
  CHECK(h.engine->id() == nc::NodeID{4});
  CHECK(h.engine->heartbeat_interval() == 250ms);
  h.engine->on_tick();
  CHECK(h.link.all<Heartbeat>().size() == 1);
}

TEST_CASE("tasks are computed by the workers and their results go back with the next request",
          "[node_engine]") {
  NodeHarness h(2);
  h.engine->connected(h.link);
  h.welcome();
  h.tasks({2, 3, 5});
  h.collect(3);
  std::map<std::uint64_t, std::uint64_t> squares;
  std::uint32_t asked = 0;
  for (const auto& results : h.link.all<Results>()) {
    asked += results.more;
    for (const auto& item : results.items) {
      const auto [chunk, square] =
          nc::from_bytes<std::pair<std::uint64_t, std::uint64_t>>(item.payload);
      CHECK(item.attempt == nc::AttemptID{100 + chunk});
      squares[chunk] = square;
    }
  }
  CHECK(squares == std::map<std::uint64_t, std::uint64_t>{{2, 4}, {3, 9}, {5, 25}});
  CHECK(asked > 0);  // results double as requests for more
}

TEST_CASE("finish makes the node say goodbye and end with status 0", "[node_engine]") {
  NodeHarness h;
  h.engine->connected(h.link);
  h.welcome();
  h.engine->on_message(Finish{});
  CHECK(h.engine->done());
  CHECK(h.engine->exit_status() == nc::exit_ok);
  CHECK(h.link.all<Bye>().size() == 1);
}

TEST_CASE("abort and reject end the node with a failure that repeats the server's reason",
          "[node_engine]") {
  NodeHarness h;
  h.engine->connected(h.link);
  h.engine->on_message(Reject{"the server runs job 'mandel'"});
  CHECK(h.engine->exit_status() == nc::exit_failed);
  CHECK_THAT(h.engine->reason(), Catch::Contains("refused") && Catch::Contains("mandel"));

  NodeHarness g;
  g.engine->connected(g.link);
  g.welcome();
  g.engine->on_message(Abort{"node 2 failed on chunk 3"});
  CHECK(g.engine->exit_status() == nc::exit_failed);
  CHECK_THAT(g.engine->reason(), Catch::Contains("node 2 failed on chunk 3"));
}

TEST_CASE("a task the user's code throws on is reported with its message", "[node_engine]") {
  test::SquareNode::throws_on = 7;
  NodeHarness h;
  h.engine->connected(h.link);
  h.welcome();
  h.tasks({7});
  h.collect(1);
  test::SquareNode::throws_on.reset();
  const auto failures = h.link.all<TaskFailed>();
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].attempt == nc::AttemptID{107});
  CHECK_THAT(failures[0].what, Catch::Contains("cannot square 7"));
}

TEST_CASE("after a reconnection the node comes back under its id and resends unconfirmed results",
          "[node_engine]") {
  NodeHarness h(1, true);
  RecordingNodeLink first;
  h.engine->connected(first);
  h.welcome(nc::NodeID{9});
  h.engine->on_message(
      Tasks{0, {TaskItem{nc::AttemptID{1}, std::nullopt, nc::to_bytes(std::uint64_t{6})}}});
  // The result is computed while the connection is down.
  h.engine->disconnected();
  h.signal.wait(1);
  h.engine->on_worker_outputs();
  CHECK(first.all<Results>().empty());

  h.engine->connected(h.link);
  const auto hello = h.link.all<Hello>().at(0);
  CHECK(hello.previous == nc::NodeID{9});
  CHECK(hello.instance == 0xaa);  // the run that gave the id, and the proof that it is ours
  CHECK(hello.token == 0xbb);
  h.welcome(nc::NodeID{9}, false, 0);  // the server has seen none of its results
  const auto resent = h.link.all<Results>();
  REQUIRE(resent.size() == 1);
  REQUIRE(resent[0].items.size() == 1);
  CHECK(resent[0].items[0].attempt == nc::AttemptID{1});

  // Once the server confirms it, a further reconnection sends nothing again.
  h.tasks({}, 1);
  RecordingNodeLink third;
  h.engine->connected(third);
  h.welcome(nc::NodeID{9}, false, 1);
  CHECK(third.all<Results>().empty());
}

TEST_CASE("a new server run takes the node afresh: its earlier results go to it, renumbered",
          "[node_engine]") {
  NodeHarness h(1, true);
  RecordingNodeLink first;
  h.engine->connected(first);
  h.welcome(nc::NodeID{9}, true, 0, 0x111, 0x222);
  h.engine->on_message(
      Tasks{0, {TaskItem{nc::AttemptID{50}, nc::ChunkID{6}, nc::to_bytes(std::uint64_t{6})}}});
  h.engine->disconnected();  // the server is killed
  h.signal.wait(1);
  h.engine->on_worker_outputs();

  h.engine->connected(h.link);
  const auto hello = h.link.all<Hello>().at(0);
  CHECK(hello.instance == 0x111);
  CHECK(hello.token == 0x222);
  // The next run gives a new id (it may even be the old number) and a token of its own.
  h.welcome(nc::NodeID{9}, true, 0, 0x333, 0x444);
  const auto resent = h.link.all<Results>();
  REQUIRE(resent.size() == 1);
  REQUIRE(resent[0].items.size() == 1);
  CHECK(resent[0].items[0].attempt == nc::AttemptID{50});
  CHECK(resent[0].items[0].chunk == nc::ChunkID{6});
  // Numbered from 1 for the new run: its first confirmation frees it.
  h.tasks({}, 1);
  RecordingNodeLink third;
  h.engine->connected(third);
  CHECK(third.all<Hello>().at(0).instance == 0x333);
  CHECK(third.all<Hello>().at(0).token == 0x444);
  h.welcome(nc::NodeID{9}, false, 1, 0x333, 0x444);
  CHECK(third.all<Results>().empty());
}

TEST_CASE("short tasks make the node ask further ahead, up to max_prefetch per thread",
          "[node_engine]") {
  NodeHarness h(1);
  h.config.max_prefetch = 8;
  h.engine->connected(h.link);
  h.welcome();
  CHECK(h.engine->target() == 2);
  // Round trips of 10 ms, tasks that take (almost) nothing: deeper prefetch.
  h.clock.advance(10ms);
  h.tasks({1, 2});
  h.collect(2);
  CHECK(h.engine->target() == 9);  // 1 running + 8 ahead
}

TEST_CASE("bytes from the server are decoded by the engine; malformed ones are only logged",
          "[node_engine]") {
  test::CapturedLog log;
  NodeHarness h(1);
  h.engine->connected(h.link);
  h.engine->on_bytes(nc::Bytes{std::byte{0xff}});
  CHECK(log.lines_with("the server sent a malformed message") == 1);
  CHECK_FALSE(h.engine->done());
  Welcome w;
  w.node = nc::NodeID{4};
  w.heartbeat_ms = 250;
  w.fresh = true;
  w.initial_data = nc::to_bytes(std::string("hello"));
  h.engine->on_bytes(encode(Message(std::move(w))));
  CHECK(h.engine->id() == nc::NodeID{4});
  h.engine->on_bytes(encode(Message(Finish{})));
  CHECK(h.engine->done());
}
