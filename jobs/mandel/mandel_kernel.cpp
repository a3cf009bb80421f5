#include "mandel_kernel.hpp"

namespace mandel {

std::uint32_t escape_time(const Params& p, std::uint64_t x, std::uint64_t y) {
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

std::vector<std::uint32_t> compute(const Params& p, const nc::ChunkRect& rect) {
  std::vector<std::uint32_t> values;
  values.reserve(rect.area());
  for (std::uint64_t y = rect.y; y < rect.y + rect.height; ++y) {
    for (std::uint64_t x = rect.x; x < rect.x + rect.width; ++x)
      values.push_back(escape_time(p, x, y));
  }
  return values;
}

}  // namespace mandel
