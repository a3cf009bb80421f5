#pragma once
// The scene: three large balls (diffuse, glass, mirror) on a checkered floor, ringed by small
// ones, under a sky with a low sun. The server builds it and sends it to every node.

#include "raytrace_options.hpp"
#include "raytrace_types.hpp"

namespace raytrace {

/// The scene at the size and quality the options ask for.
Scene make_scene(const Options& options);

}  // namespace raytrace
