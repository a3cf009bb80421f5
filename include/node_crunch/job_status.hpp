#pragma once
/// What a server answers when a node asks for work.
///
///   return nc::Unfinished{task};         // this task goes to the node
///   return nc::Unfinished{task, chunk};  // ...and names its chunk in logs and statistics
///   return nc::Waiting{};                // all work is out; some may come back
///   return nc::Finished{};               // the job is done
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Thread safety: plain values.

#include <optional>
#include <utility>
#include <variant>

#include "node_crunch/ids.hpp"

namespace nc {

template <class Task>
struct Unfinished {
  Task task;
  std::optional<ChunkID> chunk{};
};
template <class Task>
Unfinished(Task) -> Unfinished<Task>;
template <class Task>
Unfinished(Task, ChunkID) -> Unfinished<Task>;

struct Waiting {};
struct Finished {};

template <class Task>
class JobStatus {
 public:
  JobStatus(Unfinished<Task> unfinished)
      : state_(std::move(unfinished)) {}              // NOLINT: implicit by design
  JobStatus(Waiting waiting) : state_(waiting) {}     // NOLINT
  JobStatus(Finished finished) : state_(finished) {}  // NOLINT

  [[nodiscard]] bool is_unfinished() const {
    return std::holds_alternative<Unfinished<Task>>(state_);
  }
  [[nodiscard]] bool is_waiting() const { return std::holds_alternative<Waiting>(state_); }
  [[nodiscard]] bool is_finished() const { return std::holds_alternative<Finished>(state_); }
  /// The task; only for an Unfinished status.
  [[nodiscard]] const Task& task() const { return std::get<Unfinished<Task>>(state_).task; }
  [[nodiscard]] Task& task() { return std::get<Unfinished<Task>>(state_).task; }
  [[nodiscard]] std::optional<ChunkID> chunk() const {
    return is_unfinished() ? std::get<Unfinished<Task>>(state_).chunk : std::nullopt;
  }

 private:
  std::variant<Unfinished<Task>, Waiting, Finished> state_;
};

}  // namespace nc
