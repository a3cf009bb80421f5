#include "cli/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace nc::detail {
namespace {
std::string pattern_for(const std::string& role) {
  return "[%Y-%m-%d %H:%M:%S.%e] [" + role + "] [%^%l%$] %v";
}
}  // namespace

void setup_logging(const Configuration& config, const std::string& role) {
  auto logger = std::make_shared<spdlog::logger>(
      "nc", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->set_pattern(pattern_for(role));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

void add_log_file(const Configuration& config, const std::string& name) {
  if (config.log_dir.empty()) return;
  try {
    std::filesystem::create_directories(config.log_dir);
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(
        config.log_dir + "/" + name + ".log", true);
    sink->set_pattern(spdlog::default_logger()->sinks().front() ? "[%Y-%m-%d %H:%M:%S.%e] [%l] %v"
                                                                : "%v");
    spdlog::default_logger()->sinks().push_back(sink);
  } catch (const std::exception& e) {
    spdlog::warn("cannot log to {}/{}.log: {}", config.log_dir, name, e.what());
  }
}

void set_log_role(const std::string& role) {
  spdlog::default_logger()->sinks().front()->set_pattern(pattern_for(role));
}

}  // namespace nc::detail
