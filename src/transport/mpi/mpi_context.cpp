#include "transport/mpi/mpi_context.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "transport/mpi/mpi_call.hpp"

namespace nc::detail {

bool MpiContext::launched_by_mpi() {
  // Open MPI, MPICH/Hydra and Slurm's PMI/PMIx each set one of these in every rank.
  for (const char* variable :
       {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALNRANKS"}) {
    if (std::getenv(variable) != nullptr) return true;
  }
  return false;
}

int MpiContext::launcher_size() {
  // Open MPI's mpirun, and MPICH's Hydra and Slurm's srun through PMI.
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* value = std::getenv(variable)) return std::atoi(value);
  }
  return 0;
}

std::string MpiContext::library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  mpi_call(MPI_Get_library_version(text, &length), "MPI_Get_library_version");
  const std::string version(text, static_cast<std::size_t>(length));
  return version.substr(0, version.find_first_of("\r\n,"));
}

MpiContext::MpiContext(int& argc, char**& argv) {
  int provided = 0;
  // Only the event-loop thread (the main thread) calls MPI; workers never do.
  mpi_call(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  mpi_call(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
  mpi_call(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  mpi_call(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  mpi_call(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

MpiContext::~MpiContext() {
  MPI_Comm_free(&comm_);
  MPI_Finalize();
}

void MpiContext::abort(int status) {
  spdlog::default_logger()->flush();
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);  // MPI_Abort does not return; this is for the compiler
}

}  // namespace nc::detail
