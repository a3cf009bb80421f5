#include "observers/log_observer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nc::detail {
namespace {
double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
}  // namespace

void LogObserver::on_job_started(std::string_view job) {
  last_line_ = clock_();
  spdlog::info("job '{}' started", job);
}

void LogObserver::on_node_joined(const NodeInfo& node, bool rejoined) {
  rate_.node_joined(clock_());
  ++nodes_alive_;
  if (rejoined && nodes_lost_ > 0) --nodes_lost_;
  if (!node_lines_.allow()) return;
  spdlog::info("{} {} at {} ({} thread{})", to_string(node.id), rejoined ? "is back" : "joined",
               node.address, node.threads, node.threads == 1 ? "" : "s");
}

void LogObserver::on_node_lost(const NodeInfo& node, std::string_view reason) {
  if (nodes_alive_ > 0) --nodes_alive_;
  ++nodes_lost_;
  if (!node_lines_.allow()) return;
  spdlog::warn("{} at {} is lost: {}; its work goes to others", to_string(node.id), node.address,
               reason);
}

void LogObserver::on_task_sent(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  spdlog::debug("{} -> {}{}", to_string(attempt), to_string(node),
                chunk ? " (" + to_string(*chunk) + ")" : "");
}

void LogObserver::on_result(NodeID node, AttemptID attempt, std::optional<ChunkID> chunk) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  spdlog::debug("{} <- {}{}", to_string(attempt), to_string(node),
                chunk ? " (" + to_string(*chunk) + ")" : "");
}

void LogObserver::on_progress(const JobProgress& progress) {
  rate_.progress(progress);
  const auto now = clock_();
  if (progress_every_.count() == 0 || now - last_line_ < progress_every_ || progress.total == 0)
    return;
  last_line_ = now;
  const auto left = rate_.seconds_left(now, progress);
  spdlog::info("progress: {}/{} chunks ({:.1f}%), {:.1f} chunks/s, ETA {}, {} nodes alive, {} lost",
               progress.done, progress.total,
               100.0 * static_cast<double>(progress.done) / static_cast<double>(progress.total),
               rate_.per_second(now, progress).value_or(0.0),
               left ? fmt::format("{:.0f} s", *left) : std::string("?"), nodes_alive_, nodes_lost_);
}

// The kTableRows nodes with the most results, in id order, and one line for the rest.
void LogObserver::log_node_table(const std::vector<NodeStatistics>& nodes) {
  std::vector<const NodeStatistics*> shown;
  shown.reserve(nodes.size());
  for (const auto& node : nodes)
    shown.push_back(&node);
  const auto by_id = [](const NodeStatistics* a, const NodeStatistics* b) {
    return a->info.id.value() < b->info.id.value();
  };
  std::vector<const NodeStatistics*> rest;
  if (shown.size() > kTableRows) {
    std::stable_sort(shown.begin(), shown.end(),
                     [](const auto* a, const auto* b) { return a->results > b->results; });
    rest.assign(shown.begin() + kTableRows, shown.end());
    shown.resize(kTableRows);
  }
  std::sort(shown.begin(), shown.end(), by_id);
  spdlog::info("  {:<8} {:>8} {:>9} {:>6}  {}", "node", "results", "busy (s)", "lost", "where");
  for (const auto* node : shown) {
    spdlog::info("  {:<8} {:>8} {:>9.2f} {:>6}  {}", node->info.id.value(), node->results,
                 seconds(node->busy), node->times_lost > 0 ? std::to_string(node->times_lost) : "-",
                 node->info.address);
  }
  if (rest.empty()) return;
  std::uint64_t results = 0;
  std::uint64_t times_lost = 0;
  std::chrono::steady_clock::duration busy{};
  for (const auto* node : rest) {
    results += node->results;
    times_lost += node->times_lost;
    busy += node->busy;
  }
  spdlog::info("  {:<8} {:>8} {:>9.2f} {:>6}  {} more node(s), fewer results each", "others",
               results, seconds(busy), times_lost, rest.size());
}

void LogObserver::on_job_finished(const JobSummary& summary) {
  const auto& p = summary.progress;
  const std::string chunks = p.total > 0 ? fmt::format("{} of {} chunks", p.done, p.total) : "";
  if (summary.ok) {
    spdlog::info(
        "job '{}' finished in {:.2f} s: {}{}{} tasks sent, {} reassigned, {} duplicate "
        "result(s){}",
        summary.job, seconds(summary.wall), chunks, chunks.empty() ? "" : ", ", summary.tasks_sent,
        summary.reassigned, summary.duplicates,
        summary.earlier_results == 0 ? std::string()
                                     : fmt::format(", {} result(s) of an earlier server run taken",
                                                   summary.earlier_results));
  } else if (summary.interrupted) {
    spdlog::warn("job '{}' stopped after {:.2f} s ({}): {}", summary.job, seconds(summary.wall),
                 summary.failure, chunks.empty() ? "no chunk count" : chunks + " done");
  } else {
    spdlog::error("job '{}' ended after {:.2f} s: {}", summary.job, seconds(summary.wall),
                  summary.failure);
  }
  node_lines_.flush();
  if (summary.nodes.empty()) return;
  std::size_t lost = 0;
  for (const auto& node : summary.nodes)
    if (node.times_lost > 0) ++lost;
  log_node_table(summary.nodes);
  if (lost > 0)
    spdlog::info("  {} node(s) lost during the job; {} task(s) handed out again", lost,
                 summary.reassigned);
  if (summary.refused > 0 || summary.task_failures > 0)
    spdlog::info(
        "  {} result(s) refused and {} task(s) failed on their node: those chunks were "
        "handed out again",
        summary.refused, summary.task_failures);
  if (summary.dropped > 0)
    spdlog::warn("  {} result(s) dropped: for tasks never handed to their sender", summary.dropped);
  if (summary.quarantined > 0)
    spdlog::warn("  {} node(s) quarantined: bad results, hoarding work, or they could not work",
                 summary.quarantined);
}

}  // namespace nc::detail
