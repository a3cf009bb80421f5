#pragma once
// The computation: count random points of the unit square that fall inside the quarter circle.
// Every random number comes from the task's own seed, so a task gives the same count on any
// node, in any order, on any number of nodes.

#include <cstdint>

namespace pi {

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit state advanced by a constant and mixed.
/// Small, fast, and simple enough to re-implement in a few lines of numpy to check a result.
class SplitMix64 {
 public:
  static constexpr std::uint64_t kIncrement = 0x9E3779B97F4A7C15ull;

  explicit SplitMix64(std::uint64_t state) : state_(state) {}
  std::uint64_t next() {
    state_ += kIncrement;
    return mix(state_);
  }
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

/// Task t's seed: output t+1 of a SplitMix64 stream started at the job's seed.
std::uint64_t task_seed(std::uint64_t job_seed, std::uint64_t task);

/// Draws `samples` points (x, y), each coordinate the top 53 bits of one SplitMix64 output
/// (started at `seed`) times 2^-53, x first; counts those with x*x + y*y < 1.
/// Compiled without floating-point contraction, so every machine gets the same count.
std::uint64_t count_hits(std::uint64_t seed, std::uint64_t samples);

}  // namespace pi
