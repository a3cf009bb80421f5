#include "node_crunch/options.hpp"

#include "cli/option_sink.hpp"

namespace nc {

OptionSet& OptionSet::add(const std::string& flags, std::int32_t& value, const std::string& help) {
  sink_->add(flags, value, help);
  return *this;
}
OptionSet& OptionSet::add(const std::string& flags, std::int64_t& value, const std::string& help) {
  sink_->add(flags, value, help);
  return *this;
}
OptionSet& OptionSet::add(const std::string& flags, std::uint32_t& value, const std::string& help) {
  sink_->add(flags, value, help);
  return *this;
}
OptionSet& OptionSet::add(const std::string& flags, std::uint64_t& value, const std::string& help) {
  sink_->add(flags, value, help);
  return *this;
}
OptionSet& OptionSet::add(const std::string& flags, double& value, const std::string& help) {
  sink_->add(flags, value, help);
  return *this;
}
OptionSet& OptionSet::add(const std::string& flags, std::string& value, const std::string& help) {
  sink_->add(flags, value, help);
  return *this;
}
OptionSet& OptionSet::add(const std::string& flags, bool& value, const std::string& help) {
  sink_->add_flag(flags, value, help);
  return *this;
}

OptionSet& OptionSet::range(double min, double max) {
  sink_->range_of_last(min, max);
  return *this;
}

}  // namespace nc
