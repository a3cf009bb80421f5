#include "pi_kernel.hpp"

namespace pi {
namespace {

// The top 53 bits of a random word as a double in [0, 1): exact, no rounding.
double unit_interval(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace

std::uint64_t task_seed(std::uint64_t job_seed, std::uint64_t task) {
  return SplitMix64::mix(job_seed + SplitMix64::kIncrement * (task + 1));
}

std::uint64_t count_hits(std::uint64_t seed, std::uint64_t samples) {
  SplitMix64 random(seed);
  std::uint64_t hits = 0;
  for (std::uint64_t i = 0; i < samples; ++i) {
    const double x = unit_interval(random.next());
    const double y = unit_interval(random.next());
    if (x * x + y * y < 1.0) ++hits;
  }
  return hits;
}

}  // namespace pi
