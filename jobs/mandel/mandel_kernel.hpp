#pragma once
// The computation itself, shared by the nodes and by --sequential.

#include <cstdint>
#include <vector>

#include "mandel_types.hpp"

namespace mandel {

/// Pixel (x, y) is c = (re_min + x*(re_max-re_min)/width) + i*(im_min + y*(im_max-im_min)/height);
/// z = 0; for n = 0..max_iter-1: z = z*z + c; the value is the first n with |z|^2 > 4, or max_iter.
/// Compiled without floating-point contraction, so every machine gets the same bits.
std::uint32_t escape_time(const Params& p, std::uint64_t x, std::uint64_t y);

/// The escape times of a rectangle, row by row.
std::vector<std::uint32_t> compute(const Params& p, const nc::ChunkRect& rect);

}  // namespace mandel
