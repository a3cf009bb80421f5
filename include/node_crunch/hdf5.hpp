#pragma once
/// Writing a job's results to HDF5 (a grid, or a table with a row per task), with the job's
/// parameters as attributes, and reading them back.
///
///   nc::hdf5::write_array2d("mandel.h5", "mandel", grid,
///                           {{"max_iter", std::uint64_t{1000}}, {"re_min", -2.0}},
///                           {.deflate = 4});
///   auto back = nc::hdf5::read_array2d<std::uint32_t>("mandel.h5", "mandel");   // == grid
/// The dataset has shape [height][width] and is stored in chunks (optionally compressed), so
/// h5py or h5dump read any part of it quickly. A file is written under a temporary name and
/// renamed when complete: a full disk or a crash never leaves a half-written file in its place.
/// Supported element types: (u)int8/16/32/64, float, double.
/// The examples in this header are compiled and run in tests/unit/test_header_examples.cpp:
/// change both together.
/// Thread safety: HDF5 itself is not thread-safe; call these from one thread at a time.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "node_crunch/array2d.hpp"

namespace nc::hdf5 {

using AttributeValue = std::variant<std::int64_t, std::uint64_t, double, std::string>;
using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

struct WriteOptions {
  /// The HDF5 chunk shape, used only when both are set (and clipped to the grid). Otherwise
  /// chunks of about 1 MiB, whole rows where a row fits: a reader of rows or bands then
  /// decompresses little it does not need.
  std::size_t chunk_rows = 0;
  std::size_t chunk_cols = 0;
  int deflate = 0;  ///< 0 (off) to 9
};

/// Writes a grid region by region as its results arrive, under a temporary name that commit()
/// renames into place: the server writes while the nodes compute, an output that cannot be
/// written fails at once instead of at the end, and a crash never leaves a partial file under
/// the real name. Regions not written read as 0.
///
///   nc::hdf5::Array2DWriter<std::uint32_t> out("mandel.h5", "mandel", 1024, 1024,
///                                              {.chunk_rows = 16, .chunk_cols = 1024});
///   out.write_region(0, 32, 1024, 16, band);     // whenever a band arrives
///   out.commit({{"max_iter", std::uint64_t{1000}}});
/// Thread safety: one thread at a time (HDF5 is not thread-safe).
template <class T>
class Array2DWriter {
 public:
  Array2DWriter(const std::string& path, const std::string& dataset, std::size_t width,
                std::size_t height, const WriteOptions& options = {});
  ~Array2DWriter();  // without commit(): the temporary file is removed
  Array2DWriter(const Array2DWriter&) = delete;
  Array2DWriter& operator=(const Array2DWriter&) = delete;

  /// Writes `values` (row-major, w*h of them) at (x, y).
  void write_region(std::size_t x, std::size_t y, std::size_t w, std::size_t h,
                    std::span<const T> values);
  /// Adds the attributes, flushes to disk and renames the file into place.
  void commit(const Attributes& attributes = {});

 private:
  struct Impl;
  Impl* impl_;
};

template <class T>
void write_array2d(const std::string& path, const std::string& dataset, const Array2D<T>& array,
                   const Attributes& attributes = {}, const WriteOptions& options = {});

template <class T>
[[nodiscard]] Array2D<T> read_array2d(const std::string& path, const std::string& dataset);

/// The attributes of a dataset, in the order HDF5 lists them (by name).
[[nodiscard]] Attributes read_attributes(const std::string& path, const std::string& dataset);

/// One named column of a table: every column of a table holds one value per row.
struct Column {
  using Values =
      std::variant<std::vector<std::int64_t>, std::vector<std::uint64_t>, std::vector<double>>;
  std::string name;
  Values values;

  [[nodiscard]] std::size_t size() const {
    return std::visit([](const auto& v) { return v.size(); }, values);
  }
  bool operator==(const Column&) const = default;
};
using Columns = std::vector<Column>;

/// Writes a table: a one-dimensional dataset of a compound type with one member per column, in
/// the columns' order, and the attributes on it. h5py reads it as a structured array
/// (`f["tasks"]["hits"]`), h5dump shows it row by row. Like write_array2d, the file is written
/// under a temporary name and renamed when complete.
///
///   nc::hdf5::write_table("pi.h5", "tasks",
///                         {{"task", std::vector<std::uint64_t>{0, 1}},
///                          {"estimate", std::vector<double>{3.1412, 3.1419}}},
///                         {{"estimate", 3.14155}});
/// Columns must have distinct, non-empty names and the same number of rows (zero is allowed).
/// Thread safety: one thread at a time (HDF5 is not thread-safe).
void write_table(const std::string& path, const std::string& dataset, const Columns& columns,
                 const Attributes& attributes = {});

/// Reads a table written by write_table (or any one-dimensional compound dataset whose members
/// are integers or floating-point numbers): signed integers come back as int64, unsigned ones
/// as uint64, floating-point ones as double, in the members' order.
[[nodiscard]] Columns read_table(const std::string& path, const std::string& dataset);

}  // namespace nc::hdf5
