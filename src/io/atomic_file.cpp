#include "io/atomic_file.hpp"

#include <fcntl.h>
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
    : path_(std::move(path)), temporary_(path_ + ".tmp-" + std::to_string(::getpid())) {}

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
