// The bridge to Fortran: the subroutine's C prototype, and a wrapper that speaks C++ types.
#include <cstdint>

#include "escape_band.hpp"

// Declared in escape_band.f90 with bind(C, name="nc_escape_band_fortran"). Arguments with the
// Fortran attribute `value` are passed by value; arrays by a pointer to their first element; an
// `optional` argument left out is a null pointer.
extern "C" void nc_escape_band_fortran(std::int64_t width, std::int64_t height,
                                       std::int32_t max_iter, double re_min, double re_max,
                                       double im_min, double im_max, std::int64_t x0,
                                       std::int64_t y0, std::int64_t cols, std::int64_t rows,
                                       std::int32_t* counts, double* modulus2);

namespace fortran {

std::vector<std::uint32_t> escape_band_fortran(const Region& region, const nc::ChunkRect& rect,
                                               std::vector<double>* modulus2) {
  std::vector<std::int32_t> counts(rect.area());
  if (modulus2 != nullptr) modulus2->assign(rect.area(), 0.0);
  nc_escape_band_fortran(
      static_cast<std::int64_t>(region.width), static_cast<std::int64_t>(region.height),
      static_cast<std::int32_t>(region.max_iter), region.re_min, region.re_max, region.im_min,
      region.im_max, static_cast<std::int64_t>(rect.x), static_cast<std::int64_t>(rect.y),
      static_cast<std::int64_t>(rect.width), static_cast<std::int64_t>(rect.height), counts.data(),
      modulus2 != nullptr ? modulus2->data() : nullptr);
  return {counts.begin(), counts.end()};
}

}  // namespace fortran
