#pragma once
// The ray-tracing job's command-line options.

#include <node_crunch/error.hpp>
#include <node_crunch/options.hpp>

#include <cstdint>
#include <string>

namespace raytrace {

struct Options {
  std::uint64_t width = 640;
  std::uint64_t height = 360;
  std::uint32_t samples = 32;
  std::uint32_t max_depth = 12;
  std::uint64_t chunk_height = 4;
  std::string output = "raytrace.h5";
  std::string png;

  void declare(nc::OptionSet& o) {
    o.add("--width", width, "Picture width in pixels");
    o.add("--height", height, "Picture height in pixels");
    o.add("--samples", samples, "Paths per pixel (more: less noise, proportionally slower)");
    o.add("--max-depth", max_depth, "Bounces before a path counts as black");
    o.add("--chunk-height", chunk_height, "Rows per chunk");
    o.add("--output", output,
          "HDF5 file to write (dataset /image, float32, [height][3*width], linear RGB)");
    o.add("--png", png, "Also write the picture to this PNG file (gamma 2.2)");
  }

  /// Where an interrupted run keeps its finished chunks (--resume reads it back).
  [[nodiscard]] std::string checkpoint_path() const { return output + ".checkpoint"; }
  /// What a finished run leaves: with it there and no checkpoint, --resume has nothing to do.
  [[nodiscard]] std::string output_path() const { return output; }
  void validate() const {
    if (width == 0 || height == 0) throw nc::UsageError("--width and --height must be at least 1");
    if (width > (std::uint64_t{1} << 24) || height > (std::uint64_t{1} << 24))
      throw nc::UsageError("--width and --height must be at most 16777216");
    if (samples == 0) throw nc::UsageError("--samples must be at least 1");
    if (max_depth == 0) throw nc::UsageError("--max-depth must be at least 1");
    if (chunk_height == 0) throw nc::UsageError("--chunk-height must be at least 1");
    if (output.empty()) throw nc::UsageError("--output must name a file");
  }
};

}  // namespace raytrace
