#pragma once
// The CLI11 side of nc::OptionSet: a job's options land in their own --help section.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cli/option_checks.hpp"

namespace nc::detail {

class OptionSink {
 public:
  OptionSink(CLI::App& app, std::string group) : app_(app), group_(std::move(group)) {}

  template <class T>
  void add(const std::string& flags, T& value, const std::string& help) {
    auto* option = app_.add_option(flags, value, help)->group(group_)->capture_default_str();
    if constexpr (std::is_unsigned_v<T>) option->check(not_negative());
    values_.emplace_back(option->get_name(), [&value] { return fmt::format("{}", value); });
    last_ = option;
  }
  /// The option added last takes only values from `min` to `max`.
  void range_of_last(double min, double max) {
    if (last_ != nullptr) last_->check(in_range(min, max));
  }
  void add_flag(const std::string& flags, bool& value, const std::string& help) {
    auto* option = app_.add_flag(flags, value, help)->group(group_);
    values_.emplace_back(option->get_name(),
                         [&value] { return value ? std::string("true") : std::string("false"); });
    last_ = nullptr;  // a flag has no range
  }

  /// The options given on the command line (after parsing), in declaration order.
  [[nodiscard]] std::vector<std::string> given() const {
    std::vector<std::string> out;
    for (const auto& [name, format] : values_)
      if (app_.count(name) > 0) out.push_back(name);
    return out;
  }
  /// Every option's value now (after parsing: as given, or its default), in declaration order.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> values() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, format] : values_)
      out.emplace_back(name, format());
    return out;
  }

 private:
  CLI::App& app_;
  std::string group_;
  std::vector<std::pair<std::string, std::function<std::string()>>> values_;
  CLI::Option* last_ = nullptr;
};

}  // namespace nc::detail
