#pragma once
// The ways a node_crunch process can run; run_main picks one from the command line.

#include <string>
#include <vector>

#include "node_crunch/configuration.hpp"
#include "node_crunch/detail/job_adapters.hpp"

namespace nc::detail {

/// Alone: the server and `--nodes` in-process nodes as threads.
int run_local(const JobEntry& job, const Configuration& config);
/// Under mpirun/srun: rank 0 serves (and takes TCP nodes with --listen), the others compute.
int run_mpi(const JobEntry& job, const Configuration& config, int& argc, char**& argv);
bool mpi_launched();
/// --server: a TCP server.
int run_tcp_server(const JobEntry& job, const Configuration& config);
/// --connect: a TCP node. The job's options given to it (`ignored_options`) are the server's to
/// set: it says so.
int run_tcp_node(const JobEntry& job, const Configuration& config,
                 const std::vector<std::string>& ignored_options = {});
/// --status: ask a running server for its statistics.
int run_status_client(const Configuration& config);

}  // namespace nc::detail
