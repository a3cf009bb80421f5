#include "core/record_writer.hpp"

#include <spdlog/spdlog.h>

namespace nc::detail {

RecordWriter::RecordWriter(RecordSink& sink, OnDurable on_durable, OnFailure on_failure,
                           RecordLimits limits)
    : sink_(sink),
      on_durable_(std::move(on_durable)),
      on_failure_(std::move(on_failure)),
      limits_(limits),
      thread_([this] { run(); }) {}

RecordWriter::~RecordWriter() {
  stop();
}

// In memory: what is queued and what the writer is writing now, all not yet durable. One
// record always fits, however large, so that a huge result cannot stop the job.
bool RecordWriter::full(std::size_t adding) const {
  const std::uint64_t held = submitted_ - durable_;
  if (held == 0) return false;
  return held >= limits_.max_records || queued_bytes_ + adding > limits_.max_bytes;
}

void RecordWriter::submit(ChunkID chunk, Payload result) {
  const std::size_t size = result.size();
  {
    std::unique_lock lock(mutex_);
    if (failure_) {
      ++submitted_;
      return;  // writing has stopped, and said so: nothing waits for it any more
    }
    if (full(size)) {
      ++waits_;
      if (!warned_full_) {
        warned_full_ = true;
        spdlog::warn(
            "{} result(s) ({:.1f} MiB) wait to be written to disk: the server waits for the disk "
            "to catch up",
            submitted_ - durable_, static_cast<double>(queued_bytes_) / (1 << 20));
      }
      progress_.wait(lock, [&] { return failure_.has_value() || !full(size); });
      if (failure_) {
        ++submitted_;
        return;
      }
    }
    queue_.push_back(Record{chunk, std::move(result)});
    queued_bytes_ += size;
    ++submitted_;
  }
  work_.notify_one();
}

std::uint64_t RecordWriter::drain() {
  std::unique_lock lock(mutex_);
  progress_.wait(lock, [&] { return failure_.has_value() || durable_ == submitted_; });
  return durable_;
}

void RecordWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> RecordWriter::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void RecordWriter::run() {
  for (;;) {
    std::deque<Record> batch;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      batch.swap(queue_);
    }
    write(batch);
    std::lock_guard lock(mutex_);
    if (failure_) return;
  }
}

void RecordWriter::write(std::deque<Record>& batch) {
  std::size_t bytes = 0;
  std::uint64_t durable = 0;
  try {
    for (const Record& record : batch) {
      sink_.append(record.chunk, record.result);
      bytes += record.result.size();
    }
    sink_.commit();
  } catch (const std::exception& e) {
    std::string error = e.what();
    {
      std::lock_guard lock(mutex_);
      failure_ = error;
      queue_.clear();
      queued_bytes_ = 0;
    }
    progress_.notify_all();
    on_failure_(error);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    durable_ += batch.size();
    queued_bytes_ -= bytes;
    durable = durable_;
  }
  progress_.notify_all();
  on_durable_(durable);
}

}  // namespace nc::detail
