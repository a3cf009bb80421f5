#include "observers/terminal_line.hpp"

#include <cstdio>

namespace nc::detail {

TerminalLine& TerminalLine::instance() {
  static TerminalLine line;
  return line;
}

void TerminalLine::erase_locked() {
  if (active_) std::fputs("\r\033[2K", stderr);  // carriage return, erase the line
}

void TerminalLine::show(const std::string& text) {
  std::lock_guard lock(mutex_);
  erase_locked();
  text_ = text;
  active_ = true;
  std::fputs(text_.c_str(), stderr);
  std::fflush(stderr);
}

void TerminalLine::retire() {
  std::lock_guard lock(mutex_);
  erase_locked();
  active_ = false;
  text_.clear();
  std::fflush(stderr);
}

void TerminalLine::write_above(const std::string& line) {
  std::lock_guard lock(mutex_);
  erase_locked();
  std::fwrite(line.data(), 1, line.size(), stderr);
  if (active_) std::fputs(text_.c_str(), stderr);
  std::fflush(stderr);
}

bool TerminalLine::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

}  // namespace nc::detail
