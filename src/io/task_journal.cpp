#include "io/task_journal.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/byte_reader.hpp"
#include "node_crunch/error.hpp"

namespace nc::detail {
namespace {

constexpr char kMagic[8] = {'N', 'C', 'T', 'A', 'S', 'K', 'S', '1'};
constexpr std::size_t kRecord = 24;

std::string system_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, const std::byte* data, std::size_t size) {
  while (size > 0) {
    const auto wrote = ::write(fd, data, size);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return true;
}

// Reads the records of an existing journal; returns where the last whole one ends (0: the
// file is not a journal and starts afresh).
off_t read_records(int fd, const std::string& path, std::vector<HandedOut>& into) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw IoError(system_error("cannot read", path));
  const auto size = static_cast<std::size_t>(info.st_size);
  if (size == 0) return 0;
  Bytes bytes(size);
  std::size_t got = 0;
  while (got < size) {
    const auto n = ::pread(fd, bytes.data() + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw IoError(system_error("cannot read", path));
    got += static_cast<std::size_t>(n);
  }
  if (size < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    spdlog::warn(
        "{} is not a task journal: started afresh (results of an earlier server run "
        "are computed again)",
        path);
    return 0;
  }
  const std::size_t records = (size - sizeof(kMagic)) / kRecord;
  ByteReader in(ByteSpan(bytes).subspan(sizeof(kMagic), records * kRecord));
  into.reserve(records);
  for (std::size_t i = 0; i < records; ++i) {
    HandedOut task;
    task.attempt = AttemptID{in.get<std::uint64_t>()};
    task.chunk = ChunkID{in.get<std::uint64_t>()};
    task.token = in.get<std::uint64_t>();
    into.push_back(task);
  }
  return static_cast<off_t>(sizeof(kMagic) + records * kRecord);
}

}  // namespace

TaskJournal::TaskJournal(std::string path, bool keep) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError(system_error("cannot open the task journal", path_));
  const off_t end = keep ? read_records(fd_, path_, earlier_) : 0;
  // A record cut short (a crash of the machine) is cut off, so that the next ones line up.
  if (::ftruncate(fd_, end) != 0 || ::lseek(fd_, end, SEEK_SET) < 0)
    throw IoError(system_error("cannot write the task journal", path_));
  if (end == 0 && !write_all(fd_, reinterpret_cast<const std::byte*>(kMagic), sizeof(kMagic)))
    throw IoError(system_error("cannot write the task journal", path_));
}

TaskJournal::~TaskJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void TaskJournal::append(const std::vector<HandedOut>& tasks) {
  if (fd_ < 0 || tasks.empty()) return;
  Bytes bytes;
  bytes.reserve(tasks.size() * kRecord);
  for (const HandedOut& task : tasks) {
    put_le<std::uint64_t>(bytes, task.attempt.value());
    put_le<std::uint64_t>(bytes, task.chunk.value());
    put_le<std::uint64_t>(bytes, task.token);
  }
  if (write_all(fd_, bytes.data(), bytes.size())) return;
  spdlog::warn(
      "{}: no more tasks are recorded; after a restart of the server, results of "
      "this run are computed again",
      system_error("cannot write the task journal", path_));
  ::close(fd_);
  fd_ = -1;
}

void TaskJournal::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
}

}  // namespace nc::detail
