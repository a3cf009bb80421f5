#include "mandel_kernel.hpp"

namespace farm {
namespace {

std::uint32_t escape_time(const Picture& p, std::uint64_t x, std::uint64_t y) {
  const double cr =
      p.re_min + static_cast<double>(x) * (p.re_max - p.re_min) / static_cast<double>(p.width);
  const double ci =
      p.im_min + static_cast<double>(y) * (p.im_max - p.im_min) / static_cast<double>(p.height);
  double zr = 0.0;
  double zi = 0.0;
  for (std::uint32_t n = 0; n < p.max_iter; ++n) {
    const double next_zr = zr * zr - zi * zi + cr;
    zi = 2.0 * zr * zi + ci;
    zr = next_zr;
    if (zr * zr + zi * zi > 4.0) return n;
  }
  return p.max_iter;
}

}  // namespace

void compute_band(const Picture& p, std::uint64_t y, std::uint64_t rows, std::uint32_t* out) {
  for (std::uint64_t row = y; row < y + rows; ++row) {
    for (std::uint64_t x = 0; x < p.width; ++x)
      *out++ = escape_time(p, x, row);
  }
}

}  // namespace farm
