// libFuzzer: checkpoint files shaped by the input. A checkpoint is read back from disk after a
// crash, a full disk or a copy between machines, so every byte of it is untrusted: the header,
// each record's chunk, size and checksum, and where the file ends. The input writes a valid
// checkpoint of its own records (mostly of the right run, so that the records are reached),
// then changes bytes of it, cuts it, or appends to it; the reader must return records that lie
// inside the file or throw nc::Error.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/checkpoint.hpp"
#include "node_crunch/error.hpp"

namespace {

const nc::detail::RunIdentity kRun{"fuzz", {{"--size", "8"}}};

std::string make_path() {
  return "/tmp/nc-fuzz-checkpoint-" + std::to_string(::getpid());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  static const std::string path = make_path();
  const nc::detail::RunIdentity written_by =
      input.ConsumeIntegralInRange<int>(0, 7) != 0
          ? kRun
          : nc::detail::RunIdentity{input.ConsumeRandomLengthString(16),
                                    {{"--size", input.ConsumeRandomLengthString(8)}}};
  std::vector<nc::detail::CheckpointRecord> records;
  const auto count = input.ConsumeIntegralInRange<std::size_t>(0, 32);
  for (std::size_t i = 0; i < count; ++i) {
    const auto bytes =
        input.ConsumeBytes<std::byte>(input.ConsumeIntegralInRange<std::size_t>(0, 64));
    records.push_back({nc::ChunkID{input.ConsumeIntegral<std::uint64_t>()},
                       nc::Bytes(bytes.begin(), bytes.end())});
  }
  try {
    nc::detail::CheckpointWriter writer(path, written_by, records);
  } catch (const nc::Error&) {
    __builtin_trap();  // writing to /tmp must work
  }
  auto file_size = std::filesystem::file_size(path);
  // The damage: bytes changed, the end cut, bytes appended.
  for (int edits = input.ConsumeIntegralInRange<int>(0, 4); edits > 0 && file_size > 0; --edits) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(
        input.ConsumeIntegralInRange<std::uintmax_t>(0, file_size - 1)));
    file.put(static_cast<char>(input.ConsumeIntegral<std::uint8_t>()));
  }
  if (input.ConsumeBool())
    std::filesystem::resize_file(path, input.ConsumeIntegralInRange<std::uintmax_t>(0, file_size));
  const auto tail = input.ConsumeRemainingBytes<char>();
  std::ofstream(path, std::ios::binary | std::ios::app)
      .write(tail.data(), static_cast<std::streamsize>(tail.size()));
  file_size = std::filesystem::file_size(path);

  try {
    std::uint64_t cut_short = 0;
    const auto read = nc::detail::read_checkpoint(path, kRun, &cut_short);
    // What is returned lies inside the file: each record's bytes and its 24 bytes of frame.
    std::uintmax_t total = cut_short;
    for (const auto& record : read)
      total += record.result.size() + 24;
    if (total > file_size) __builtin_trap();
  } catch (const nc::Error&) {
  }
  return 0;
}
