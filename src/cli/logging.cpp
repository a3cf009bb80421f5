#include "cli/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "observers/terminal_line.hpp"

namespace nc::detail {
namespace {

std::string pattern_for(const std::string& role) {
  return "[%Y-%m-%d %H:%M:%S.%e] [" + role + "] [%^%l%$] %v";
}

// On a terminal, log lines pass above the live progress line instead of through it.
class TerminalSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    std::string line(formatted.data(), formatted.size());
    if (message.color_range_end > message.color_range_start) {
      const char* colour = message.level >= spdlog::level::err    ? "\033[1;31m"
                           : message.level == spdlog::level::warn ? "\033[33m"
                                                                  : "\033[32m";
      line.insert(message.color_range_end, "\033[0m");
      line.insert(message.color_range_start, colour);
    }
    TerminalLine::instance().write_above(line);
  }
  void flush_() override {}
};

}  // namespace

bool stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

void setup_logging(const Configuration& config, const std::string& role) {
  spdlog::sink_ptr sink;
  if (stderr_is_terminal())
    sink = std::make_shared<TerminalSink>();
  else
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("nc", sink);
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
    sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");  // the file's name says whose it is
    spdlog::default_logger()->sinks().push_back(sink);
  } catch (const std::exception& e) {
    spdlog::warn("cannot log to {}/{}.log: {}", config.log_dir, name, e.what());
  }
}

void set_log_role(const std::string& role) {
  spdlog::default_logger()->sinks().front()->set_pattern(pattern_for(role));
}

}  // namespace nc::detail
