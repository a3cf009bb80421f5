#pragma once
// The path tracer itself, shared by the nodes and by --sequential.

#include <node_crunch/array2d_chunk.hpp>

#include <cstdint>
#include <vector>

#include "raytrace_types.hpp"

namespace raytrace {

/// The colour of pixel (x, y) (y = 0 is the top row): the mean over scene.samples paths of the
/// light they bring back from the sky, each path bouncing at most scene.max_depth times.
/// Every random number comes from (x, y, sample); compiled without floating-point contraction,
/// so every machine gets the same bits.
Vec3 render_pixel(const Scene& scene, std::uint64_t x, std::uint64_t y);

/// The colours of a rectangle, row by row, 3 floats (linear r, g, b) per pixel.
std::vector<float> render(const Scene& scene, const nc::ChunkRect& rect);

}  // namespace raytrace
