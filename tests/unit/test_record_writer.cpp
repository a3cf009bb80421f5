// The writer thread behind the checkpoint: batches, durability reported in order, a full queue
// that holds the submitter back, and a sink that fails.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/record_writer.hpp"
#include "node_crunch/error.hpp"

using namespace nc::detail;

namespace {

// A sink the test can hold inside commit(), and that remembers what it was given.
class GatedSink final : public RecordSink {
 public:
  void append(nc::ChunkID chunk, nc::ByteSpan result) override {
    std::lock_guard lock(mutex_);
    chunks.push_back(chunk.value());
    data.push_back(result.data());
    ++pending_;
  }
  void commit() override {
    std::unique_lock lock(mutex_);
    batches.push_back(pending_);
    pending_ = 0;
    ++in_commit_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    if (fail_with) throw nc::IoError(*fail_with);
  }
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  /// Waits (bounded) until commit() has been entered `count` times.
  bool wait_for_commits(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return in_commit_ >= count; });
  }
  std::vector<std::size_t> batches_seen() {
    std::lock_guard lock(mutex_);
    return batches;
  }

  std::vector<std::uint64_t> chunks;
  std::vector<const std::byte*> data;
  std::vector<std::size_t> batches;
  std::optional<std::string> fail_with;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  int in_commit_ = 0;
  std::size_t pending_ = 0;
};

// What the writer thread reported.
struct Reports {
  std::mutex mutex;
  std::vector<std::uint64_t> durable;
  std::vector<std::string> failures;
  RecordWriter::OnDurable on_durable() {
    return [this](std::uint64_t n) {
      std::lock_guard lock(mutex);
      durable.push_back(n);
    };
  }
  RecordWriter::OnFailure on_failure() {
    return [this](const std::string& error) {
      std::lock_guard lock(mutex);
      failures.push_back(error);
    };
  }
};

Payload bytes_of(std::uint8_t value, std::size_t size = 4) {
  return Payload(nc::Bytes(size, std::byte{value}));
}

}  // namespace

TEST_CASE("records queued while a batch is written go together in the next one, reported in order",
          "[record_writer]") {
  GatedSink sink;
  Reports reports;
  sink.hold();
  RecordWriter writer(sink, reports.on_durable(), reports.on_failure());
  writer.submit(nc::ChunkID{1}, bytes_of(1));
  REQUIRE(sink.wait_for_commits(1));  // record 1 alone is being committed
  for (std::uint64_t c = 2; c <= 5; ++c)
    writer.submit(nc::ChunkID{c}, bytes_of(static_cast<std::uint8_t>(c)));
  sink.release();
  CHECK(writer.drain() == 5);
  writer.stop();
  CHECK(sink.batches == std::vector<std::size_t>{1, 4});
  CHECK(sink.chunks == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  CHECK(reports.durable == std::vector<std::uint64_t>{1, 5});
  CHECK(reports.failures.empty());
}

TEST_CASE("a record that views a received frame reaches the sink without a copy",
          "[record_writer]") {
  GatedSink sink;
  Reports reports;
  auto frame = std::make_shared<const nc::Bytes>(64, std::byte{7});
  const nc::ByteSpan inside(frame->data() + 8, 16);
  {
    RecordWriter writer(sink, reports.on_durable(), reports.on_failure());
    writer.submit(nc::ChunkID{3}, Payload(frame, inside));
    CHECK(writer.drain() == 1);
  }
  REQUIRE(sink.data.size() == 1);
  CHECK(sink.data[0] == frame->data() + 8);  // the frame's own bytes
  CHECK(frame.use_count() == 1);             // and the writer let go of it once written
}

TEST_CASE("a full queue holds the submitter until the disk catches up", "[record_writer]") {
  GatedSink sink;
  Reports reports;
  sink.hold();
  RecordWriter writer(sink, reports.on_durable(), reports.on_failure(), {.max_records = 3});
  writer.submit(nc::ChunkID{1}, bytes_of(1));
  REQUIRE(sink.wait_for_commits(1));
  writer.submit(nc::ChunkID{2}, bytes_of(2));
  writer.submit(nc::ChunkID{3}, bytes_of(3));  // three held: the bound
  std::atomic<bool> returned{false};
  std::thread submitter([&] {
    writer.submit(nc::ChunkID{4}, bytes_of(4));
    returned = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (writer.waits() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  CHECK(writer.waits() == 1);
  CHECK_FALSE(returned);  // still waiting: the first record is not durable yet
  sink.release();
  submitter.join();
  CHECK(returned);
  CHECK(writer.drain() == 4);
}

TEST_CASE("a byte bound lets one large record through but not a second", "[record_writer]") {
  GatedSink sink;
  Reports reports;
  sink.hold();
  RecordWriter writer(sink, reports.on_durable(), reports.on_failure(), {.max_bytes = 100});
  writer.submit(nc::ChunkID{1}, bytes_of(1, 1000));  // alone it fits, however large
  REQUIRE(sink.wait_for_commits(1));
  std::thread submitter([&] { writer.submit(nc::ChunkID{2}, bytes_of(2, 10)); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (writer.waits() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  CHECK(writer.waits() == 1);
  sink.release();
  submitter.join();
  CHECK(writer.drain() == 2);
}

TEST_CASE("a sink that fails stops the writer once, and nothing waits for it afterwards",
          "[record_writer]") {
  GatedSink sink;
  Reports reports;
  sink.fail_with = "writing the checkpoint x failed: No space left on device";
  RecordWriter writer(sink, reports.on_durable(), reports.on_failure(), {.max_records = 1});
  writer.submit(nc::ChunkID{1}, bytes_of(1));
  CHECK(writer.drain() == 0);
  REQUIRE(writer.failure().has_value());
  CHECK_THAT(*writer.failure(), Catch::Contains("No space left on device"));
  writer.submit(nc::ChunkID{2}, bytes_of(2));  // over the bound, yet it returns
  writer.submit(nc::ChunkID{3}, bytes_of(3));
  CHECK(writer.drain() == 0);
  writer.stop();
  CHECK(reports.failures.size() == 1);
  CHECK(reports.durable.empty());
  CHECK(sink.chunks == std::vector<std::uint64_t>{1});
}

TEST_CASE("stopping writes everything queued first", "[record_writer]") {
  GatedSink sink;
  Reports reports;
  {
    RecordWriter writer(sink, reports.on_durable(), reports.on_failure());
    for (std::uint64_t c = 0; c < 50; ++c)
      writer.submit(nc::ChunkID{c}, bytes_of(static_cast<std::uint8_t>(c)));
  }  // the destructor stops it
  CHECK(sink.chunks.size() == 50);
  REQUIRE_FALSE(reports.durable.empty());
  CHECK(reports.durable.back() == 50);
  CHECK(std::is_sorted(reports.durable.begin(), reports.durable.end()));
}
