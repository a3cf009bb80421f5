#pragma once
// The Mandelbrot job's command-line options.

#include <node_crunch/error.hpp>
#include <node_crunch/options.hpp>

#include <cstdint>
#include <string>

#include "mandel_types.hpp"

namespace mandel {

struct Options {
  std::uint64_t width = 1600;
  std::uint64_t height = 1200;
  std::uint32_t max_iter = 1000;
  std::uint64_t chunk_width = 0;  // 0: full-width bands
  std::uint64_t chunk_height = 16;
  double re_min = -2.0, re_max = 1.0, im_min = -1.5, im_max = 1.5;
  std::string output = "mandel.h5";
  std::string png;
  std::int32_t deflate = 0;

  void declare(nc::OptionSet& o) {
    o.add("--width", width, "Picture width in pixels");
    o.add("--height", height, "Picture height in pixels");
    o.add("--max-iter", max_iter, "Iterations before a point counts as inside the set");
    o.add("--chunk-width", chunk_width, "Chunk width in pixels (0: the whole width)");
    o.add("--chunk-height", chunk_height, "Chunk height in rows");
    o.add("--re-min", re_min, "Real part at the left edge");
    o.add("--re-max", re_max, "Real part at the right edge");
    o.add("--im-min", im_min, "Imaginary part at the top edge");
    o.add("--im-max", im_max, "Imaginary part at the bottom edge");
    o.add("--output", output, "HDF5 file to write (dataset /mandel, uint32, [height][width])");
    o.add("--png", png, "Also write a picture to this PNG file");
    o.add("--deflate", deflate, "HDF5 compression level, 0 (off) to 9").range(0, 9);
  }

  /// Where an interrupted run keeps its finished chunks (--resume reads it back).
  [[nodiscard]] std::string checkpoint_path() const { return output + ".checkpoint"; }
  /// What a finished run leaves: with it there and no checkpoint, --resume has nothing to do.
  [[nodiscard]] std::string output_path() const { return output; }
  void validate() const {
    if (width == 0 || height == 0) throw nc::UsageError("--width and --height must be at least 1");
    if (chunk_height == 0) throw nc::UsageError("--chunk-height must be at least 1");
    if (max_iter == 0) throw nc::UsageError("--max-iter must be at least 1");
    if (!(re_min < re_max) || !(im_min < im_max)) {
      throw nc::UsageError("the region must have --re-min < --re-max and --im-min < --im-max");
    }
    if (output.empty()) throw nc::UsageError("--output must name a file");
  }

  [[nodiscard]] Params params() const {
    return Params{width, height, max_iter, re_min, re_max, im_min, im_max};
  }
  [[nodiscard]] std::uint64_t effective_chunk_width() const {
    return chunk_width == 0 ? width : chunk_width;
  }
};

}  // namespace mandel
