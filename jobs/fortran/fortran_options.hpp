#pragma once
// The fortran job's command-line options.

#include <node_crunch/error.hpp>
#include <node_crunch/options.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "fortran_types.hpp"

namespace fortran {

struct Options {
  std::uint64_t width = 1200;
  std::uint64_t height = 900;
  std::uint32_t max_iter = 2000;
  std::uint64_t chunk_height = 16;
  // Seahorse valley, between the main cardioid and the period-2 bulb.
  double re_min = -0.7530, re_max = -0.7370, im_min = 0.0960, im_max = 0.1080;
  std::string kernel = "fortran";
  std::string output = "fortran.h5";

  void declare(nc::OptionSet& o) {
    o.add("--width", width, "Picture width in pixels");
    o.add("--height", height, "Picture height in pixels");
    o.add("--max-iter", max_iter, "Iterations before a point counts as inside the set");
    o.add("--chunk-height", chunk_height, "Rows per chunk");
    o.add("--re-min", re_min, "Real part at the left edge");
    o.add("--re-max", re_max, "Real part at the right edge");
    o.add("--im-min", im_min, "Imaginary part at the top edge");
    o.add("--im-max", im_max, "Imaginary part at the bottom edge");
    o.add("--kernel", kernel, "Which kernel the nodes run: fortran, or its C++ twin cpp");
    o.add("--output", output, "HDF5 file to write (dataset /escape_time, uint32, [height][width])");
  }

  /// Where an interrupted run keeps its finished chunks (--resume reads it back).
  [[nodiscard]] std::string checkpoint_path() const { return output + ".checkpoint"; }
  /// What a finished run leaves: with it there and no checkpoint, --resume has nothing to do.
  [[nodiscard]] std::string output_path() const { return output; }
  void validate() const {
    if (width == 0 || height == 0) throw nc::UsageError("--width and --height must be at least 1");
    if (width > kLargest || height > kLargest)
      throw nc::UsageError("--width and --height must be at most 2^31 - 1");
    if (chunk_height == 0) throw nc::UsageError("--chunk-height must be at least 1");
    if (max_iter == 0 || max_iter > kLargest)
      throw nc::UsageError("--max-iter must be 1 .. 2^31 - 1 (Fortran has no unsigned integers)");
    if (!(re_min < re_max) || !(im_min < im_max))
      throw nc::UsageError("the region must have --re-min < --re-max and --im-min < --im-max");
    if (kernel != "fortran" && kernel != "cpp")
      throw nc::UsageError("--kernel must be fortran or cpp, not '" + kernel + "'");
    if (output.empty()) throw nc::UsageError("--output must name a file");
  }

  [[nodiscard]] Region region() const {
    return Region{width,  height, max_iter, re_min,
                  re_max, im_min, im_max,   kernel == "fortran" ? Kernel::fortran : Kernel::cpp};
  }

 private:
  static constexpr std::uint64_t kLargest = std::numeric_limits<std::int32_t>::max();
};

}  // namespace fortran
