#pragma once
/// How far a job has come, counted in chunks.
/// A server that keeps a ChunkList returns its progress() so that the progress bar, the
/// statistics and the final summary can count chunks; otherwise total stays 0.

#include <cstddef>

namespace nc {

struct JobProgress {
  std::size_t total = 0;       ///< chunks in the job (0: the job does not say)
  std::size_t done = 0;        ///< chunks with an accepted result
  std::size_t failed = 0;      ///< chunks given up after max_attempts lost nodes
  std::size_t processing = 0;  ///< chunks out on nodes now
  bool operator==(const JobProgress&) const = default;
};

}  // namespace nc
