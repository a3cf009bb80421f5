#include "node_crunch/hdf5.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "io/atomic_file.hpp"
#include "io/hdf5_handle.hpp"

namespace nc::hdf5 {
namespace detail {

std::string error_stack() {
  std::string text;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned /*n*/, const H5E_error2_t* error, void* data) -> herr_t {
        auto& out = *static_cast<std::string*>(data);
        if (!out.empty()) out += "; ";
        out += std::string(error->func_name ? error->func_name : "?") + ": " +
               (error->desc ? error->desc : "?");
        return 0;
      },
      &text);
  H5Eclear2(H5E_DEFAULT);
  return text.empty() ? "unknown HDF5 error" : text;
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
void write_array2d(const std::string& path, const std::string& dataset, const Array2D<T>& array,
                   const Attributes& attributes, const WriteOptions& options) {
  if (array.width() == 0 || array.height() == 0)
    throw IoError("cannot write an empty grid to " + path);
  if (options.deflate < 0 || options.deflate > 9) throw IoError("deflate level must be 0..9");
  detail::silence_automatic_errors();
  ::nc::detail::AtomicFile file_on_disk(path);
  const std::string what = "writing " + path;
  {
    Handle file(
        H5Fcreate(file_on_disk.temporary().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
        H5Fclose, what + " (creating the file)");
    const std::array<hsize_t, 2> dims{array.height(), array.width()};
    Handle space(H5Screate_simple(2, dims.data(), nullptr), H5Sclose, what);
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
    const auto chunk = chunk_shape(array.height(), array.width(), sizeof(T), options);
    check(H5Pset_chunk(properties.get(), 2, chunk.data()), what);
    if (options.deflate > 0) {
      check(H5Pset_shuffle(properties.get()), what);
      check(H5Pset_deflate(properties.get(), static_cast<unsigned>(options.deflate)), what);
    }
    Handle data(H5Dcreate2(file.get(), dataset.c_str(), TypeOf<T>::file(), space.get(), H5P_DEFAULT,
                           properties.get(), H5P_DEFAULT),
                H5Dclose, what + " (creating dataset '" + dataset + "')");
    check(H5Dwrite(data.get(), TypeOf<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                   array.data().data()),
          what + " (the data)");
    for (const auto& [name, value] : attributes)
      write_attribute(data.get(), name, value);
    data.close(what);
    file.close(what + " (flushing to disk)");
  }
  file_on_disk.commit();
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

#define NC_INSTANTIATE(T)                                                                   \
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
