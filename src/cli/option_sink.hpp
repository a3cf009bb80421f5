#pragma once
// The CLI11 side of nc::OptionSet: a job's options land in their own --help section.

#include <CLI/CLI.hpp>

#include <string>

namespace nc::detail {

class OptionSink {
 public:
  OptionSink(CLI::App& app, std::string group) : app_(app), group_(std::move(group)) {}

  template <class T>
  void add(const std::string& flags, T& value, const std::string& help) {
    app_.add_option(flags, value, help)->group(group_)->capture_default_str();
  }
  void add_flag(const std::string& flags, bool& value, const std::string& help) {
    app_.add_flag(flags, value, help)->group(group_);
  }

 private:
  CLI::App& app_;
  std::string group_;
};

}  // namespace nc::detail
