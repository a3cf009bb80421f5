#include "band_writer.hpp"

#include <algorithm>
#include <stdexcept>

namespace farm {
namespace {
void check(herr_t status, const char* what) {
  if (status < 0) throw std::runtime_error(std::string("farm: HDF5 failed to ") + what);
}
}  // namespace

BandWriter::BandWriter(const std::string& path, std::uint64_t width, std::uint64_t height,
                       std::uint64_t band_rows)
    : width_(width) {
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw std::runtime_error("farm: cannot create " + path);
  const hsize_t shape[2] = {height, width};
  const hsize_t chunk[2] = {std::min(height, band_rows), width};
  const hid_t space = H5Screate_simple(2, shape, nullptr);
  const hid_t properties = H5Pcreate(H5P_DATASET_CREATE);
  check(H5Pset_chunk(properties, 2, chunk), "set the chunk shape");
  dataset_ =
      H5Dcreate2(file_, "mandel", H5T_NATIVE_UINT32, space, H5P_DEFAULT, properties, H5P_DEFAULT);
  H5Pclose(properties);
  H5Sclose(space);
  if (dataset_ < 0) throw std::runtime_error("farm: cannot create the dataset in " + path);
}

BandWriter::~BandWriter() {
  if (dataset_ >= 0) H5Dclose(dataset_);
  if (file_ >= 0) H5Fclose(file_);
}

void BandWriter::write(std::uint64_t y, std::uint64_t rows, const void* values) {
  const hsize_t start[2] = {y, 0};
  const hsize_t count[2] = {rows, width_};
  const hid_t file_space = H5Dget_space(dataset_);
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
        "select a band");
  const hid_t memory_space = H5Screate_simple(2, count, nullptr);
  const herr_t status =
      H5Dwrite(dataset_, H5T_NATIVE_UINT32, memory_space, file_space, H5P_DEFAULT, values);
  H5Sclose(memory_space);
  H5Sclose(file_space);
  check(status, "write a band");
}

}  // namespace farm
