#pragma once
// The Mandelbrot escape time, the formula of jobs/mandel/mandel_kernel.cpp, written out again
// so that the farm depends on nothing of node_crunch. Compiled with -ffp-contract=off like
// the job, so both produce the same bits.

#include <cstdint>

namespace farm {

struct Picture {
  std::uint64_t width = 4096;
  std::uint64_t height = 4096;
  std::uint32_t max_iter = 1000;
  double re_min = -2.0, re_max = 1.0, im_min = -1.5, im_max = 1.5;
};

/// Escape times of rows [y, y + rows), row by row, into `out`.
void compute_band(const Picture& p, std::uint64_t y, std::uint64_t rows, std::uint32_t* out);

}  // namespace farm
