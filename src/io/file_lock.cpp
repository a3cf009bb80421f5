#include "io/file_lock.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "node_crunch/error.hpp"

namespace nc::detail {
namespace {

constexpr const char* kNobody = "a process that did not say which";

std::string read_holder(int fd) {
  char text[256] = {};
  const auto n = ::pread(fd, text, sizeof(text) - 1, 0);
  std::string holder(text, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0'))
    holder.pop_back();
  return holder.empty() ? kNobody : holder;
}

std::string me() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::strcpy(host, "unknown");
  return std::string("host ") + host + ", pid " + std::to_string(getpid());
}

}  // namespace

FileLock::FileLock(std::string path, const std::string& what) : path_(std::move(path)) {
  // The file may be removed by a holder that ends just as it is opened here: then the lock
  // taken is on a file nobody else will see, and it is taken again on the file at the path.
  for (int tries = 0; tries < 100; ++tries) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw IoError("cannot make the lock " + path_ + " for " + what + ": " + std::strerror(errno));
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (::fcntl(fd_, F_SETLK, &lock) != 0) {
      const int error = errno;
      const std::string holder = read_holder(fd_);
      ::close(fd_);
      fd_ = -1;
      if (error == EACCES || error == EAGAIN)
        throw UsageError(what + " is in use by another server run (" + holder + ", lock " + path_ +
                         "): only one may write it; stop that one first");
      throw IoError("cannot lock " + path_ + ": " + std::strerror(error));
    }
    struct stat held {
    }, named{};
    if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
      const std::string before = read_holder(fd_);
      const std::string text = me() + "\n";
      if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) < 0)
        spdlog::warn("cannot write to the lock {}: {}", path_, std::strerror(errno));
      if (before != kNobody)
        spdlog::info("took over the lock {} of a server run that is gone ({})", path_, before);
      return;
    }
    ::close(fd_);
    fd_ = -1;
  }
  throw IoError("cannot lock " + path_ + ": it is removed and made again all the time");
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

void FileLock::remove() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace nc::detail
