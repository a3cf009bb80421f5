#include <mpi.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "farm.hpp"

namespace farm {
namespace {

// Receives the next message from any worker into `buffer`.
class Receiver {
 public:
  Receiver(std::vector<std::byte>& buffer, const MasterOptions& options)
      : buffer_(buffer), options_(options) {}

  MPI_Status next() {
    MPI_Status status;
    if (options_.spin) {
      MPI_Recv(buffer_.data(), static_cast<int>(buffer_.size()), MPI_BYTE, MPI_ANY_SOURCE,
               MPI_ANY_TAG, MPI_COMM_WORLD, &status);
      return status;
    }
    // Sleeping master: test, and sleep ever longer while nothing has come, so that the core
    // goes to the workers. Linux rounds a short sleep up to its timer slack (about 50 us).
    MPI_Request request;
    MPI_Irecv(buffer_.data(), static_cast<int>(buffer_.size()), MPI_BYTE, MPI_ANY_SOURCE,
              MPI_ANY_TAG, MPI_COMM_WORLD, &request);
    auto sleep = options_.min_sleep;
    for (;;) {
      int arrived = 0;
      MPI_Test(&request, &arrived, &status);
      if (arrived) return status;
      std::this_thread::sleep_for(sleep);
      sleep = std::min(sleep * 2, options_.max_sleep);
    }
  }

 private:
  std::vector<std::byte>& buffer_;
  const MasterOptions& options_;
};

}  // namespace

double run_master(Workload& workload, int ranks, const MasterOptions& options) {
  const double start = MPI_Wtime();
  const std::uint64_t total = workload.task_count();
  std::vector<std::byte> incoming(std::max<std::size_t>(workload.result_bytes(), 1));
  std::vector<std::byte> task(workload.task_bytes());
  std::vector<unsigned> out(static_cast<std::size_t>(ranks), 0);
  Receiver receiver(incoming, options);
  std::uint64_t next = 0;
  std::uint64_t done = 0;
  int stopped = 0;
  while (stopped < ranks - 1) {
    const MPI_Status status = receiver.next();
    const int rank = status.MPI_SOURCE;
    if (status.MPI_TAG == kResult) {
      int size = 0;
      MPI_Get_count(&status, MPI_BYTE, &size);
      workload.take_result(incoming.data(), static_cast<std::size_t>(size));
      --out[static_cast<std::size_t>(rank)];
      ++done;
    } else if (status.MPI_TAG != kRequest) {
      throw std::runtime_error("farm: unexpected message tag " + std::to_string(status.MPI_TAG));
    }
    auto& held = out[static_cast<std::size_t>(rank)];
    while (held < options.in_flight && next < total) {
      workload.make_task(next++, task.data());
      MPI_Send(task.data(), static_cast<int>(task.size()), MPI_BYTE, rank, kTask, MPI_COMM_WORLD);
      ++held;
    }
    if (held == 0) {  // nothing left for it: MPI keeps order, so it has every result sent
      MPI_Send(nullptr, 0, MPI_BYTE, rank, kStop, MPI_COMM_WORLD);
      ++stopped;
    }
  }
  if (done != total) throw std::runtime_error("farm: results missing");
  workload.finish();
  return MPI_Wtime() - start;
}

void run_worker(Workload& workload) {
  std::vector<std::byte> task(std::max<std::size_t>(workload.task_bytes(), 1));
  std::vector<std::byte> result(std::max<std::size_t>(workload.result_bytes(), 1));
  MPI_Send(nullptr, 0, MPI_BYTE, 0, kRequest, MPI_COMM_WORLD);
  for (;;) {
    MPI_Status status;
    MPI_Recv(task.data(), static_cast<int>(task.size()), MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD,
             &status);
    if (status.MPI_TAG == kStop) return;
    const std::size_t size = workload.run_task(task.data(), result.data());
    MPI_Send(result.data(), static_cast<int>(size), MPI_BYTE, 0, kResult, MPI_COMM_WORLD);
  }
}

}  // namespace farm
