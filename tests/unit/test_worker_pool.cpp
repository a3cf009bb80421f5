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

// Remembers which threads ran tasks, and can hold a task up.
struct SlowTypes {
  using Task = std::uint32_t;  // milliseconds to sleep
  using Result = std::uint64_t;
};
struct SlowNode : nc::Node<SlowTypes> {
  static inline std::mutex mutex;
  static inline std::set<std::thread::id> threads;
  std::uint64_t process_data_from_server(const std::uint32_t& ms) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
    return ms;
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
  WorkerPool pool(make_node_factory<SlowNode>(), 3, [&] { ++ready_calls; });
  pool.push({TaskItem{nc::AttemptID{1}, std::nullopt,
                      nc::to_bytes(std::uint32_t{30})}});  // no initial data yet: waits
  std::this_thread::sleep_for(20ms);
  CHECK(pool.take_outputs().empty());
  pool.set_initial(nc::NodeID{1}, std::nullopt);
  for (std::uint64_t i = 2; i <= 6; ++i)
    pool.push({TaskItem{nc::AttemptID{i}, std::nullopt, nc::to_bytes(std::uint32_t{30})}});
  const auto outputs = gather(pool, 6);
  REQUIRE(outputs.size() == 6);
  std::set<std::uint64_t> attempts;
  for (const auto& out : outputs) {
    CHECK_FALSE(out.error);
    CHECK(out.compute >= 25ms);
    attempts.insert(out.attempt.value());
  }
  CHECK(attempts.size() == 6);
  CHECK(SlowNode::threads.size() >= 2);  // several workers took part
  CHECK(ready_calls > 0);
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
  WorkerPool busy(make_node_factory<SlowNode>(), 1, [] {});
  busy.set_initial(nc::NodeID{1}, std::nullopt);
  busy.push({TaskItem{nc::AttemptID{1}, std::nullopt, nc::to_bytes(std::uint32_t{400})}});
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(busy.join_for(20ms));
  // The destructor still joins once the task ends.
}
