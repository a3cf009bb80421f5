#pragma once
// The random numbers of one sample of one pixel. Each (x, y, sample) starts its own SplitMix64
// stream at a hash of those three numbers, so a pixel's value depends on nothing else: not on
// which node renders it, nor on how many nodes or threads there are, nor on the time.

#include <cstdint>

namespace raytrace {

class PixelRandom {
 public:
  PixelRandom(std::uint64_t x, std::uint64_t y, std::uint64_t sample)
      : state_(mix(mix(mix(x + kIncrement) + y + kIncrement) + sample + kIncrement)) {}

  /// Uniform in [0, 1): the top 53 bits of the next output, exactly.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [-1, 1).
  double symmetric() { return 2.0 * uniform() - 1.0; }

 private:
  static constexpr std::uint64_t kIncrement = 0x9E3779B97F4A7C15ull;
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t next() {
    state_ += kIncrement;
    return mix(state_);
  }

  std::uint64_t state_;
};

}  // namespace raytrace
