#pragma once
// The last line of a terminal, owned by a live progress bar, shared with the log: a log line
// first clears the bar, then the bar is drawn again below it. Both sides take one lock.
//
// Thread safety: every member may be called from any thread.

#include <mutex>
#include <string>

namespace nc::detail {

class TerminalLine {
 public:
  static TerminalLine& instance();

  /// Shows `text` as the live line (replacing what was there).
  void show(const std::string& text);
  /// Removes the live line for good (the job is over).
  void retire();
  /// Writes a finished log line above the live line.
  void write_above(const std::string& line);
  [[nodiscard]] bool active() const;

 private:
  void erase_locked();
  mutable std::mutex mutex_;
  std::string text_;
  bool active_ = false;
};

}  // namespace nc::detail
