#pragma once
// The empty job: N tasks of 16 bytes that nodes echo back without computing anything. It
// measures what node_crunch itself costs per task (the benchmarks' overhead workload), and
// checks that every task came back exactly once with the right contents.
//
//   nc_job empty --tasks 1000000            alone, mpirun, or over TCP

#include <node_crunch/error.hpp>
#include <node_crunch/node.hpp>
#include <node_crunch/options.hpp>
#include <node_crunch/server.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace empty {

struct Pair {  // 16 bytes on the wire
  std::uint64_t index = 0;
  std::uint64_t check = 0;
  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& index& check;
  }
};

/// Sent to every node: which task it must refuse and which node cannot start (tests of failure
/// handling), if any.
struct Setup {
  std::uint64_t fail_on = ~std::uint64_t{0};
  std::uint64_t fail_start = ~std::uint64_t{0};  // a node id; 0: every node
  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& fail_on& fail_start;
  }
};

struct Types {
  using InitialData = Setup;
  using Task = Pair;
  using Result = Pair;
};

/// What the node must answer for task `index`: proves the task was really received.
inline std::uint64_t expected_check(std::uint64_t index) {
  return index * 0x9E3779B97F4A7C15ull + 1;
}

struct Options {
  std::uint64_t tasks = 100000;
  std::uint64_t fail_on = ~std::uint64_t{0};
  std::uint64_t fail_start = ~std::uint64_t{0};
  void declare(nc::OptionSet& o) {
    o.add("--tasks", tasks, "How many empty tasks");
    o.add("--fail-on", fail_on,
          "Make the nodes throw on this task (to see how a failing job ends)");
    o.add("--fail-start", fail_start,
          "Make node NODE (0: every node) throw in set_initial_data (to see a node that cannot "
          "start)");
  }
  void validate() const {
    if (tasks == 0) throw nc::UsageError("--tasks must be at least 1");
  }
};

class Server final : public nc::Server<Types> {
 public:
  using Options = empty::Options;
  static constexpr const char* job_name = "empty";
  static constexpr const char* job_summary =
      "tasks that do nothing: measures node_crunch's own cost per task";

  explicit Server(const Options& options)
      : setup_{options.fail_on, options.fail_start},
        tasks_(options.tasks),
        start_(std::chrono::steady_clock::now()) {
    use_chunks(options.tasks);
  }

  std::optional<Setup> initial_data() override { return setup_; }

  nc::JobStatus<Pair> prepare_data_for_node(nc::NodeID node) override {
    return next_chunk(node, [](nc::ChunkID c) { return Pair{c.value(), 0}; });
  }
  void process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Pair& result) override {
    if (result.index != chunk.value() || result.check != expected_check(result.index)) {
      throw nc::BadResult("task " + std::to_string(result.index) +
                          " came back with a wrong check value")
          .with_node(node)
          .with_chunk(chunk);
    }
    ++unique_;
  }
  void finish_job() override {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (unique_ != tasks_) {
      throw nc::Error("only " + std::to_string(unique_) + " of " + std::to_string(tasks_) +
                      " tasks came back");
    }
    std::printf("empty: tasks=%llu seconds=%.6f tasks_per_second=%.0f\n",
                static_cast<unsigned long long>(unique_), seconds,
                static_cast<double>(unique_) / seconds);
    std::fflush(stdout);
  }

 private:
  Setup setup_;
  std::uint64_t tasks_;
  std::uint64_t unique_ = 0;
  std::chrono::steady_clock::time_point start_;
};

class Node final : public nc::Node<Types> {
 public:
  void set_initial_data(nc::NodeID node, const std::optional<Setup>& setup) override {
    if (setup) setup_ = *setup;
    if (setup_.fail_start == 0 || setup_.fail_start == node.value())
      throw std::runtime_error(nc::to_string(node) + " cannot start (--fail-start)");
  }
  Pair process_data_from_server(const Pair& task) override {
    if (task.index == setup_.fail_on) {
      throw std::runtime_error("task " + std::to_string(task.index) + " refused (--fail-on)");
    }
    return Pair{task.index, expected_check(task.index)};
  }

 private:
  Setup setup_;
};

}  // namespace empty
