#pragma once
// N tasks of 16 bytes that the workers echo back with a check value, as jobs/empty does: the
// farm's cost per task, nothing else.

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "farm.hpp"

namespace farm {

class EmptyWorkload final : public Workload {
 public:
  explicit EmptyWorkload(std::uint64_t tasks) : tasks_(tasks) {}

  [[nodiscard]] std::uint64_t task_count() const override { return tasks_; }
  [[nodiscard]] std::size_t task_bytes() const override { return 16; }
  [[nodiscard]] std::size_t result_bytes() const override { return 16; }

  void make_task(std::uint64_t index, std::byte* out) override {
    const std::uint64_t words[2] = {index, 0};
    std::memcpy(out, words, sizeof words);
  }
  std::size_t run_task(const std::byte* task, std::byte* result) override {
    std::uint64_t words[2];
    std::memcpy(words, task, sizeof words);
    words[1] = check(words[0]);
    std::memcpy(result, words, sizeof words);
    return sizeof words;
  }
  void take_result(const std::byte* result, std::size_t size) override {
    std::uint64_t words[2];
    if (size != sizeof words) throw std::runtime_error("farm: a result of the wrong size");
    std::memcpy(words, result, sizeof words);
    if (words[0] >= tasks_ || words[1] != check(words[0]))
      throw std::runtime_error("farm: a wrong result for task " + std::to_string(words[0]));
    if (seen_.empty()) seen_.resize(tasks_);
    if (seen_[words[0]]) throw std::runtime_error("farm: a task came back twice");
    seen_[words[0]] = true;
  }

 private:
  // The same check as jobs/empty: proves the worker saw the task.
  static std::uint64_t check(std::uint64_t index) { return index * 0x9E3779B97F4A7C15ull + 1; }

  std::uint64_t tasks_;
  std::vector<bool> seen_;
};

}  // namespace farm
