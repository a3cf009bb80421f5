#pragma once
// A bare MPI task farm: rank 0 hands out tasks, the other ranks compute them. Plain MPI
// point-to-point with fixed-layout byte messages, no node_crunch, no serialisation library:
// the floor that node_crunch's overhead is measured against.
//
//   worker                     master (rank 0)
//   request  ------------->    (first message only)
//            <-------------    task, up to `in_flight` of them
//   result   ------------->    next task (or stop once nothing is left and none is out)

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace farm {

enum Tag : int { kRequest = 1, kTask = 2, kResult = 3, kStop = 4 };

/// What the farm moves and computes. Tasks have a fixed size; results at most result_bytes().
class Workload {
 public:
  virtual ~Workload() = default;
  [[nodiscard]] virtual std::uint64_t task_count() const = 0;
  [[nodiscard]] virtual std::size_t task_bytes() const = 0;
  [[nodiscard]] virtual std::size_t result_bytes() const = 0;
  /// Master: writes task `index` (task_bytes() bytes) to `out`.
  virtual void make_task(std::uint64_t index, std::byte* out) = 0;
  /// Worker: computes a task into `result`; returns the result's size.
  virtual std::size_t run_task(const std::byte* task, std::byte* result) = 0;
  /// Master: takes one result; throws if it is wrong.
  virtual void take_result(const std::byte* result, std::size_t size) = 0;
  /// Master: after the last result.
  virtual void finish() {}
};

/// How rank 0 waits for the next message.
struct MasterOptions {
  bool spin = true;        ///< true: blocking MPI_Recv (the MPI library busy-polls a core)
  unsigned in_flight = 1;  ///< tasks a worker holds at once
  std::chrono::microseconds min_sleep{1};     ///< !spin: first sleep after an empty MPI_Test
  std::chrono::microseconds max_sleep{1000};  ///< !spin: the sleep doubles up to this
};

/// Runs the master on rank 0 until every task is done; returns the seconds it took.
double run_master(Workload& workload, int ranks, const MasterOptions& options);
/// Runs a worker until the master says stop.
void run_worker(Workload& workload);

}  // namespace farm
