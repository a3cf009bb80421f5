#include "pi_table.hpp"

#include <node_crunch/build_config.hpp>
#include <node_crunch/error.hpp>
#if NC_HAVE_HDF5
#include <node_crunch/hdf5.hpp>
#endif

#include <cmath>
#include <cstdio>
#include <numbers>

#include "pi_kernel.hpp"

namespace pi {

Estimate Table::estimate() const {
  Estimate e;
  for (const Tally& t : tallies_) {
    e.samples += t.samples;
    e.hits += t.hits;
  }
  const double share = static_cast<double>(e.hits) / static_cast<double>(e.samples);
  e.value = 4.0 * share;
  e.std_error = 4.0 * std::sqrt(share * (1.0 - share) / static_cast<double>(e.samples));
  return e;
}

void Table::write(const Options& options) const {
#if NC_HAVE_HDF5
  std::vector<std::uint64_t> task, seed, samples, hits;
  std::vector<double> estimate;
  for (const Tally& t : tallies_) {
    task.push_back(t.task);
    seed.push_back(task_seed(options.seed, t.task));
    samples.push_back(t.samples);
    hits.push_back(t.hits);
    estimate.push_back(4.0 * static_cast<double>(t.hits) / static_cast<double>(t.samples));
  }
  const Estimate total = this->estimate();
  nc::hdf5::write_table(
      options.output, "tasks",
      {{"task", task},
       {"seed", seed},
       {"samples", samples},
       {"hits", hits},
       {"estimate", estimate}},
      {{"job", std::string("pi")},
       {"method",
        std::string("points (x, y) in [0,1)^2, each coordinate the top 53 bits of a SplitMix64 "
                    "output times 2^-53, x first; a hit is x*x + y*y < 1; the stream of task t "
                    "starts at mix64(seed + 0x9E3779B97F4A7C15 * (t + 1))")},
       {"seed", options.seed},
       {"tasks", options.tasks},
       {"samples_per_task", options.samples},
       {"total_samples", total.samples},
       {"total_hits", total.hits},
       {"estimate", total.value},
       {"std_error", total.std_error},
       {"node_crunch_version", std::string(NC_VERSION)}});
#else
  (void)options;
  throw nc::IoError("this build has no HDF5 support; cannot write " + options.output);
#endif
}

std::string Table::summary() const {
  const Estimate e = estimate();
  const double off = e.value - std::numbers::pi;
  char line[256];
  std::snprintf(line, sizeof line,
                "pi: %.9f +- %.9f from %llu samples in %zu tasks (%+.2f standard errors from pi)",
                e.value, e.std_error, static_cast<unsigned long long>(e.samples), tallies_.size(),
                e.std_error > 0 ? off / e.std_error : 0.0);
  return line;
}

}  // namespace pi
