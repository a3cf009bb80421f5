#include "io/checkpoint.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "io/atomic_file.hpp"
#include "io/hdf5_handle.hpp"
#include "node_crunch/build_config.hpp"
#include "node_crunch/error.hpp"

namespace nc::detail {
namespace {

using hdf5::detail::check;
using hdf5::detail::Handle;

constexpr const char* kFormat = "node_crunch checkpoint 1";

// SWMR needs the newest file format.
Handle file_access() {
  Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "checkpoint: file access");
  check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
        "checkpoint: format");
  return access;
}

Handle appendable(hid_t file, const char* name, hid_t type, hsize_t chunk,
                  const std::string& what) {
  const hsize_t zero = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  Handle space(H5Screate_simple(1, &zero, &unlimited), H5Sclose, what);
  Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
  check(H5Pset_chunk(properties.get(), 1, &chunk), what);
  return Handle(
      H5Dcreate2(file, name, type, space.get(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
      H5Dclose, what + " (creating " + name + ")");
}

void write_text_attribute(hid_t location, const char* name, const std::string& text,
                          const std::string& what) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, what);
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, what);
  check(H5Tset_size(type.get(), std::max<std::size_t>(1, text.size())), what);
  Handle attribute(H5Acreate2(location, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, what);
  const std::string padded = text.empty() ? std::string(1, '\0') : text;
  check(H5Awrite(attribute.get(), type.get(), padded.data()), what);
}

std::string read_text_attribute(hid_t location, const char* name, const std::string& what) {
  if (H5Aexists(location, name) <= 0)
    throw IoError(what + ": no attribute '" + name + "': not a node_crunch checkpoint");
  Handle attribute(H5Aopen(location, name, H5P_DEFAULT), H5Aclose, what);
  Handle type(H5Aget_type(attribute.get()), H5Tclose, what);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0) {
    throw IoError(what + ": attribute '" + name + "' is not text");
  }
  std::string text(H5Tget_size(type.get()), '\0');
  check(H5Aread(attribute.get(), type.get(), text.data()), what);
  text.resize(std::strlen(text.c_str()));
  return text;
}

// Appends `count` elements to a 1-D dataset.
void append_to(hid_t dataset, hid_t memory_type, const void* data, hsize_t count,
               const std::string& what) {
  if (count == 0) return;
  Handle space(H5Dget_space(dataset), H5Sclose, what);
  hsize_t size = 0;
  check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), what);
  const hsize_t grown = size + count;
  check(H5Dset_extent(dataset, &grown), what + " (growing the file)");
  Handle file_space(H5Dget_space(dataset), H5Sclose, what);
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &size, nullptr, &count, nullptr),
        what);
  Handle memory_space(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
  check(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, data),
        what);
}

hsize_t length_of(hid_t dataset, const std::string& what) {
  Handle space(H5Dget_space(dataset), H5Sclose, what);
  if (H5Sget_simple_extent_ndims(space.get()) != 1)
    throw IoError(what + ": a dataset is not one-dimensional");
  hsize_t size = 0;
  check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), what);
  return size;
}

template <class T>
std::vector<T> read_prefix(hid_t dataset, hid_t memory_type, hsize_t count,
                           const std::string& what) {
  if (count == 0) return {};
  // A damaged file may claim any length; what it really holds bounds what is allocated. The
  // writer fills every element it declares, so honest data is never below this.
  Handle file_type(H5Dget_type(dataset), H5Tclose, what);
  const std::size_t element = H5Tget_size(file_type.get());
  if (element == 0 || count > H5Dget_storage_size(dataset) / element)
    throw IoError(what + ": it is damaged (a dataset claims more than the file holds)");
  std::vector<T> out(static_cast<std::size_t>(count));
  Handle file_space(H5Dget_space(dataset), H5Sclose, what);
  const hsize_t start = 0;
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr),
        what);
  Handle memory_space(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
  check(
      H5Dread(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, out.data()),
      what);
  return out;
}

std::string parameter_differences(const std::string& recorded, const std::string& now) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
      const auto end = text.find('\n', at);
      out.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
      if (end == std::string::npos) break;
      at = end + 1;
    }
    return out;
  };
  const auto before = lines(recorded);
  const auto after = lines(now);
  std::string diff;
  for (const auto& line : before) {
    if (std::find(after.begin(), after.end(), line) == after.end())
      diff += "\n  checkpoint: " + line;
  }
  for (const auto& line : after) {
    if (std::find(before.begin(), before.end(), line) == before.end())
      diff += "\n  this run:   " + line;
  }
  return diff;
}

}  // namespace

std::string RunIdentity::parameters_text() const {
  std::string text;
  for (const auto& [name, value] : parameters)
    text += name + "=" + value + "\n";
  return text;
}

std::vector<CheckpointRecord> read_checkpoint(const std::string& path,
                                              const RunIdentity& expected) {
  hdf5::detail::silence_automatic_errors();
  const std::string what = "reading the checkpoint " + path;
  const Handle access = file_access();
  // SWMR read also opens a file whose writer was killed before it could close it.
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access.get()), H5Fclose,
              what + " (damaged or not a checkpoint? delete it to start over)");
  if (read_text_attribute(file.get(), "format", what) != kFormat)
    throw IoError(what + ": unknown checkpoint format");
  const std::string job = read_text_attribute(file.get(), "job", what);
  if (job != expected.job) {
    throw UsageError("the checkpoint " + path + " belongs to job '" + job + "', not '" +
                     expected.job + "'");
  }
  const std::string recorded = read_text_attribute(file.get(), "parameters", what);
  if (recorded != expected.parameters_text()) {
    throw UsageError(
        "the checkpoint " + path +
        " was made with other parameters; resume with the same options, or " +
        "delete it to start over:" + parameter_differences(recorded, expected.parameters_text()));
  }
  Handle chunks(H5Dopen2(file.get(), "chunks", H5P_DEFAULT), H5Dclose, what);
  Handle ends(H5Dopen2(file.get(), "ends", H5P_DEFAULT), H5Dclose, what);
  Handle bytes(H5Dopen2(file.get(), "bytes", H5P_DEFAULT), H5Dclose, what);
  const hsize_t count = length_of(chunks.get(), what);
  if (length_of(ends.get(), what) < count)
    throw IoError(what + ": it is damaged (fewer ends than chunks)");
  const auto chunk_ids = read_prefix<std::uint64_t>(chunks.get(), H5T_NATIVE_UINT64, count, what);
  const auto end_offsets = read_prefix<std::uint64_t>(ends.get(), H5T_NATIVE_UINT64, count, what);
  const std::uint64_t total = count == 0 ? 0 : end_offsets.back();
  if (total > length_of(bytes.get(), what))
    throw IoError(what + ": it is damaged (records beyond its data)");
  const auto data = read_prefix<std::byte>(bytes.get(), H5T_NATIVE_UINT8, total, what);
  std::vector<CheckpointRecord> records;
  records.reserve(static_cast<std::size_t>(count));
  std::uint64_t at = 0;
  for (hsize_t i = 0; i < count; ++i) {
    if (end_offsets[i] < at || end_offsets[i] > total)
      throw IoError(what + ": it is damaged (record bounds)");
    records.push_back(
        {ChunkID{chunk_ids[i]}, Bytes(data.begin() + static_cast<std::ptrdiff_t>(at),
                                      data.begin() + static_cast<std::ptrdiff_t>(end_offsets[i]))});
    at = end_offsets[i];
  }
  return records;
}

struct CheckpointWriter::Handles {
  Handle file;
  Handle chunks;
  Handle ends;
  Handle bytes;
};

CheckpointWriter::CheckpointWriter(std::string path, const RunIdentity& identity,
                                   const std::vector<CheckpointRecord>& records)
    : path_(std::move(path)) {
  hdf5::detail::silence_automatic_errors();
  const std::string what = "writing the checkpoint " + path_;
  {
    AtomicFile on_disk(path_);
    const Handle access = file_access();
    Handle file(H5Fcreate(on_disk.temporary().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()),
                H5Fclose, what);
    write_text_attribute(file.get(), "format", kFormat, what);
    write_text_attribute(file.get(), "job", identity.job, what);
    write_text_attribute(file.get(), "parameters", identity.parameters_text(), what);
    write_text_attribute(file.get(), "node_crunch_version", NC_VERSION, what);
    Handle bytes = appendable(file.get(), "bytes", H5T_STD_U8LE, 1 << 16, what);
    Handle ends = appendable(file.get(), "ends", H5T_STD_U64LE, 4096, what);
    Handle chunks = appendable(file.get(), "chunks", H5T_STD_U64LE, 4096, what);
    std::vector<std::byte> data;
    std::vector<std::uint64_t> end_offsets;
    std::vector<std::uint64_t> chunk_ids;
    for (const auto& record : records) {
      data.insert(data.end(), record.result.begin(), record.result.end());
      end_offsets.push_back(data.size());
      chunk_ids.push_back(record.chunk.value());
    }
    append_to(bytes.get(), H5T_NATIVE_UINT8, data.data(), data.size(), what);
    append_to(ends.get(), H5T_NATIVE_UINT64, end_offsets.data(), end_offsets.size(), what);
    append_to(chunks.get(), H5T_NATIVE_UINT64, chunk_ids.data(), chunk_ids.size(), what);
    bytes_written_ = data.size();
    records_ = records.size();
    bytes.close(what);
    ends.close(what);
    chunks.close(what);
    file.close(what);
    on_disk.commit();
  }
  // Reopened for appending: from here every flush keeps the file readable if this process dies.
  const Handle access = file_access();
  auto handles = std::make_unique<Handles>();
  handles->file = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, access.get()),
                         H5Fclose, what);
  handles->bytes = Handle(H5Dopen2(handles->file.get(), "bytes", H5P_DEFAULT), H5Dclose, what);
  handles->ends = Handle(H5Dopen2(handles->file.get(), "ends", H5P_DEFAULT), H5Dclose, what);
  handles->chunks = Handle(H5Dopen2(handles->file.get(), "chunks", H5P_DEFAULT), H5Dclose, what);
  handles_ = std::move(handles);
}

CheckpointWriter::~CheckpointWriter() {
  if (!handles_) return;
  try {
    flush();
  } catch (const std::exception&) {
    // Closing anyway; what was flushed before stays readable.
  }
}

void CheckpointWriter::append(ChunkID chunk, ByteSpan result) {
  pending_bytes_.insert(pending_bytes_.end(), result.begin(), result.end());
  pending_ends_.push_back(bytes_written_ + pending_bytes_.size());
  pending_chunks_.push_back(chunk.value());
}

void CheckpointWriter::flush() {
  if (!handles_ || pending_chunks_.empty()) return;
  hdf5::detail::silence_automatic_errors();  // HDF5's setting is per thread: this may be a new one
  const std::string what = "writing the checkpoint " + path_;
  // Data first, the record count last: a record is there only when all of it is.
  append_to(handles_->bytes.get(), H5T_NATIVE_UINT8, pending_bytes_.data(), pending_bytes_.size(),
            what);
  check(H5Dflush(handles_->bytes.get()), what);
  append_to(handles_->ends.get(), H5T_NATIVE_UINT64, pending_ends_.data(), pending_ends_.size(),
            what);
  check(H5Dflush(handles_->ends.get()), what);
  append_to(handles_->chunks.get(), H5T_NATIVE_UINT64, pending_chunks_.data(),
            pending_chunks_.size(), what);
  check(H5Dflush(handles_->chunks.get()), what);
  bytes_written_ += pending_bytes_.size();
  records_ += pending_chunks_.size();
  pending_bytes_.clear();
  pending_ends_.clear();
  pending_chunks_.clear();
  // The flushes above survive a crash of this process; the sync, one of the machine.
  void* handle = nullptr;
  check(H5Fget_vfd_handle(handles_->file.get(), H5P_DEFAULT, &handle), what);
  if (handle != nullptr && ::fdatasync(*static_cast<int*>(handle)) != 0)
    throw IoError(what + " failed: fdatasync: " + std::strerror(errno));
}

void CheckpointWriter::remove() {
  handles_.reset();
  std::filesystem::remove(path_);
}

}  // namespace nc::detail
