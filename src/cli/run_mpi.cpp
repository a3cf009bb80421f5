#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "cli/cpu_affinity.hpp"
#include "cli/listen.hpp"
#include "cli/logging.hpp"
#include "cli/node_role.hpp"
#include "cli/roles.hpp"
#include "cli/server_setup.hpp"
#include "core/message.hpp"
#include "transport/mpi/mpi_channel.hpp"
#include "transport/mpi/mpi_context.hpp"
#include "transport/mpi/mpi_node.hpp"
#include "transport/mpi/mpi_server.hpp"

namespace nc::detail {
namespace {

// The server does not start (it cannot, or the job is done already): every rank is told so, as
// at the end of a job (`farewell`), and ends by itself, and the launcher sees each rank's
// status. MPI_Abort would end them too, but a launcher may kill rank 0 before its last lines
// reach the terminal (MPICH's mpiexec does), and the user would not learn why. A rank that does
// not take the message within the bound is aborted after all.
int end_ranks_before_start(MpiContext& mpi, const Configuration& config, const Message& farewell,
                           int status) {
  constexpr auto kBound = std::chrono::seconds(10);
  MpiChannel channel(mpi.comm(), config.mpi_piece_bytes);
  const Bytes bytes = encode(farewell);
  for (int rank = 1; rank < mpi.size(); ++rank)
    channel.send(rank, bytes);
  const auto give_up = std::chrono::steady_clock::now() + kBound;
  while (channel.sends_pending()) {
    (void)channel.progress_sends();
    if (std::chrono::steady_clock::now() > give_up) {
      spdlog::default_logger()->flush();
      mpi.abort(status);
    }
    std::this_thread::yield();
  }
  return status;
}

int serve(const JobEntry& job, const Configuration& config, MpiContext& mpi) {
  setup_logging(config, "server");
  add_log_file(config, "server");
  spdlog::info("MPI: rank 0 of {} serves, {} rank(s) compute", mpi.size(), mpi.size() - 1);
  std::unique_ptr<ServerSetup> setup;
  try {
    if (ServerSetup::finished_already(job, config))
      return end_ranks_before_start(mpi, config, Finish{}, exit_ok);
    if (!config.listen.empty()) check_listen(config);  // as listen_for_nodes below would
    setup = std::make_unique<ServerSetup>(job, config);
  } catch (const UsageError& e) {
    spdlog::error("{}", e.what());
    return end_ranks_before_start(mpi, config, Abort{e.what(), false}, exit_usage);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return end_ranks_before_start(mpi, config, Abort{e.what(), false}, exit_failed);
  }
  MpiServerTransport transport(setup->runtime(), mpi.comm(), mpi.size(), config);
  setup->runtime().engine().expect_fixed_nodes(static_cast<std::size_t>(mpi.size() - 1));
  transport.start();
  const auto tcp = config.listen.empty() ? nullptr : listen_for_nodes(setup->runtime(), config);
  const int status = setup->run();
  const auto silent = transport.silent_ranks();
  if (!silent.empty()) {
    std::string names;
    for (const int rank : silent)
      names += (names.empty() ? "" : ", ") + transport.describe_rank(rank);
    spdlog::error(
        "{} did not answer when the job ended: stopped or hung. {} Ending the MPI job without "
        "waiting for it.",
        names, status == exit_ok ? "The results are complete and written." : "");
    mpi.abort(status);
  }
  return status;
}

int compute(const JobEntry& job, const Configuration& config, MpiContext& mpi) {
  const std::string role = fmt::format("rank {}", mpi.rank());
  setup_logging(config, role);
  warn_if_threads_exceed_cpus(
      config.threads,
      "The launcher bound this rank to them: with Open MPI's mpirun add --bind-to none, or "
      "--map-by slot:PE=N for N CPUs per rank; with srun give --cpus-per-task.");
  // An MPI rank keeps no unconfirmed results: if rank 0 dies, the launcher ends every rank,
  // so there is no later server to send them to. A resumed run computes them again.
  NodeRuntime runtime(job.node_factory, job.name, config, false);
  runtime.engine().set_on_registered([&config, rank = mpi.rank()](NodeID id) {
    set_log_role(fmt::format("{}, rank {}", to_string(id), rank));
    add_log_file(config, fmt::format("node-{}", id.value()));
  });
  runtime.handle_signals();
  MpiNodeTransport transport(runtime, mpi.comm(), config);
  return run_node_role(runtime, transport,
                       {.say_done = false, .before_exit = [] { MPI_Finalize(); }});
}

}  // namespace

bool mpi_launched() {
  return MpiContext::launched_by_mpi();
}

int run_mpi(const JobEntry& job, const Configuration& config, int& argc, char**& argv) {
  MpiContext mpi(argc, argv);
  if (mpi.size() < 2 && MpiContext::launcher_size() > 1) {
    // The launcher started several ranks, but this program's MPI library sees only itself: an
    // mpiexec of another MPI implementation (Debian installs Open MPI and MPICH side by side).
    // Each process would otherwise run the whole job alone.
    setup_logging(config, "mpi");
    spdlog::error(
        "the launcher started {} ranks but MPI sees one: it belongs to another MPI "
        "implementation than the one this program was built with ({})",
        MpiContext::launcher_size(), MpiContext::library_version());
    return exit_failed;
  }
  if (mpi.size() < 2) return run_local(job, config);
  return mpi.rank() == 0 ? serve(job, config, mpi) : compute(job, config, mpi);
}

}  // namespace nc::detail
