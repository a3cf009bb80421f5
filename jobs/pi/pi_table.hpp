#pragma once
// The tallies of all tasks, kept by the server until the end, then summed into the estimate
// and written as an HDF5 table with one row per task.

#include <cstdint>
#include <string>
#include <vector>

#include "pi_options.hpp"
#include "pi_types.hpp"

namespace pi {

/// The estimate of pi from all the tasks together.
struct Estimate {
  std::uint64_t samples = 0;
  std::uint64_t hits = 0;
  double value = 0;      // 4 * hits / samples
  double std_error = 0;  // of the binomial count: 4 * sqrt(p (1 - p) / samples), p = hits/samples
};

class Table {
 public:
  explicit Table(std::uint64_t tasks) : tallies_(tasks) {}

  /// Keeps a task's tally; every task must be added once before estimate() or write().
  void add(const Tally& tally) { tallies_.at(tally.task) = tally; }

  [[nodiscard]] Estimate estimate() const;
  /// Writes /tasks (task, seed, samples, hits, estimate) with the job's parameters and the
  /// final estimate as attributes.
  void write(const Options& options) const;
  /// One line for stdout: the estimate, its standard error and its distance from pi.
  [[nodiscard]] std::string summary() const;

 private:
  std::vector<Tally> tallies_;
};

}  // namespace pi
