#pragma once
/// Writing a job's grid to HDF5, with the job's parameters as attributes, and reading it back.
///
///   nc::hdf5::write_array2d("mandel.h5", "mandel", grid,
///                           {{"max_iter", std::uint64_t{1000}}, {"re_min", -2.0}},
///                           {.deflate = 4});
///   auto grid = nc::hdf5::read_array2d<std::uint32_t>("mandel.h5", "mandel");
/// The dataset has shape [height][width] and is stored in chunks (optionally compressed), so
/// h5py or h5dump read any part of it quickly. A file is written under a temporary name and
/// renamed when complete: a full disk or a crash never leaves a half-written file in its place.
/// Supported element types: (u)int8/16/32/64, float, double.
/// Thread safety: HDF5 itself is not thread-safe; call these from one thread at a time.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "node_crunch/array2d.hpp"

namespace nc::hdf5 {

using AttributeValue = std::variant<std::int64_t, std::uint64_t, double, std::string>;
using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

struct WriteOptions {
  std::size_t chunk_rows = 0;  ///< HDF5 chunk shape; 0 picks about 1 MiB per chunk
  std::size_t chunk_cols = 0;
  int deflate = 0;  ///< 0 (off) to 9
};

template <class T>
void write_array2d(const std::string& path, const std::string& dataset, const Array2D<T>& array,
                   const Attributes& attributes = {}, const WriteOptions& options = {});

template <class T>
[[nodiscard]] Array2D<T> read_array2d(const std::string& path, const std::string& dataset);

/// The attributes of a dataset, in the order HDF5 lists them (by name).
[[nodiscard]] Attributes read_attributes(const std::string& path, const std::string& dataset);

}  // namespace nc::hdf5
