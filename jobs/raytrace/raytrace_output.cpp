#include "raytrace_output.hpp"

#include <node_crunch/error.hpp>
#if NC_HAVE_PNG
#include <node_crunch/png.hpp>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace raytrace {
namespace {

// Linear light to 8-bit display values: clamp to [0, 1], then gamma 2.2.
[[maybe_unused]] std::vector<std::uint8_t> to_display(std::span<const float> linear) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(linear.size());
  for (const float value : linear) {
    const double clamped = std::clamp(static_cast<double>(value), 0.0, 1.0);
    bytes.push_back(static_cast<std::uint8_t>(std::lround(255.0 * std::pow(clamped, 1.0 / 2.2))));
  }
  return bytes;
}

#if NC_HAVE_HDF5
// HDF5 chunks of whole rows, stacked from the job's bands to at least 256 KiB, so that a band
// usually fills whole HDF5 chunks.
nc::hdf5::WriteOptions storage(const Options& o) {
  const std::uint64_t band_bytes = std::max<std::uint64_t>(1, o.width * 3 * o.chunk_height * 4);
  const std::uint64_t stack = std::max<std::uint64_t>(1, (std::uint64_t{256} << 10) / band_bytes);
  return {.chunk_rows = std::min(o.height, o.chunk_height * stack), .chunk_cols = o.width * 3};
}

nc::hdf5::Attributes attributes(const Options& o, std::size_t sphere_count) {
  return {{"job", std::string("raytrace")},
          {"layout", std::string("[height][3*width]: pixel (x, y), y = 0 at the top, is "
                                 "[y][3x] (red), [y][3x+1] (green), [y][3x+2] (blue)")},
          {"values", std::string("linear radiance, the mean over the samples; no gamma, not "
                                 "clamped (the PNG is clamped to [0,1] and gamma 2.2)")},
          {"random", std::string("each sample's random numbers come from a SplitMix64 stream "
                                 "seeded by a hash of (x, y, sample)")},
          {"width", o.width},
          {"height", o.height},
          {"samples", std::uint64_t{o.samples}},
          {"max_depth", std::uint64_t{o.max_depth}},
          {"chunk_height", o.chunk_height},
          {"spheres", std::uint64_t{sphere_count}},
          {"node_crunch_version", std::string(NC_VERSION)}};
}
#endif

}  // namespace

Output::Output(const Options& options, std::size_t sphere_count)
    : options_(options), sphere_count_(sphere_count) {
#if NC_HAVE_HDF5
  hdf5_ = std::make_unique<nc::hdf5::Array2DWriter<float>>(
      options.output, "image", options.width * 3, options.height, storage(options));
#else
  throw nc::IoError("this build has no HDF5 support; cannot write " + options.output);
#endif
  if (!options.png.empty()) {
#if NC_HAVE_PNG
    picture_.emplace(options.width * 3, options.height);
#else
    throw nc::IoError("this build has no PNG support; cannot write " + options.png);
#endif
  }
}

void Output::add(const nc::ChunkRect& rect, std::span<const float> rgb) {
#if NC_HAVE_HDF5
  hdf5_->write_region(rect.x * 3, rect.y, rect.width * 3, rect.height, rgb);
#endif
  if (picture_) picture_->set_region(rect.x * 3, rect.y, rect.width * 3, rect.height, rgb);
}

void Output::finish() {
#if NC_HAVE_HDF5
  hdf5_->commit(attributes(options_, sphere_count_));
#endif
#if NC_HAVE_PNG
  if (picture_)
    nc::png::write_rgb8(options_.png, options_.width, options_.height,
                        to_display(picture_->data()));
#endif
}

}  // namespace raytrace
