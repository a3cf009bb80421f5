#pragma once
// Writes a file under a temporary name beside it and renames it into place only when it is
// complete and on disk: a full disk or a crash never leaves a half-written file under the
// real name, and never destroys a good older one.

#include <string>

namespace nc::detail {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  [[nodiscard]] const std::string& temporary() const { return temporary_; }
  /// Asks the kernel to start writing what is in the temporary file so far, without waiting
  /// for it, so that commit() has little left to wait for.
  void start_writeback();
  /// fsync the temporary file and rename it to the real name; throws IoError.
  void commit();

 private:
  void remove_abandoned() const;

  std::string path_;
  std::string temporary_;
  bool committed_ = false;
  int writeback_fd_ = -1;
};

}  // namespace nc::detail
