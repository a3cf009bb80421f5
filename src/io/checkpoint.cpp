#include "io/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/atomic_file.hpp"
#include "node_crunch/build_config.hpp"
#include "node_crunch/error.hpp"

namespace nc::detail {
namespace {

constexpr char kMagic[8] = {'N', 'C', 'C', 'K', 'P', 'T', '0', '2'};
constexpr char kHdf5Signature[4] = {'\x89', 'H', 'D', 'F'};
constexpr std::size_t kRecordHead = 8 + 8;  // chunk, size; then the result and its checksum

// FNV-1a, 64 bits: it tells a record cut short or garbled from a whole one (not an adversary's
// forgery: whoever can write the file can write a checksum too).
std::uint64_t fnv1a(ByteSpan bytes, std::uint64_t hash = 0xcbf29ce484222325ULL) {
  for (const std::byte b : bytes) {
    hash ^= std::to_integer<std::uint64_t>(b);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void put_text(Bytes& out, const std::string& text) {
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(text.size()));
  const auto* at = reinterpret_cast<const std::byte*>(text.data());
  out.insert(out.end(), at, at + text.size());
}

void put_record(Bytes& out, ChunkID chunk, ByteSpan result) {
  const std::size_t start = out.size();
  put_le<std::uint64_t>(out, chunk.value());
  put_le<std::uint64_t>(out, result.size());
  out.insert(out.end(), result.begin(), result.end());
  const std::uint64_t check = fnv1a(ByteSpan(out).subspan(start));
  put_le<std::uint64_t>(out, check);
}

Bytes header(const RunIdentity& identity) {
  const auto* magic = reinterpret_cast<const std::byte*>(kMagic);
  Bytes out(magic, magic + sizeof(kMagic));
  Bytes fields;
  put_text(fields, identity.job);
  put_text(fields, identity.parameters_text());
  put_text(fields, NC_VERSION);
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(fields.size()));
  out.insert(out.end(), fields.begin(), fields.end());
  put_le<std::uint64_t>(out, fnv1a(fields));
  return out;
}

Bytes read_whole(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(what + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    throw IoError(what + ": " + std::strerror(error));
  }
  Bytes bytes(static_cast<std::size_t>(info.st_size));
  std::size_t got = 0;
  while (got < bytes.size()) {
    const auto n = ::pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // shorter than it said: what is there is read
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  return bytes;
}

// A bounds-checked cursor over the file: every length is checked against what is left before
// anything is allocated.
struct Cursor {
  ByteSpan bytes;
  std::size_t at = 0;
  [[nodiscard]] std::size_t left() const { return bytes.size() - at; }
  template <class T>
  bool get(T& value) {
    if (left() < sizeof(T)) return false;
    value = load_le<T>(bytes.data() + at);
    at += sizeof(T);
    return true;
  }
  bool get_text(std::string& text) {
    std::uint32_t size = 0;
    if (!get(size) || size > left()) return false;
    text.assign(reinterpret_cast<const char*>(bytes.data() + at), size);
    at += size;
    return true;
  }
};

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

std::vector<CheckpointRecord> read_checkpoint(const std::string& path, const RunIdentity& expected,
                                              std::uint64_t* cut_short) {
  if (cut_short != nullptr) *cut_short = 0;
  const std::string what = "reading the checkpoint " + path;
  const std::string damaged = what + " (damaged or not a checkpoint? delete it to start over)";
  const Bytes file = read_whole(path, what);
  if (file.size() >= sizeof(kHdf5Signature) &&
      std::memcmp(file.data(), kHdf5Signature, sizeof(kHdf5Signature)) == 0)
    throw IoError(what +
                  ": it is in the HDF5 format of an earlier node_crunch version; finish "
                  "the run with that version, or delete it to start over");
  if (file.size() < sizeof(kMagic) || std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0)
    throw IoError(damaged);
  Cursor in{ByteSpan(file), sizeof(kMagic)};
  std::uint32_t fields_size = 0;
  if (!in.get(fields_size) || fields_size > in.left()) throw IoError(damaged);
  const ByteSpan fields = in.bytes.subspan(in.at, fields_size);
  Cursor header{fields};
  in.at += fields_size;
  std::uint64_t header_check = 0;
  std::string job;
  std::string recorded;
  std::string version;
  if (!in.get(header_check) || header_check != fnv1a(fields) || !header.get_text(job) ||
      !header.get_text(recorded) || !header.get_text(version))
    throw IoError(damaged);
  if (job != expected.job) {
    throw UsageError("the checkpoint " + path + " belongs to job '" + job + "', not '" +
                     expected.job + "'");
  }
  if (recorded != expected.parameters_text()) {
    throw UsageError(
        "the checkpoint " + path +
        " was made with other parameters; resume with the same options, or " +
        "delete it to start over:" + parameter_differences(recorded, expected.parameters_text()));
  }
  std::vector<CheckpointRecord> records;
  while (in.left() > 0) {
    const std::size_t start = in.at;
    std::uint64_t chunk = 0;
    std::uint64_t size = 0;
    std::uint64_t check = 0;
    bool whole = in.get(chunk) && in.get(size) && size <= in.left();
    if (whole) {
      in.at += static_cast<std::size_t>(size);
      whole = in.get(check);
    }
    if (whole && check == fnv1a(ByteSpan(file).subspan(start, in.at - 8 - start))) {
      const auto* result = file.data() + start + kRecordHead;
      records.push_back({ChunkID{chunk}, Bytes(result, result + size)});
      continue;
    }
    // Only the last record can be cut short (a crash, a full disk): whatever is there of it is
    // ignored. A bad record with whole ones after it is damage.
    if (whole && in.left() > 0)
      throw IoError(what + ": it is damaged (a record at byte " + std::to_string(start) +
                    " does not match its checksum); delete it to start over");
    if (cut_short != nullptr) *cut_short = file.size() - start;
    break;
  }
  return records;
}

CheckpointWriter::CheckpointWriter(std::string path, const RunIdentity& identity,
                                   const std::vector<CheckpointRecord>& records)
    : path_(std::move(path)) {
  const std::string what = "writing the checkpoint " + path_;
  {
    AtomicFile on_disk(path_);
    Bytes bytes = header(identity);
    for (const auto& record : records)
      put_record(bytes, record.chunk, record.result);
    const int fd =
        ::open(on_disk.temporary().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw IoError(what + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < bytes.size()) {
      const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int error = errno;
        ::close(fd);
        throw IoError(what + ": " + std::strerror(error));
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    on_disk.commit();  // synced, then renamed into place
    size_ = bytes.size();
    records_ = records.size();
  }
  // Reopened for appending: every flush writes whole records at the end and syncs them.
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) throw IoError(what + ": " + std::strerror(errno));
}

CheckpointWriter::~CheckpointWriter() {
  if (fd_ < 0) return;
  try {
    flush();
  } catch (const std::exception&) {
    // Closing anyway; what was flushed before stays readable.
  }
  ::close(fd_);
}

void CheckpointWriter::append(ChunkID chunk, ByteSpan result) {
  put_record(pending_, chunk, result);
  ++pending_records_;
}

void CheckpointWriter::flush() {
  if (fd_ < 0 || pending_records_ == 0) return;
  const std::string what = "writing the checkpoint " + path_;
  std::size_t done = 0;
  while (done < pending_.size()) {
    const auto n = ::pwrite(fd_, pending_.data() + done, pending_.size() - done,
                            static_cast<off_t>(size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      // What the failed write left of the batch goes: the next try starts at a whole record.
      (void)::ftruncate(fd_, static_cast<off_t>(size_));
      throw IoError(what + " failed: " + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  // The writes survive a crash of this process; the sync, one of the machine (and on NFS,
  // it is what puts them on the server for the next host to read).
  if (::fdatasync(fd_) != 0) {
    const int error = errno;
    (void)::ftruncate(fd_, static_cast<off_t>(size_));
    throw IoError(what + " failed: fdatasync: " + std::strerror(error));
  }
  size_ += pending_.size();
  records_ += pending_records_;
  pending_.clear();
  pending_records_ = 0;
}

void CheckpointWriter::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::filesystem::remove(path_);
}

}  // namespace nc::detail
