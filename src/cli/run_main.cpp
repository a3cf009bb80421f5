// nc::detail::run_main: from the command line to a running server, node, or both.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "cli/command_line.hpp"
#include "cli/logging.hpp"
#include "cli/roles.hpp"
#include "node_crunch/build_config.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/exit_status.hpp"

namespace nc::detail {

namespace {

void print_jobs(const std::vector<JobEntry>& jobs) {
  for (const auto& job : jobs)
    std::printf("%-12s %s\n", job.name.c_str(), job.summary.c_str());
}

int dispatch(const JobEntry& job, const CommandLine& command, int& argc, char**& argv) {
  const Configuration& config = command.config;
  if (command.sequential) {
    if (!job.run_sequential) throw UsageError("job '" + job.name + "' has no --sequential mode");
    setup_logging(config, "sequential");
    return job.run_sequential();
  }
  if (!config.status.empty()) return run_status_client(config);
  if (!config.connect.empty() || !config.connect_file.empty())
    return run_tcp_node(job, config, command.job_options_given);
  if (config.server) return run_tcp_server(job, config);
#if NC_HAVE_MPI
  if (mpi_launched()) return run_mpi(job, config, argc, argv);
#else
  (void)argc;
  (void)argv;
#endif
  return run_local(job, config);
}

}  // namespace

int run_main(std::vector<JobEntry> jobs, int argc, char** argv) {
  const char* program = argc > 0 ? argv[0] : "nc_job";
  CommandLine command;
  try {
    command = parse_command_line(jobs, argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return exit_usage;
  }
  if (command.exit_now) return command.exit_status;
  if (command.list) {
    print_jobs(jobs);
    return exit_ok;
  }
  try {
    return dispatch(jobs[command.job], command, argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return exit_usage;
  } catch (const std::exception& e) {
    if (spdlog::default_logger())
      spdlog::error("{}", e.what());
    else
      std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    spdlog::default_logger()->flush();
    return exit_failed;
  }
}

}  // namespace nc::detail
