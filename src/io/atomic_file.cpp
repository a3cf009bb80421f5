#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "node_crunch/error.hpp"

namespace nc::detail {
namespace {
[[noreturn]] void fail(const std::string& what) {
  throw IoError(what + ": " + std::strerror(errno));
}
void sync_path(const std::string& path, int flags, const std::string& what) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) fail(what);
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    fail(what);
  }
  ::close(fd);
}
}  // namespace

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temporary_(path_ + ".tmp-" + std::to_string(::getpid())) {
  remove_abandoned();
}

// A temporary file whose writer no longer runs (killed before it could commit) is garbage.
void AtomicFile::remove_abandoned() const {
  const std::filesystem::path target(path_);
  const auto directory =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    if (::kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), error);
  }
}

AtomicFile::~AtomicFile() {
  if (writeback_fd_ >= 0) ::close(writeback_fd_);
  if (!committed_) std::remove(temporary_.c_str());
}

void AtomicFile::start_writeback() {
#ifdef __linux__
  if (writeback_fd_ < 0) writeback_fd_ = ::open(temporary_.c_str(), O_RDONLY | O_CLOEXEC);
  if (writeback_fd_ >= 0) ::sync_file_range(writeback_fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

void AtomicFile::commit() {
  sync_path(temporary_, O_RDONLY, "writing " + path_);
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0)
    fail("renaming " + temporary_ + " to " + path_);
  committed_ = true;
  auto directory = std::filesystem::path(path_).parent_path();
  if (directory.empty()) directory = ".";
  sync_path(directory.string(), O_RDONLY | O_DIRECTORY, "syncing the directory of " + path_);
}

}  // namespace nc::detail
