#pragma once
// The Mandelbrot picture in full-width bands: a task is (first row, rows), a result is the
// same header followed by the band's escape times. The master copies each band into its
// grid, or, given an output file, writes it to HDF5 as it arrives (as jobs/mandel does).

#include <memory>
#include <string>
#include <vector>

#include "band_writer.hpp"
#include "farm.hpp"
#include "mandel_kernel.hpp"

namespace farm {

class MandelWorkload final : public Workload {
 public:
  MandelWorkload(const Picture& picture, std::uint64_t band_rows, std::string output,
                 bool is_master);

  [[nodiscard]] std::uint64_t task_count() const override;
  [[nodiscard]] std::size_t task_bytes() const override { return kHeader; }
  [[nodiscard]] std::size_t result_bytes() const override;
  void make_task(std::uint64_t index, std::byte* out) override;
  std::size_t run_task(const std::byte* task, std::byte* result) override;
  void take_result(const std::byte* result, std::size_t size) override;
  /// Closes the output file, so that the time the master reports includes writing it.
  void finish() override { writer_.reset(); }

 private:
  static constexpr std::size_t kHeader = 16;  // first row, rows: two u64

  Picture picture_;
  std::uint64_t band_rows_;
  std::unique_ptr<BandWriter> writer_;  // master, with an output file
  std::vector<std::uint32_t> grid_;     // master, without one
  std::vector<std::uint32_t> band_;     // worker: the band being computed
};

}  // namespace farm
