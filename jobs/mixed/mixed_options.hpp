#pragma once
// The mixed job's command-line options.

#include <node_crunch/error.hpp>
#include <node_crunch/options.hpp>

#include <cstdint>
#include <string>

namespace mixed {

struct Options {
  std::uint64_t tasks = 200;
  std::uint64_t points = 32;  // per task
  std::uint64_t degree = 7;
  std::uint64_t rounds = 100;  // per point
  std::uint64_t seed = 20240917;
  std::string label = "mixed";
  std::string output = "mixed.txt";

  void declare(nc::OptionSet& o) {
    o.add("--tasks", tasks, "How many tasks");
    o.add("--points", points, "Points per task, each the start of an iterated map");
    o.add("--degree", degree, "Degree of the map's polynomial (its coefficients come from --seed)");
    o.add("--rounds", rounds, "Iterations of the map per point: the work per task");
    o.add("--seed", seed, "The job's seed: the polynomial and every task follow from it");
    o.add("--label", label, "Text sent to every node and put in front of each task's title");
    o.add("--output", output,
          "Text file to write: every report, numbers in hexadecimal floating point or raw bits");
  }

  /// Where an interrupted run keeps its finished chunks (--resume reads it back).
  [[nodiscard]] std::string checkpoint_path() const { return output + ".checkpoint"; }
  /// What a finished run leaves: with it there and no checkpoint, --resume has nothing to do.
  [[nodiscard]] std::string output_path() const { return output; }
  void validate() const {
    if (tasks == 0) throw nc::UsageError("--tasks must be at least 1");
    if (points > 100000) throw nc::UsageError("--points must be at most 100000");
    if (degree > 100) throw nc::UsageError("--degree must be at most 100");
    if (output.empty()) throw nc::UsageError("--output must name a file");
  }
};

}  // namespace mixed
