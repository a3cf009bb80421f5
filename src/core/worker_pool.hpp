#pragma once
// The threads of a node process that run user code: each owns one user Node (made in that
// thread), takes tasks from a shared queue and leaves results for the communication thread.
// The communication thread never runs user code, so heartbeats flow while a task runs.
//
// Thread safety: push/set_initial/take_outputs/stop may be called from any one thread (the
// node's event loop); the workers synchronise on the pool's own locks.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/message.hpp"
#include "node_crunch/detail/job_adapters.hpp"

namespace nc::detail {

struct WorkerOutput {
  AttemptID attempt;             // 0: not a task (the Node's constructor or set_initial_data threw)
  std::optional<ChunkID> chunk;  // the task's chunk label, to echo
  Bytes result;
  std::chrono::microseconds compute{0};
  std::optional<std::string> error;  // what the user's code threw, or why a task did not decode
};

class WorkerPool {
 public:
  /// `outputs_ready` is called by a worker when the output list turns non-empty; it must be
  /// cheap and thread-safe (it wakes the event loop).
  WorkerPool(NodeFactory factory, unsigned threads, std::function<void()> outputs_ready);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// New initial data (after registering): every worker passes it to its Node before its next task.
  void set_initial(NodeID node, std::optional<Bytes> initial);
  void push(std::vector<TaskItem> tasks);
  [[nodiscard]] std::vector<WorkerOutput> take_outputs();
  [[nodiscard]] unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
  /// The job's types, as the node's Hello says them.
  [[nodiscard]] std::uint64_t fingerprint() const { return factory_.fingerprint; }

  /// No more tasks: queued ones are dropped, running ones finish.
  void stop();
  /// Waits up to `grace` for every worker to end; false if some are still inside user code.
  bool join_for(std::chrono::milliseconds grace);

 private:
  struct Initial {
    NodeID node;
    std::optional<Bytes> raw;
    std::uint64_t generation = 0;
    std::once_flag decoded;
    SharedInitial value;
    std::optional<std::string> error;
  };

  void work();
  void output(WorkerOutput output);
  bool apply_initial(NodeHandle& node, Initial& initial);

  NodeFactory factory_;
  std::function<void()> outputs_ready_;

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<TaskItem> queue_;
  std::shared_ptr<Initial> initial_;
  bool stopping_ = false;

  std::mutex outputs_mutex_;
  std::vector<WorkerOutput> outputs_;

  std::mutex exit_mutex_;
  std::condition_variable exited_;
  unsigned running_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace nc::detail
