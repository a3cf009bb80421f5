#pragma once
// What travels between the pi server and its nodes. The work is not a grid: it is N tasks,
// each a batch of random samples with a seed of its own.

#include <boost/serialization/vector.hpp>
#include <cstdint>

namespace pi {

/// The same for every task: sent once to every node.
struct Params {
  std::uint64_t seed = 0;              // the job's seed; each task derives its own from it
  std::uint64_t samples_per_task = 0;  // random points per task

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& seed& samples_per_task;
  }
};

/// One task: which batch to draw. Its seed follows from this index and Params::seed.
struct Batch {
  std::uint64_t task = 0;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& task;
  }
};

/// A batch's count: of `samples` points in the unit square, `hits` fell inside the quarter
/// circle.
struct Tally {
  std::uint64_t task = 0;
  std::uint64_t samples = 0;
  std::uint64_t hits = 0;

  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& task& samples& hits;
  }
};

struct Types {
  using InitialData = Params;
  using Task = Batch;
  using Result = Tally;
};

}  // namespace pi
