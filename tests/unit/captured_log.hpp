#pragma once
// The default spdlog logger, captured for a test: messages alone, one per line.
//
//   CapturedLog log;
//   spdlog::info("node 1 joined");
//   CHECK(log.lines_with("joined") == 1);

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

namespace test {

// The default logger writes to `text` while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%v");  // the message alone: a table row starts with its node id
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  [[nodiscard]] std::string text() const { return text_.str(); }
  [[nodiscard]] std::size_t lines_with(const std::string& what) const {
    std::size_t count = 0;
    std::istringstream in(text_.str());
    for (std::string line; std::getline(in, line);)
      if (line.find(what) != std::string::npos) ++count;
    return count;
  }
  [[nodiscard]] std::size_t lines_starting(const std::string& what) const {
    std::size_t count = 0;
    std::istringstream in(text_.str());
    for (std::string line; std::getline(in, line);)
      if (line.rfind(what, 0) == 0) ++count;
    return count;
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace test
