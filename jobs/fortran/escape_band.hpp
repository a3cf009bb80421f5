#pragma once
// The two twin kernels: the escape counts of a rectangle of the picture, row by row, computed
// by Fortran code (escape_band.f90) or by its C++ twin (escape_band_cpp.cpp). Both are compiled
// without floating-point contraction and give the same counts, bit for bit.

#include <node_crunch/array2d_chunk.hpp>

#include <cstdint>
#include <vector>

#include "fortran_types.hpp"

namespace fortran {

/// Calls the Fortran subroutine. Fortran has no unsigned integers: the counts travel as int32
/// (never negative, since max_iter <= 2^31 - 1) and come back as uint32. If `modulus2` is given,
/// it gets |z|^2 at each pixel's last step: the tests compare these reals, which show any
/// difference in rounding, where the counts rarely do.
std::vector<std::uint32_t> escape_band_fortran(const Region& region, const nc::ChunkRect& rect,
                                               std::vector<double>* modulus2 = nullptr);

/// The same computation in C++.
std::vector<std::uint32_t> escape_band_cpp(const Region& region, const nc::ChunkRect& rect,
                                           std::vector<double>* modulus2 = nullptr);

/// The kernel `region.kernel` names.
inline std::vector<std::uint32_t> escape_band(const Region& region, const nc::ChunkRect& rect) {
  return region.kernel == Kernel::fortran ? escape_band_fortran(region, rect)
                                          : escape_band_cpp(region, rect);
}

}  // namespace fortran
