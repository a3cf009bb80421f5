#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "core/worker_pool.hpp"
#include "test_support.hpp"

using namespace nc::detail;
using namespace std::chrono_literals;

namespace {

// A task that takes at least the milliseconds it is given (its measured compute time is checked).
struct SlowTypes {
  using Task = std::uint32_t;  // milliseconds to sleep
  using Result = std::uint64_t;
};
struct SlowNode : nc::Node<SlowTypes> {
  std::uint64_t process_data_from_server(const std::uint32_t& ms) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
  }
};

// Tasks that say when they start and then run until the test opens the gate: a test sees a
// task running, or several at once, as an event rather than by waiting long enough.
struct GateTypes {
  using Task = std::uint32_t;
  using Result = std::uint64_t;
};
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  int running = 0;
  bool open = false;

  void reset() {
    std::lock_guard lock(mutex);
    running = 0;
    open = false;
  }
  /// True once `count` tasks run at the same time (false after 5 s).
  bool wait_running(int count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 5s, [&] { return running >= count; });
  }
  void let_go() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
};
struct GateNode : nc::Node<GateTypes> {
  static inline Gate gate;
  std::uint64_t process_data_from_server(const std::uint32_t& value) override {
    std::unique_lock lock(gate.mutex);
    ++gate.running;
    gate.changed.notify_all();
    gate.changed.wait(lock, [] { return gate.open; });
    --gate.running;
    return value;
  }
};

std::vector<WorkerOutput> gather(WorkerPool& pool, std::size_t count) {
  std::vector<WorkerOutput> all;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
    for (auto& out : pool.take_outputs())
      all.push_back(std::move(out));
    std::this_thread::sleep_for(1ms);
  }
  return all;
}

}  // namespace

TEST_CASE("worker threads share the queue and each runs tasks only after the initial data",
          "[worker_pool]") {
  std::atomic<int> ready_calls{0};
  // SquareNode fails any task that comes before its initial data.
  WorkerPool pool(make_node_factory<test::SquareNode>(), 3, [&] { ++ready_calls; });
  pool.push({TaskItem{nc::AttemptID{1}, std::nullopt, nc::to_bytes(std::uint64_t{1})}});
  pool.set_initial(nc::NodeID{1}, nc::to_bytes(std::string("hello")));
  for (std::uint64_t i = 2; i <= 6; ++i)
    pool.push({TaskItem{nc::AttemptID{i}, std::nullopt, nc::to_bytes(i)}});
  const auto outputs = gather(pool, 6);
  REQUIRE(outputs.size() == 6);
  std::set<std::uint64_t> attempts;
  for (const auto& out : outputs) {
    CHECK_FALSE(out.error);
    attempts.insert(out.attempt.value());
  }
  CHECK(attempts.size() == 6);
  CHECK(ready_calls > 0);
}

TEST_CASE("a worker measures the time its task took", "[worker_pool]") {
  WorkerPool pool(make_node_factory<SlowNode>(), 1, [] {});
  pool.set_initial(nc::NodeID{1}, std::nullopt);
  pool.push({TaskItem{nc::AttemptID{1}, std::nullopt, nc::to_bytes(std::uint32_t{30})}});
  const auto outputs = gather(pool, 1);
  REQUIRE(outputs.size() == 1);
  CHECK(outputs[0].compute >= 25ms);  // the task sleeps 30 ms: a lower bound on any machine
}

TEST_CASE("worker threads run tasks at the same time", "[worker_pool]") {
  GateNode::gate.reset();
  WorkerPool pool(make_node_factory<GateNode>(), 3, [] {});
  pool.set_initial(nc::NodeID{1}, std::nullopt);
  for (std::uint64_t i = 1; i <= 3; ++i)
    pool.push({TaskItem{nc::AttemptID{i}, std::nullopt, nc::to_bytes(std::uint32_t{7})}});
  CHECK(GateNode::gate.wait_running(3));  // each worker holds one task, none waits for another
  GateNode::gate.let_go();
  CHECK(gather(pool, 3).size() == 3);
}

TEST_CASE("a task that does not decode is reported, not run", "[worker_pool]") {
  WorkerPool pool(make_node_factory<SlowNode>(), 1, [] {});
  pool.set_initial(nc::NodeID{1}, std::nullopt);
  pool.push({TaskItem{nc::AttemptID{5}, std::nullopt, nc::Bytes{std::byte{1}}}});
  const auto outputs = gather(pool, 1);
  REQUIRE(outputs.size() == 1);
  REQUIRE(outputs[0].error);
  CHECK_THAT(*outputs[0].error, Catch::Contains("does not decode"));
}

TEST_CASE("initial data that the node rejects is reported once per worker", "[worker_pool]") {
  WorkerPool pool(make_node_factory<test::SquareNode>(), 2, [] {});
  pool.set_initial(nc::NodeID{1}, nc::to_bytes(std::string("wrong")));
  pool.push({TaskItem{nc::AttemptID{1}, std::nullopt, nc::to_bytes(std::uint64_t{2})},
             TaskItem{nc::AttemptID{2}, std::nullopt, nc::to_bytes(std::uint64_t{3})}});
  const auto outputs = gather(pool, 1);
  REQUIRE_FALSE(outputs.empty());
  CHECK(outputs[0].attempt == nc::AttemptID{0});
  CHECK_THAT(*outputs[0].error, Catch::Contains("initial data did not arrive"));
}

TEST_CASE("stopping waits for idle workers but not for one stuck in a long task", "[worker_pool]") {
  {
    WorkerPool idle(make_node_factory<SlowNode>(), 2, [] {});
    CHECK(idle.join_for(1s));
  }
  GateNode::gate.reset();
  WorkerPool busy(make_node_factory<GateNode>(), 1, [] {});
  busy.set_initial(nc::NodeID{1}, std::nullopt);
  busy.push({TaskItem{nc::AttemptID{1}, std::nullopt, nc::to_bytes(std::uint32_t{1})}});
  REQUIRE(GateNode::gate.wait_running(1));
  CHECK_FALSE(busy.join_for(20ms));
  GateNode::gate.let_go();  // the destructor joins once the task ends
}
