#include "core/worker_pool.hpp"

namespace nc::detail {

WorkerPool::WorkerPool(NodeFactory factory, unsigned threads, std::function<void()> outputs_ready)
    : factory_(std::move(factory)), outputs_ready_(std::move(outputs_ready)) {
  running_ = threads;
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i)
    threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::set_initial(NodeID node, std::optional<Bytes> initial) {
  auto next = std::make_shared<Initial>();
  next->node = node;
  next->raw = std::move(initial);
  {
    std::lock_guard lock(mutex_);
    next->generation = initial_ ? initial_->generation + 1 : 1;
    initial_ = std::move(next);
  }
  ready_.notify_all();
}

void WorkerPool::push(std::vector<TaskItem> tasks) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (auto& task : tasks)
      queue_.push_back(std::move(task));
  }
  if (tasks.size() == 1)
    ready_.notify_one();
  else
    ready_.notify_all();
}

std::vector<WorkerOutput> WorkerPool::take_outputs() {
  std::lock_guard lock(outputs_mutex_);
  return std::exchange(outputs_, {});
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  ready_.notify_all();
}

bool WorkerPool::join_for(std::chrono::milliseconds grace) {
  stop();
  std::unique_lock lock(exit_mutex_);
  if (!exited_.wait_for(lock, grace, [this] { return running_ == 0; })) return false;
  lock.unlock();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  return true;
}

void WorkerPool::output(WorkerOutput output) {
  bool first = false;
  {
    std::lock_guard lock(outputs_mutex_);
    first = outputs_.empty();
    outputs_.push_back(std::move(output));
  }
  if (first) outputs_ready_();
}

// Decodes the initial data once per node process (the first worker to need it does) and hands
// it to this worker's Node.
bool WorkerPool::apply_initial(NodeHandle& node, Initial& initial) {
  std::call_once(initial.decoded, [&] {
    try {
      initial.value = factory_.decode_initial(initial.raw);
    } catch (const std::exception& e) {
      initial.error = e.what();
    }
  });
  if (initial.error) {
    output({AttemptID{0}, std::nullopt, {}, {}, *initial.error});
    return false;
  }
  try {
    node.set_initial_data(initial.node, initial.value);
  } catch (const std::exception& e) {
    output({AttemptID{0}, std::nullopt, {}, {}, std::string(e.what())});
    return false;
  }
  return true;
}

void WorkerPool::work() {
  std::unique_ptr<NodeHandle> node;
  std::optional<std::string> construction_error;
  try {
    node = factory_.make();
  } catch (const std::exception& e) {
    construction_error = std::string("the Node's constructor threw: ") + e.what();
  }
  std::uint64_t generation = 0;
  bool usable = node != nullptr;
  if (construction_error) output({AttemptID{0}, std::nullopt, {}, {}, construction_error});

  while (true) {
    TaskItem task;
    std::shared_ptr<Initial> initial;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || (!queue_.empty() && initial_); });
      if (stopping_) break;
      task = std::move(queue_.front());
      queue_.pop_front();
      initial = initial_;
    }
    if (usable && initial->generation != generation) {
      usable = apply_initial(*node, *initial);
      generation = initial->generation;
    }
    if (!usable) continue;  // the job is failing; the server ends it
    const auto start = std::chrono::steady_clock::now();
    WorkerOutput out;
    out.attempt = task.attempt;
    out.chunk = task.chunk;
    try {
      out.result = node->process(task.payload);
    } catch (const std::exception& e) {
      out.error = e.what();
    } catch (...) {
      out.error = "an exception that is not a std::exception";
    }
    out.compute = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    output(std::move(out));
  }
  node.reset();
  {
    std::lock_guard lock(exit_mutex_);
    --running_;
  }
  exited_.notify_all();
}

}  // namespace nc::detail
