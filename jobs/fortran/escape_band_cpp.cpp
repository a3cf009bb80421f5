// The C++ twin of escape_band.f90: the same operations in the same order, parenthesised the
// same way, so that both round identically at every step.
#include "escape_band.hpp"

namespace fortran {

std::vector<std::uint32_t> escape_band_cpp(const Region& region, const nc::ChunkRect& rect,
                                           std::vector<double>* modulus2) {
  const auto width = static_cast<double>(region.width);
  const auto height = static_cast<double>(region.height);
  std::vector<std::uint32_t> counts;
  counts.reserve(rect.area());
  if (modulus2 != nullptr) modulus2->clear();
  for (std::uint64_t y = rect.y; y < rect.y + rect.height; ++y) {
    const double ci =
        region.im_min + ((static_cast<double>(y) * (region.im_max - region.im_min)) / height);
    for (std::uint64_t x = rect.x; x < rect.x + rect.width; ++x) {
      const double cr =
          region.re_min + ((static_cast<double>(x) * (region.re_max - region.re_min)) / width);
      double zr = 0.0;
      double zi = 0.0;
      double m = 0.0;
      std::uint32_t count = region.max_iter;
      for (std::uint32_t n = 0; n < region.max_iter; ++n) {
        const double next_zr = ((zr * zr) - (zi * zi)) + cr;
        zi = ((2.0 * zr) * zi) + ci;
        zr = next_zr;
        m = (zr * zr) + (zi * zi);
        if (m > 4.0) {
          count = n;
          break;
        }
      }
      counts.push_back(count);
      if (modulus2 != nullptr) modulus2->push_back(m);
    }
  }
  return counts;
}

}  // namespace fortran
