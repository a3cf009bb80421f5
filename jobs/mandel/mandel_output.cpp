#include "mandel_output.hpp"

#include <node_crunch/build_config.hpp>
#include <node_crunch/error.hpp>
#if NC_HAVE_HDF5
#include <node_crunch/hdf5.hpp>
#endif
#if NC_HAVE_PNG
#include <node_crunch/png.hpp>
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace mandel {
namespace {

struct Rgb {
  double r, g, b;
};

// Night blue through blue and white to gold and a dark edge: read along how close a point
// comes to the set.
Rgb gradient(double t) {
  static constexpr std::array<Rgb, 6> stops{
      {{0, 7, 40}, {10, 40, 120}, {32, 107, 203}, {237, 255, 255}, {255, 170, 0}, {90, 30, 0}}};
  t = std::clamp(t, 0.0, 1.0) * static_cast<double>(stops.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(t), stops.size() - 2);
  const double f = t - static_cast<double>(i);
  const Rgb& a = stops[i];
  const Rgb& b = stops[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

// Colour by the logarithm of the escape count over the range in the picture: the far field
// stays dark, the filaments near the set light up, at any zoom and --max-iter. Points inside
// the set are black.
[[maybe_unused]] std::vector<std::uint8_t> colour(const nc::Array2D<std::uint32_t>& image,
                                                  std::uint32_t max_iter) {
  std::uint32_t lowest = max_iter;
  std::uint32_t highest = 0;
  for (const std::uint32_t n : image.data()) {
    if (n < max_iter) {
      lowest = std::min(lowest, n);
      highest = std::max(highest, n);
    }
  }
  const double span = std::log1p(static_cast<double>(highest - std::min(lowest, highest)));
  std::vector<std::uint8_t> rgb;
  rgb.reserve(image.size() * 3);
  for (const std::uint32_t n : image.data()) {
    if (n >= max_iter) {
      rgb.insert(rgb.end(), {0, 0, 0});
      continue;
    }
    const double t = span > 0 ? std::log1p(static_cast<double>(n - lowest)) / span : 0.0;
    const Rgb c = gradient(t);
    for (const double channel : {c.r, c.g, c.b})
      rgb.push_back(static_cast<std::uint8_t>(std::clamp(channel, 0.0, 255.0)));
  }
  return rgb;
}

}  // namespace

void write_outputs(const Options& o, const nc::Array2D<std::uint32_t>& image) {
#if NC_HAVE_HDF5
  nc::hdf5::write_array2d<std::uint32_t>(
      o.output, "mandel", image,
      {{"job", std::string("mandel")},
       {"formula",
        std::string(
            "c = (re_min + x*(re_max-re_min)/width) + i*(im_min + y*(im_max-im_min)/height); "
            "z = 0; value = first n < max_iter with |z^2 + c|^2 > 4 after n+1 steps, else "
            "max_iter")},
       {"width", o.width},
       {"height", o.height},
       {"max_iter", std::uint64_t{o.max_iter}},
       {"re_min", o.re_min},
       {"re_max", o.re_max},
       {"im_min", o.im_min},
       {"im_max", o.im_max},
       {"chunk_width", o.effective_chunk_width()},
       {"chunk_height", o.chunk_height},
       {"node_crunch_version", std::string(NC_VERSION)}},
      {.deflate = o.deflate});
#else
  throw nc::IoError("this build has no HDF5 support; cannot write " + o.output);
#endif
  if (!o.png.empty()) {
#if NC_HAVE_PNG
    nc::png::write_rgb8(o.png, image.width(), image.height(), colour(image, o.max_iter));
#else
    throw nc::IoError("this build has no PNG support; cannot write " + o.png);
#endif
  }
}

}  // namespace mandel
