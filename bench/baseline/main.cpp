// farm_bench: the bare MPI farm on the two benchmark workloads.
//
//   mpirun -n 3 farm_bench empty --tasks 200000 [--master spin|sleep] [--in-flight 1]
//   mpirun -n 3 farm_bench mandel --width 4096 --height 4096 --max-iter 1000 --chunk-height 16
//                                 [--output farm.h5] [--master spin|sleep]
// Rank 0 prints one line on stdout:
//   farm: workload=empty master=spin in_flight=1 tasks=200000 seconds=1.234 tasks_per_second=162074
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "empty_workload.hpp"
#include "farm.hpp"
#include "mandel_workload.hpp"

namespace {

struct Options {
  std::string workload;
  std::uint64_t tasks = 100000;
  farm::Picture picture;
  std::uint64_t chunk_height = 16;
  std::string output;
  farm::MasterOptions master;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "farm_bench: %s\n"
               "usage: farm_bench empty [--tasks N] | mandel [--width W] [--height H] "
               "[--max-iter I] [--chunk-height R] [--output FILE]\n"
               "       common: [--master spin|sleep] [--in-flight K] [--sleep-min-us U] "
               "[--sleep-max-us U]\n",
               why.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) usage("name a workload");
  o.workload = argv[1];
  if (o.workload != "empty" && o.workload != "mandel") usage("unknown workload " + o.workload);
  for (int i = 2; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
    const std::string value = argv[i + 1];
    const auto number = [&] { return std::stoull(value); };
    if (flag == "--tasks")
      o.tasks = number();
    else if (flag == "--width")
      o.picture.width = number();
    else if (flag == "--height")
      o.picture.height = number();
    else if (flag == "--max-iter")
      o.picture.max_iter = static_cast<std::uint32_t>(number());
    else if (flag == "--chunk-height")
      o.chunk_height = number();
    else if (flag == "--output")
      o.output = value;
    else if (flag == "--in-flight")
      o.master.in_flight = static_cast<unsigned>(number());
    else if (flag == "--sleep-min-us")
      o.master.min_sleep = std::chrono::microseconds(number());
    else if (flag == "--sleep-max-us")
      o.master.max_sleep = std::chrono::microseconds(number());
    else if (flag == "--master" && (value == "spin" || value == "sleep"))
      o.master.spin = value == "spin";
    else
      usage("unknown option " + std::string(flag) + " " + value);
  }
  if (o.tasks == 0 || o.chunk_height == 0 || o.master.in_flight == 0 || o.picture.width == 0 ||
      o.picture.height == 0 || o.picture.max_iter == 0)
    usage("sizes must be at least 1");
  return o;
}

std::unique_ptr<farm::Workload> make_workload(const Options& o, bool is_master) {
  if (o.workload == "empty") return std::make_unique<farm::EmptyWorkload>(o.tasks);
  return std::make_unique<farm::MandelWorkload>(o.picture, o.chunk_height, o.output, is_master);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  MPI_Init(&argc, &argv);
  int rank = 0;
  int ranks = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (ranks < 2) {
    if (rank == 0) std::fprintf(stderr, "farm_bench: needs at least 2 ranks (mpirun -n 3 ...)\n");
    MPI_Finalize();
    return 2;
  }
  try {
    auto workload = make_workload(options, rank == 0);
    if (rank != 0) {
      farm::run_worker(*workload);
    } else {
      const auto tasks = workload->task_count();
      const double seconds = farm::run_master(*workload, ranks, options.master);
      std::printf(
          "farm: workload=%s master=%s in_flight=%u tasks=%llu seconds=%.6f "
          "tasks_per_second=%.0f\n",
          options.workload.c_str(), options.master.spin ? "spin" : "sleep",
          options.master.in_flight, static_cast<unsigned long long>(tasks), seconds,
          static_cast<double>(tasks) / seconds);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "farm_bench (rank %d): %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return 0;
}
