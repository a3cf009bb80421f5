#pragma once
// Writing a finished picture: the escape counts to HDF5 with the parameters as attributes,
// and optionally a coloured PNG.

#include <node_crunch/array2d.hpp>

#include <cstdint>

#include "mandel_options.hpp"

namespace mandel {

void write_outputs(const Options& options, const nc::Array2D<std::uint32_t>& image);

}  // namespace mandel
