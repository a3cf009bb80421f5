#pragma once
// The picture on its way to disk: bands go into the HDF5 file as they arrive (the server
// writes while the nodes compute, and an unwritable --output fails before any work is done);
// the file gets the parameters as attributes and its real name at the end. The grid is kept in
// memory only when a PNG is asked for.

#include <node_crunch/array2d.hpp>
#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/build_config.hpp>
#if NC_HAVE_HDF5
#include <node_crunch/hdf5.hpp>
#endif

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "mandel_options.hpp"

namespace mandel {

class Output {
 public:
  explicit Output(const Options& options);
  /// Writes one computed rectangle.
  void add(const nc::ChunkRect& rect, std::span<const std::uint32_t> values);
  /// Gives the HDF5 file its attributes and its name, and writes the PNG.
  void finish();

 private:
  Options options_;
#if NC_HAVE_HDF5
  std::unique_ptr<nc::hdf5::Array2DWriter<std::uint32_t>> hdf5_;
#endif
  std::optional<nc::Array2D<std::uint32_t>> picture_;  // only for --png
};

}  // namespace mandel
