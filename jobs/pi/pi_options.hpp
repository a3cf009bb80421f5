#pragma once
// The pi job's command-line options.

#include <node_crunch/error.hpp>
#include <node_crunch/options.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "pi_types.hpp"

namespace pi {

struct Options {
  std::uint64_t tasks = 200;
  std::uint64_t samples = 2'000'000;  // per task
  std::uint64_t seed = 20240601;
  std::string output = "pi.h5";

  void declare(nc::OptionSet& o) {
    o.add("--tasks", tasks, "How many tasks (rows of the table)");
    o.add("--samples", samples, "Random points per task");
    o.add("--seed", seed, "The job's seed; task t draws from a seed derived from it and t");
    o.add("--output", output,
          "HDF5 file to write (table /tasks: task, seed, samples, hits, estimate)");
  }

  /// Where an interrupted run keeps its finished chunks (--resume reads it back).
  [[nodiscard]] std::string checkpoint_path() const { return output + ".checkpoint"; }
  /// What a finished run leaves: with it there and no checkpoint, --resume has nothing to do.
  [[nodiscard]] std::string output_path() const { return output; }
  void validate() const {
    if (tasks == 0) throw nc::UsageError("--tasks must be at least 1");
    if (samples == 0) throw nc::UsageError("--samples must be at least 1");
    if (samples > std::numeric_limits<std::uint64_t>::max() / tasks)
      throw nc::UsageError("--tasks times --samples must fit in 64 bits");
    if (output.empty()) throw nc::UsageError("--output must name a file");
  }

  [[nodiscard]] Params params() const { return Params{seed, samples}; }
};

}  // namespace pi
