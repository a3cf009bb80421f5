#pragma once
// The picture on its way to disk: bands go into the HDF5 file as they arrive, as linear RGB
// floats ([height][3*width]: pixel (x, y) is [y][3x], [y][3x+1], [y][3x+2]). The PNG, if asked
// for, gets the colours gamma-corrected and clamped at the end.

#include <node_crunch/array2d.hpp>
#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/build_config.hpp>
#if NC_HAVE_HDF5
#include <node_crunch/hdf5.hpp>
#endif

#include <memory>
#include <optional>
#include <span>

#include "raytrace_options.hpp"

namespace raytrace {

class Output {
 public:
  Output(const Options& options, std::size_t sphere_count);
  /// Writes one rendered rectangle (3 floats per pixel, row by row).
  void add(const nc::ChunkRect& rect, std::span<const float> rgb);
  /// Gives the HDF5 file its attributes and its name, and writes the PNG.
  void finish();

 private:
  Options options_;
  std::size_t sphere_count_;
#if NC_HAVE_HDF5
  std::unique_ptr<nc::hdf5::Array2DWriter<float>> hdf5_;
#endif
  std::optional<nc::Array2D<float>> picture_;  // only for --png: [height][3*width]
};

}  // namespace raytrace
