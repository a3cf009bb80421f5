#pragma once
// MPI's lifetime in a node_crunch process: initialised only when a launcher started us,
// finalised at the end, or aborted when a rank hangs (a finalize would wait for it forever).

#include <mpi.h>

#include <string>

namespace nc::detail {

class MpiContext {
 public:
  /// True if mpirun, mpiexec or srun started this process (their environment variables).
  static bool launched_by_mpi();
  /// The number of ranks the launcher says it started (from its environment), 0 if unknown.
  static int launcher_size();
  /// The MPI library's name and version (the first line of MPI_Get_library_version).
  static std::string library_version();

  MpiContext(int& argc, char**& argv);
  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] MPI_Comm comm() const { return comm_; }
  /// Ends every rank of the job now with `status` (no finalize).
  [[noreturn]] void abort(int status);

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace nc::detail
