#include "observers/progress_bar.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "observers/terminal_line.hpp"

namespace nc::detail {
namespace {

constexpr std::chrono::milliseconds kRedrawEvery{200};
constexpr std::size_t kBarWidth = 24;

std::string clock_text(double seconds) {
  const auto total = static_cast<long long>(seconds + 0.5);
  if (total >= 3600)
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

}  // namespace

ProgressBar::ProgressBar() : started_(std::chrono::steady_clock::now()) {}

void ProgressBar::on_node_joined(const NodeInfo& /*node*/, bool rejoined) {
  rate_.node_joined(std::chrono::steady_clock::now());
  ++alive_;
  if (rejoined && lost_ > 0) --lost_;
  draw(last_);
}

void ProgressBar::on_node_lost(const NodeInfo& /*node*/, std::string_view /*reason*/) {
  if (alive_ > 0) --alive_;
  ++lost_;
  draw(last_);
}

void ProgressBar::on_progress(const JobProgress& progress) {
  rate_.progress(progress);
  last_ = progress;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawEvery) return;
  draw(progress);
}

void ProgressBar::draw(const JobProgress& progress) {
  last_draw_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(last_draw_ - started_).count();
  std::string line;
  if (progress.total > 0) {
    const double share = static_cast<double>(progress.done) / static_cast<double>(progress.total);
    const auto filled = std::min(kBarWidth, static_cast<std::size_t>(share * kBarWidth));
    const auto left = rate_.seconds_left(last_draw_, progress);
    line = fmt::format("[{}{}] {}/{} chunks {:5.1f}%  {:.1f}/s  ETA {}", std::string(filled, '#'),
                       std::string(kBarWidth - filled, '.'), progress.done, progress.total,
                       100.0 * share, rate_.per_second(last_draw_, progress).value_or(0.0),
                       left ? clock_text(*left) : "?");
    if (progress.failed > 0) line += fmt::format("  {} failed", progress.failed);
  } else {
    line = fmt::format("running {}", clock_text(elapsed));
  }
  line += fmt::format("  nodes {}", alive_);
  if (lost_ > 0) line += fmt::format(" ({} lost)", lost_);
  TerminalLine::instance().show(line);
}

void ProgressBar::on_job_finished(const JobSummary& /*summary*/) {
  TerminalLine::instance().retire();
}

}  // namespace nc::detail
