#pragma once
// Results written to a durable record (the checkpoint) on a thread of their own, so that the
// server's event loop never waits for a disk while the writer keeps up.
//
// The engine's thread submits records; the writer thread takes everything queued at once,
// appends it to the sink and commits it (one fsync for the whole batch), then says how many
// records, counted from the first submit, are durable. While one batch is committed the next
// one gathers: the slower the disk, the larger the batches.
//
// The queue is bounded (bytes and records): a submit that would pass the bound waits until the
// writer has caught up, so memory stays bounded when results arrive faster than the disk takes
// them. A sink that throws (a full disk) stops the writer: the error is reported once, and
// every later submit and drain returns at once.
//
//   RecordWriter writer(sink, [&](std::uint64_t n) { post(loop, [n] { durable(n); }); },
//                       [&](const std::string& why) { post(loop, [why] { failed(why); }); });
//   writer.submit(chunk, std::move(payload));  // record 1
//   writer.drain();                            // everything submitted is durable (or failed)
//
// Thread safety: submit, drain and stop are called from one thread (the engine's); the two
// callbacks run on the writer thread, outside its lock, in commit order.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/payload.hpp"
#include "node_crunch/ids.hpp"

namespace nc::detail {

/// Where the records go: append() queues one, commit() makes every appended one durable.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void append(ChunkID chunk, ByteSpan result) = 0;
  virtual void commit() = 0;
};

/// How much a RecordWriter holds in memory, not yet durable, before a submit waits.
struct RecordLimits {
  std::size_t max_bytes = std::size_t{64} << 20;
  std::size_t max_records = std::size_t{1} << 16;
};

class RecordWriter {
 public:
  /// Called with the number of records durable so far (it only grows).
  using OnDurable = std::function<void(std::uint64_t durable)>;
  /// Called once, with the sink's error, when writing stops.
  using OnFailure = std::function<void(const std::string& error)>;

  RecordWriter(RecordSink& sink, OnDurable on_durable, OnFailure on_failure,
               RecordLimits limits = {});
  /// Writes what is queued, then joins the thread (stop()).
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  /// Queues a record; its number is the count of submits so far. `result` is kept as it is
  /// (a view keeps its frame alive): nothing is copied before the writer thread writes it.
  /// Waits while the queue is full, unless writing failed.
  void submit(ChunkID chunk, Payload result);
  /// Waits until every submitted record is durable or writing failed; returns how many are
  /// durable.
  std::uint64_t drain();
  /// drain(), then ends the thread. The sink is not used afterwards.
  void stop();

  [[nodiscard]] std::uint64_t submitted() const { return submitted_; }
  /// How many submits had to wait for the writer (the disk is slower than the results).
  [[nodiscard]] std::uint64_t waits() const { return waits_.load(); }
  /// The sink's error, once writing has stopped on one.
  [[nodiscard]] std::optional<std::string> failure() const;

 private:
  struct Record {
    ChunkID chunk;
    Payload result;
  };

  void run();
  void write(std::deque<Record>& batch);
  [[nodiscard]] bool full(std::size_t adding) const;

  RecordSink& sink_;
  OnDurable on_durable_;
  OnFailure on_failure_;
  RecordLimits limits_;
  std::uint64_t submitted_ = 0;  // the engine's thread only

  mutable std::mutex mutex_;
  std::condition_variable work_;      // the writer waits for records (or the end)
  std::condition_variable progress_;  // submit and drain wait for the writer
  std::deque<Record> queue_;
  std::size_t queued_bytes_ = 0;
  std::uint64_t taken_ = 0;    // records the writer has taken from the queue
  std::uint64_t durable_ = 0;  // records committed
  std::optional<std::string> failure_;
  bool stopping_ = false;
  bool warned_full_ = false;
  std::atomic<std::uint64_t> waits_{0};
  std::thread thread_;  // last: started once everything it uses is there
};

}  // namespace nc::detail
