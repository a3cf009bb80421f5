#include "mandel_output.hpp"

#include <node_crunch/error.hpp>

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

#if NC_HAVE_HDF5
// HDF5 chunks follow the job's chunks, stacked to at least 256 KiB, so a band usually fills
// whole HDF5 chunks and is written without reading anything back.
nc::hdf5::WriteOptions storage(const Options& o) {
  const std::uint64_t width = o.effective_chunk_width();
  const std::uint64_t band_bytes =
      std::max<std::uint64_t>(1, width * o.chunk_height * sizeof(std::uint32_t));
  const std::uint64_t stack = std::max<std::uint64_t>(1, (std::uint64_t{256} << 10) / band_bytes);
  return {.chunk_rows = std::min(o.height, o.chunk_height * stack),
          .chunk_cols = std::min(o.width, width),
          .deflate = o.deflate};
}

nc::hdf5::Attributes attributes(const Options& o) {
  return {{"job", std::string("mandel")},
          {"formula",
           std::string(
               "c = (re_min + x*(re_max-re_min)/width) + i*(im_min + y*(im_max-im_min)/height); "
               "z = 0; for n = 0..max_iter-1: z = z*z + c, value = n if |z|^2 > 4; else max_iter")},
          {"width", o.width},
          {"height", o.height},
          {"max_iter", std::uint64_t{o.max_iter}},
          {"re_min", o.re_min},
          {"re_max", o.re_max},
          {"im_min", o.im_min},
          {"im_max", o.im_max},
          {"chunk_width", o.effective_chunk_width()},
          {"chunk_height", o.chunk_height},
          {"node_crunch_version", std::string(NC_VERSION)}};
}
#endif

}  // namespace

Output::Output(const Options& options) : options_(options) {
#if NC_HAVE_HDF5
  hdf5_ = std::make_unique<nc::hdf5::Array2DWriter<std::uint32_t>>(
      options.output, "mandel", options.width, options.height, storage(options));
#else
  throw nc::IoError("this build has no HDF5 support; cannot write " + options.output);
#endif
  if (!options.png.empty()) {
#if NC_HAVE_PNG
    picture_.emplace(options.width, options.height);
#else
    throw nc::IoError("this build has no PNG support; cannot write " + options.png);
#endif
  }
}

void Output::add(const nc::ChunkRect& rect, std::span<const std::uint32_t> values) {
#if NC_HAVE_HDF5
  hdf5_->write_region(rect.x, rect.y, rect.width, rect.height, values);
#endif
  if (picture_) picture_->set_region(rect.x, rect.y, rect.width, rect.height, values);
}

void Output::finish() {
#if NC_HAVE_HDF5
  hdf5_->commit(attributes(options_));
#endif
#if NC_HAVE_PNG
  if (picture_)
    nc::png::write_rgb8(options_.png, picture_->width(), picture_->height(),
                        colour(*picture_, options_.max_iter));
#endif
}

}  // namespace mandel
