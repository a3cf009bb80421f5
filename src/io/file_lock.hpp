#pragma once
// A lock that keeps two live server runs from writing one checkpoint: CHECKPOINT.lock, locked
// with fcntl (POSIX record locks, which NFS carries through its lock manager) and holding the
// holder's host and pid for the message that refuses a second one. The kernel drops the lock
// when its process dies, however it dies: a lock file left by a dead run is simply taken over.
//
// Thread safety: none; a process takes it once, on its main thread.

#include <string>

namespace nc::detail {

class FileLock {
 public:
  /// Takes the lock at `path`; UsageError naming the holder if a live process holds it,
  /// IoError if the file cannot be made. `what` names what it guards, for the messages.
  FileLock(std::string path, const std::string& what);
  ~FileLock();  // unlocks (the file stays: removing it could let two processes lock two files)
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Removes the file while still holding it (the guarded file is gone), then unlocks.
  void remove();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace nc::detail
