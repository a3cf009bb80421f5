#pragma once
// Checks of option values, with messages that say what is wanted:
//   "--chunk-height: must be 0 or more, not -1", "--deflate: must be from 0 to 9, not 12".

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>

namespace nc::detail {

/// Refuses a negative value: CLI11 would wrap one around for a 64-bit unsigned option (-1 as
/// 2^64-1) and take it.
inline CLI::Validator not_negative() {
  return CLI::Validator(
      [](const std::string& value) {
        const auto first = value.find_first_not_of(" \t");
        return first != std::string::npos && value[first] == '-' ? "must be 0 or more, not " + value
                                                                 : std::string();
      },
      "");
}

/// Takes values from `min` to `max` only; --help shows the range. A value that is not a number
/// is left to the option's own conversion, which says so.
inline CLI::Validator in_range(double min, double max) {
  return CLI::Validator(
      [min, max](const std::string& value) {
        char* end = nullptr;
        const double number = std::strtod(value.c_str(), &end);
        if (end == value.c_str() || *end != '\0' || (number >= min && number <= max))
          return std::string();
        return fmt::format("must be from {} to {}, not {}", min, max, value);
      },
      fmt::format("[{} to {}]", min, max));
}

}  // namespace nc::detail
