// libFuzzer: checkpoint files shaped by the input. A checkpoint is read back from disk after a
// crash, a full disk or a hand copy between machines, so every field it holds is untrusted:
// the attributes, the lengths of /chunks, /ends and /bytes, their element types and the record
// bounds. The input decides each of them (and sometimes leaves one out or gives it the wrong
// shape); the reader must return records that lie inside the data or throw nc::Error.
//
// HDF5's own parser of the file's internal structures is not the target here: the fields are
// written through the HDF5 API, so the file itself is well formed.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "io/checkpoint.hpp"
#include "node_crunch/error.hpp"

namespace {

const nc::detail::RunIdentity kRun{"fuzz", {{"--size", "8"}}};

void text_attribute(hid_t file, const char* name, const std::string& text) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, text.empty() ? 1 : text.size());
  const hid_t attribute = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const std::string padded = text.empty() ? std::string(1, '\0') : text;
  H5Awrite(attribute, type, padded.data());
  H5Aclose(attribute);
  H5Tclose(type);
  H5Sclose(space);
}

// A dataset holding `values`, declared `claimed` long (chunked, so a longer extent costs no
// space), one- or two-dimensional, of the element type the input picks. Returns the length
// it declares (0 when left out).
template <class T>
hsize_t dataset(FuzzedDataProvider& input, hid_t file, const char* name, hid_t native,
                const std::vector<T>& values) {
  if (input.ConsumeIntegralInRange<int>(0, 15) == 0) return 0;  // left out
  const hid_t types[] = {H5T_STD_U64LE, H5T_STD_U8LE, H5T_IEEE_F64LE, H5T_STD_I32BE};
  const hid_t file_type = types[input.ConsumeIntegralInRange<int>(0, 3)];
  const bool two_d = input.ConsumeIntegralInRange<int>(0, 15) == 0;
  const hsize_t written = values.size();
  hsize_t claimed = written;
  if (input.ConsumeIntegralInRange<int>(0, 7) == 0)
    claimed += input.ConsumeIntegral<std::uint32_t>();
  const hsize_t dims[2] = {claimed, 1};
  const hsize_t max[2] = {H5S_UNLIMITED, H5S_UNLIMITED};
  const hsize_t chunk[2] = {64, 1};
  const hid_t space = H5Screate_simple(two_d ? 2 : 1, dims, max);
  const hid_t properties = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(properties, two_d ? 2 : 1, chunk);
  const hid_t set = H5Dcreate2(file, name, file_type, space, H5P_DEFAULT, properties, H5P_DEFAULT);
  if (written > 0 && !two_d) {
    const hid_t memory = H5Screate_simple(1, &written, nullptr);
    const hid_t selection = H5Dget_space(set);
    const hsize_t start = 0;
    H5Sselect_hyperslab(selection, H5S_SELECT_SET, &start, nullptr, &written, nullptr);
    H5Dwrite(set, native, memory, selection, H5P_DEFAULT, values.data());
    H5Sclose(selection);
    H5Sclose(memory);
  }
  H5Dclose(set);
  H5Pclose(properties);
  H5Sclose(space);
  return claimed;
}

std::string make_path() {
  return "/tmp/nc-fuzz-checkpoint-" + std::to_string(::getpid()) + ".h5";
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  static const std::string path = make_path();
  const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(access, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access);
  H5Pclose(access);
  if (file < 0) __builtin_trap();

  // Mostly the right identity, so that the records behind it are reached.
  const bool honest = input.ConsumeIntegralInRange<int>(0, 7) != 0;
  if (input.ConsumeIntegralInRange<int>(0, 15) != 0)
    text_attribute(file, "format",
                   honest ? "node_crunch checkpoint 1" : input.ConsumeRandomLengthString(32));
  if (input.ConsumeIntegralInRange<int>(0, 15) != 0)
    text_attribute(file, "job", honest ? kRun.job : input.ConsumeRandomLengthString(16));
  if (input.ConsumeIntegralInRange<int>(0, 15) != 0) {
    text_attribute(file, "parameters",
                   honest ? kRun.parameters_text() : input.ConsumeRandomLengthString(64));
  }
  const auto records = input.ConsumeIntegralInRange<std::size_t>(0, 64);
  std::vector<std::uint64_t> chunks;
  std::vector<std::uint64_t> ends;
  for (std::size_t i = 0; i < records; ++i) {
    chunks.push_back(input.ConsumeIntegral<std::uint64_t>());
    ends.push_back(input.ConsumeIntegralInRange<std::uint64_t>(0, 4096));
  }
  if (input.ConsumeBool()) std::sort(ends.begin(), ends.end());  // mostly sane bounds
  const auto payload =
      input.ConsumeBytes<std::uint8_t>(input.ConsumeIntegralInRange<std::size_t>(0, 4096));
  const hsize_t chunks_declared = dataset(input, file, "chunks", H5T_NATIVE_UINT64, chunks);
  const hsize_t ends_declared = dataset(input, file, "ends", H5T_NATIVE_UINT64, ends);
  const hsize_t bytes_declared = dataset(input, file, "bytes", H5T_NATIVE_UINT8, payload);
  H5Fclose(file);

  try {
    const auto read = nc::detail::read_checkpoint(path, kRun);
    // What is returned lies inside what the file declares. A dataset declared longer than it
    // was written reads as zeros (HDF5's fill value) where its storage was allocated: those
    // elements are the file's data as much as the written ones, and indistinguishable from them.
    std::size_t total = 0;
    for (const auto& record : read)
      total += record.result.size();
    if (read.size() > std::min(chunks_declared, ends_declared) || total > bytes_declared)
      __builtin_trap();
  } catch (const nc::Error&) {
  }
  return 0;
}
