#pragma once
// Writes full-width bands of a uint32 grid to an HDF5 dataset with the plain HDF5 C API: the
// same dataset jobs/mandel writes (/mandel, [height][width], one HDF5 chunk per band), so the
// farm's output can be compared with h5diff. Unlike node_crunch it writes in place, without a
// temporary name, fsync or attributes.

#include <hdf5.h>

#include <cstdint>
#include <string>

namespace farm {

class BandWriter {
 public:
  BandWriter(const std::string& path, std::uint64_t width, std::uint64_t height,
             std::uint64_t band_rows);
  ~BandWriter();
  BandWriter(const BandWriter&) = delete;
  BandWriter& operator=(const BandWriter&) = delete;

  /// `values`: rows x width uint32 in native order, row by row (any alignment).
  void write(std::uint64_t y, std::uint64_t rows, const void* values);

 private:
  hid_t file_ = -1;
  hid_t dataset_ = -1;
  std::uint64_t width_;
};

}  // namespace farm
