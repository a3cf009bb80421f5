#pragma once
/// A job's own command-line options, declared next to the job.
///
///   struct MandelOptions {
///     std::uint32_t width = 1024;
///     void declare(nc::OptionSet& options) {
///       options.add("--width", width, "image width in pixels");
///     }
///     void validate() const { if (width == 0) throw nc::UsageError("--width must be > 0"); }
///   };
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// A server class names its options with `using Options = MandelOptions;` and takes them in
/// its constructor; nc::run parses them with the framework's own options and shows them in
/// --help. Thread safety: used only while the command line is parsed.

#include <cstdint>
#include <string>

namespace nc {

namespace detail {
class OptionSink;
}

class OptionSet {
 public:
  explicit OptionSet(detail::OptionSink& sink) : sink_(&sink) {}

  OptionSet& add(const std::string& flags, std::int32_t& value, const std::string& help);
  OptionSet& add(const std::string& flags, std::int64_t& value, const std::string& help);
  OptionSet& add(const std::string& flags, std::uint32_t& value, const std::string& help);
  OptionSet& add(const std::string& flags, std::uint64_t& value, const std::string& help);
  OptionSet& add(const std::string& flags, double& value, const std::string& help);
  OptionSet& add(const std::string& flags, std::string& value, const std::string& help);
  /// A flag without a value: present means true.
  OptionSet& add(const std::string& flags, bool& value, const std::string& help);

  /// The option added last takes only values from `min` to `max`; others are refused with exit
  /// status 2, naming the range, which --help shows too. Unsigned options refuse negative
  /// values without it.
  ///   options.add("--deflate", deflate, "compression level").range(0, 9);
  OptionSet& range(double min, double max);

 private:
  detail::OptionSink* sink_;
};

}  // namespace nc
