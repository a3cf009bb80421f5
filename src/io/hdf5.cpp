#include "node_crunch/hdf5.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "io/atomic_file.hpp"
#include "io/hdf5_handle.hpp"

namespace nc::hdf5 {
namespace detail {

// HDF5's error stack, condensed: the outermost account of what failed, and the system's
// reason if HDF5 recorded one ("unable to create file (No such file or directory)").
std::string error_stack() {
  struct Walk {
    std::string outer;
    std::string system;
  } walk;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned /*n*/, const H5E_error2_t* error, void* data) -> herr_t {
        auto& w = *static_cast<Walk*>(data);
        const std::string desc = error->desc != nullptr ? error->desc : "";
        if (w.outer.empty()) w.outer = desc;
        const std::string marker = "error message = '";
        if (const auto at = desc.find(marker); at != std::string::npos) {
          const auto from = at + marker.size();
          w.system = desc.substr(from, desc.find('\'', from) - from);
        }
        return 0;
      },
      &walk);
  H5Eclear2(H5E_DEFAULT);
  if (walk.outer.empty()) return "unknown HDF5 error";
  return walk.system.empty() ? walk.outer : walk.outer + " (" + walk.system + ")";
}

void silence_automatic_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace detail

namespace {

using detail::check;
using detail::Handle;

template <class T>
struct TypeOf;
#define NC_HDF5_TYPE(T, MEMORY, FILE)        \
  template <>                                \
  struct TypeOf<T> {                         \
    static hid_t memory() { return MEMORY; } \
    static hid_t file() { return FILE; }     \
  };
NC_HDF5_TYPE(std::uint8_t, H5T_NATIVE_UINT8, H5T_STD_U8LE)
NC_HDF5_TYPE(std::uint16_t, H5T_NATIVE_UINT16, H5T_STD_U16LE)
NC_HDF5_TYPE(std::uint32_t, H5T_NATIVE_UINT32, H5T_STD_U32LE)
NC_HDF5_TYPE(std::uint64_t, H5T_NATIVE_UINT64, H5T_STD_U64LE)
NC_HDF5_TYPE(std::int8_t, H5T_NATIVE_INT8, H5T_STD_I8LE)
NC_HDF5_TYPE(std::int16_t, H5T_NATIVE_INT16, H5T_STD_I16LE)
NC_HDF5_TYPE(std::int32_t, H5T_NATIVE_INT32, H5T_STD_I32LE)
NC_HDF5_TYPE(std::int64_t, H5T_NATIVE_INT64, H5T_STD_I64LE)
NC_HDF5_TYPE(float, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE)
NC_HDF5_TYPE(double, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE)
#undef NC_HDF5_TYPE

void write_attribute(hid_t dataset, const std::string& name, const AttributeValue& value) {
  const std::string what = "writing attribute '" + name + "'";
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, what);
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) {
          Handle type(H5Tcopy(H5T_C_S1), H5Tclose, what);
          check(H5Tset_size(type.get(), std::max<std::size_t>(1, v.size())), what);
          check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), what);
          Handle attribute(
              H5Acreate2(dataset, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, what);
          std::string padded = v.empty() ? std::string(1, '\0') : v;
          check(H5Awrite(attribute.get(), type.get(), padded.data()), what);
          attribute.close(what);
        } else {
          Handle attribute(H5Acreate2(dataset, name.c_str(), TypeOf<V>::file(), space.get(),
                                      H5P_DEFAULT, H5P_DEFAULT),
                           H5Aclose, what);
          check(H5Awrite(attribute.get(), TypeOf<V>::memory(), &v), what);
          attribute.close(what);
        }
      },
      value);
}

std::array<hsize_t, 2> chunk_shape(std::size_t height, std::size_t width, std::size_t element,
                                   const WriteOptions& o) {
  if (o.chunk_rows != 0 && o.chunk_cols != 0) {
    return {std::min<hsize_t>(o.chunk_rows, height), std::min<hsize_t>(o.chunk_cols, width)};
  }
  constexpr std::size_t kTarget = std::size_t{1} << 20;  // about 1 MiB per chunk
  const std::size_t cols = std::max<std::size_t>(1, std::min(width, kTarget / element));
  const std::size_t rows = std::max<std::size_t>(1, std::min(height, kTarget / (cols * element)));
  return {rows, cols};
}

}  // namespace

template <class T>
struct Array2DWriter<T>::Impl {
  Impl(const std::string& path_, const std::string& dataset_, std::size_t width_,
       std::size_t height_)
      : path(path_), dataset(dataset_), width(width_), height(height_), on_disk(path_) {}
  std::string path;
  std::string dataset;
  std::size_t width;
  std::size_t height;
  ::nc::detail::AtomicFile on_disk;
  Handle file;
  Handle data;
  std::size_t unsynced_bytes = 0;  // written since the last writeback was started
};

namespace {
// Start the kernel's writeback every this many bytes, so the final flush is short.
constexpr std::size_t kWritebackEvery = std::size_t{16} << 20;
}  // namespace

template <class T>
Array2DWriter<T>::Array2DWriter(const std::string& path, const std::string& dataset,
                                std::size_t width, std::size_t height,
                                const WriteOptions& options) {
  if (width == 0 || height == 0) throw IoError("cannot write an empty grid to " + path);
  if (options.deflate < 0 || options.deflate > 9) throw IoError("deflate level must be 0..9");
  detail::silence_automatic_errors();
  auto impl = std::make_unique<Impl>(path, dataset, width, height);
  const std::string what = "writing " + path;
  impl->file =
      Handle(H5Fcreate(impl->on_disk.temporary().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
             H5Fclose, what + " (creating the file)");
  const std::array<hsize_t, 2> dims{height, width};
  Handle space(H5Screate_simple(2, dims.data(), nullptr), H5Sclose, what);
  Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
  const auto chunk = chunk_shape(height, width, sizeof(T), options);
  check(H5Pset_chunk(properties.get(), 2, chunk.data()), what);
  if (options.deflate > 0) {
    check(H5Pset_shuffle(properties.get()), what);
    check(H5Pset_deflate(properties.get(), static_cast<unsigned>(options.deflate)), what);
  }
  impl->data = Handle(H5Dcreate2(impl->file.get(), dataset.c_str(), TypeOf<T>::file(), space.get(),
                                 H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                      H5Dclose, what + " (creating dataset '" + dataset + "')");
  impl_ = impl.release();
}

template <class T>
Array2DWriter<T>::~Array2DWriter() {
  delete impl_;
}

template <class T>
void Array2DWriter<T>::write_region(std::size_t x, std::size_t y, std::size_t w, std::size_t h,
                                    std::span<const T> values) {
  if (impl_ == nullptr) throw IoError("the writer was committed already");
  const std::string what = "writing " + impl_->path;
  if (x > impl_->width || y > impl_->height || w > impl_->width - x || h > impl_->height - y ||
      w == 0 || h == 0) {
    throw IoError(what + ": region " + std::to_string(w) + "x" + std::to_string(h) + " at (" +
                  std::to_string(x) + ", " + std::to_string(y) + ") does not fit the grid");
  }
  if (values.size() != w * h)
    throw IoError(what + ": " + std::to_string(values.size()) + " values for a region of " +
                  std::to_string(w * h));
  Handle file_space(H5Dget_space(impl_->data.get()), H5Sclose, what);
  const std::array<hsize_t, 2> start{y, x};
  const std::array<hsize_t, 2> count{h, w};
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        what);
  Handle memory_space(H5Screate_simple(2, count.data(), nullptr), H5Sclose, what);
  check(H5Dwrite(impl_->data.get(), TypeOf<T>::memory(), memory_space.get(), file_space.get(),
                 H5P_DEFAULT, values.data()),
        what + " (the data)");
  impl_->unsynced_bytes += values.size_bytes();
  if (impl_->unsynced_bytes >= kWritebackEvery) {
    check(H5Fflush(impl_->file.get(), H5F_SCOPE_LOCAL), what);
    impl_->on_disk.start_writeback();
    impl_->unsynced_bytes = 0;
  }
}

template <class T>
void Array2DWriter<T>::commit(const Attributes& attributes) {
  if (impl_ == nullptr) throw IoError("the writer was committed already");
  const std::unique_ptr<Impl> impl(std::exchange(impl_, nullptr));
  const std::string what = "writing " + impl->path;
  for (const auto& [name, value] : attributes)
    write_attribute(impl->data.get(), name, value);
  impl->data.close(what);
  impl->file.close(what + " (flushing to disk)");
  impl->on_disk.commit();
}

template <class T>
void write_array2d(const std::string& path, const std::string& dataset, const Array2D<T>& array,
                   const Attributes& attributes, const WriteOptions& options) {
  if (array.width() == 0 || array.height() == 0)
    throw IoError("cannot write an empty grid to " + path);
  Array2DWriter<T> writer(path, dataset, array.width(), array.height(), options);
  writer.write_region(0, 0, array.width(), array.height(), array.data());
  writer.commit(attributes);
}

template <class T>
Array2D<T> read_array2d(const std::string& path, const std::string& dataset) {
  detail::silence_automatic_errors();
  const std::string what = "reading '" + dataset + "' from " + path;
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, what);
  Handle data(H5Dopen2(file.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose, what);
  Handle space(H5Dget_space(data.get()), H5Sclose, what);
  if (H5Sget_simple_extent_ndims(space.get()) != 2)
    throw IoError(what + ": the dataset is not two-dimensional");
  std::array<hsize_t, 2> dims{};
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), what);
  Array2D<T> array(static_cast<std::size_t>(dims[1]), static_cast<std::size_t>(dims[0]));
  check(
      H5Dread(data.get(), TypeOf<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, array.data().data()),
      what);
  return array;
}

namespace {

struct AttributeWalk {
  Attributes attributes;
  std::string what;
  std::string error;
};

AttributeValue read_attribute(hid_t location, const char* name, const std::string& what) {
  Handle attribute(H5Aopen(location, name, H5P_DEFAULT), H5Aclose, what);
  Handle type(H5Aget_type(attribute.get()), H5Tclose, what);
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER: {
      if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
        std::uint64_t value = 0;
        check(H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value), what);
        return value;
      }
      std::int64_t value = 0;
      check(H5Aread(attribute.get(), H5T_NATIVE_INT64, &value), what);
      return value;
    }
    case H5T_FLOAT: {
      double value = 0;
      check(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value), what);
      return value;
    }
    case H5T_STRING: {
      if (H5Tis_variable_str(type.get()) > 0)
        throw IoError(what + ": variable-length string attributes are not supported");
      std::string value(H5Tget_size(type.get()), '\0');
      check(H5Aread(attribute.get(), type.get(), value.data()), what);
      value.resize(std::strlen(value.c_str()));
      return value;
    }
    default:
      throw IoError(what + ": attribute '" + name + "' is of a kind node_crunch does not read");
  }
}

herr_t collect_attribute(hid_t location, const char* name, const H5A_info_t* /*info*/, void* data) {
  auto& walk = *static_cast<AttributeWalk*>(data);
  try {
    walk.attributes.emplace_back(name, read_attribute(location, name, walk.what));
  } catch (const std::exception& e) {
    walk.error = e.what();
    return -1;
  }
  return 0;
}

}  // namespace

Attributes read_attributes(const std::string& path, const std::string& dataset) {
  detail::silence_automatic_errors();
  AttributeWalk walk{{}, "reading the attributes of '" + dataset + "' in " + path, {}};
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, walk.what);
  Handle data(H5Dopen2(file.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose, walk.what);
  hsize_t index = 0;
  const herr_t status =
      H5Aiterate2(data.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &walk);
  if (!walk.error.empty()) throw IoError(walk.error);
  check(status, walk.what);
  return walk.attributes;
}

namespace {

// Every column type is eight bytes wide, so a row is eight bytes per column, packed.
constexpr std::size_t kCellBytes = 8;

template <class V>
using ElementOf = typename V::value_type;

void check_columns(const Columns& columns, const std::string& what) {
  if (columns.empty()) throw IoError(what + ": a table needs at least one column");
  std::set<std::string> names;
  for (const Column& column : columns) {
    if (column.name.empty()) throw IoError(what + ": a column has no name");
    if (!names.insert(column.name).second)
      throw IoError(what + ": two columns are named '" + column.name + "'");
    if (column.size() != columns.front().size()) {
      throw IoError(what + ": column '" + column.name + "' has " + std::to_string(column.size()) +
                    " rows but column '" + columns.front().name + "' has " +
                    std::to_string(columns.front().size()));
    }
  }
}

// The row type, as it lies in memory (native numbers) or in the file (little-endian).
Handle row_type(const Columns& columns, bool in_file, const std::string& what) {
  Handle type(H5Tcreate(H5T_COMPOUND, kCellBytes * columns.size()), H5Tclose, what);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const hid_t member = std::visit(
        [&](const auto& values) {
          using T = ElementOf<std::decay_t<decltype(values)>>;
          return in_file ? TypeOf<T>::file() : TypeOf<T>::memory();
        },
        columns[i].values);
    check(H5Tinsert(type.get(), columns[i].name.c_str(), i * kCellBytes, member), what);
  }
  return type;
}

// The columns interleaved into rows, the layout row_type(..., false) describes.
std::vector<unsigned char> pack_rows(const Columns& columns) {
  const std::size_t rows = columns.front().size();
  const std::size_t row_bytes = kCellBytes * columns.size();
  std::vector<unsigned char> packed(rows * row_bytes);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::visit(
        [&](const auto& values) {
          for (std::size_t r = 0; r < rows; ++r)
            std::memcpy(&packed[r * row_bytes + i * kCellBytes], &values[r], kCellBytes);
        },
        columns[i].values);
  }
  return packed;
}

// Reads one member of a compound dataset: HDF5 matches members by name.
template <class T>
std::vector<T> read_member(hid_t data, const std::string& name, std::size_t rows,
                           const std::string& what) {
  Handle only(H5Tcreate(H5T_COMPOUND, sizeof(T)), H5Tclose, what);
  check(H5Tinsert(only.get(), name.c_str(), 0, TypeOf<T>::memory()), what);
  std::vector<T> values(rows);
  if (rows > 0)
    check(H5Dread(data, only.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          what + " (column '" + name + "')");
  return values;
}

std::string member_name(hid_t type, unsigned index, const std::string& what) {
  char* name = H5Tget_member_name(type, index);
  if (name == nullptr) throw IoError(what + " failed: " + detail::error_stack());
  std::string copy(name);
  H5free_memory(name);
  return copy;
}

}  // namespace

void write_table(const std::string& path, const std::string& dataset, const Columns& columns,
                 const Attributes& attributes) {
  const std::string what = "writing table '" + dataset + "' to " + path;
  check_columns(columns, what);
  detail::silence_automatic_errors();
  ::nc::detail::AtomicFile on_disk(path);
  Handle file(H5Fcreate(on_disk.temporary().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
              H5Fclose, what + " (creating the file)");
  const std::array<hsize_t, 1> rows{columns.front().size()};
  Handle space(H5Screate_simple(1, rows.data(), nullptr), H5Sclose, what);
  Handle file_type = row_type(columns, true, what);
  Handle memory_type = row_type(columns, false, what);
  Handle data(H5Dcreate2(file.get(), dataset.c_str(), file_type.get(), space.get(), H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose, what + " (creating the dataset)");
  if (rows[0] > 0) {
    const std::vector<unsigned char> packed = pack_rows(columns);
    check(H5Dwrite(data.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()),
          what + " (the rows)");
  }
  for (const auto& [name, value] : attributes)
    write_attribute(data.get(), name, value);
  data.close(what);
  file.close(what + " (flushing to disk)");
  on_disk.commit();
}

Columns read_table(const std::string& path, const std::string& dataset) {
  detail::silence_automatic_errors();
  const std::string what = "reading table '" + dataset + "' from " + path;
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, what);
  Handle data(H5Dopen2(file.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose, what);
  Handle type(H5Dget_type(data.get()), H5Tclose, what);
  if (check(H5Tget_class(type.get()), what) != H5T_COMPOUND)
    throw IoError(what + ": the dataset is not a table (a compound dataset)");
  Handle space(H5Dget_space(data.get()), H5Sclose, what);
  if (H5Sget_simple_extent_ndims(space.get()) != 1)
    throw IoError(what + ": the dataset is not one-dimensional");
  std::array<hsize_t, 1> dims{};
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), what);
  const auto rows = static_cast<std::size_t>(dims[0]);

  Columns columns;
  const int members = check(H5Tget_nmembers(type.get()), what);
  for (unsigned m = 0; m < static_cast<unsigned>(members); ++m) {
    std::string name = member_name(type.get(), m, what);
    Handle member(H5Tget_member_type(type.get(), m), H5Tclose, what);
    switch (check(H5Tget_class(member.get()), what)) {
      case H5T_INTEGER:
        if (check(H5Tget_sign(member.get()), what) == H5T_SGN_NONE)
          columns.push_back({name, read_member<std::uint64_t>(data.get(), name, rows, what)});
        else
          columns.push_back({name, read_member<std::int64_t>(data.get(), name, rows, what)});
        break;
      case H5T_FLOAT:
        columns.push_back({name, read_member<double>(data.get(), name, rows, what)});
        break;
      default:
        throw IoError(what + ": column '" + name +
                      "' is neither an integer nor a floating-point number");
    }
  }
  return columns;
}

#define NC_INSTANTIATE(T)                                                                   \
  template class Array2DWriter<T>;                                                          \
  template void write_array2d<T>(const std::string&, const std::string&, const Array2D<T>&, \
                                 const Attributes&, const WriteOptions&);                   \
  template Array2D<T> read_array2d<T>(const std::string&, const std::string&);
NC_INSTANTIATE(std::uint8_t)
NC_INSTANTIATE(std::uint16_t)
NC_INSTANTIATE(std::uint32_t)
NC_INSTANTIATE(std::uint64_t)
NC_INSTANTIATE(std::int8_t)
NC_INSTANTIATE(std::int16_t)
NC_INSTANTIATE(std::int32_t)
NC_INSTANTIATE(std::int64_t)
NC_INSTANTIATE(float)
NC_INSTANTIATE(double)
#undef NC_INSTANTIATE

}  // namespace nc::hdf5
