#include "core/status_report.hpp"

#include <fmt/format.h>

#include "core/json.hpp"

namespace nc::detail {
namespace {
double seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}
}  // namespace

std::string status_json(const StatusSnapshot& status) {
  std::string nodes;
  for (const auto& node : status.nodes) {
    if (!nodes.empty()) nodes += ",";
    const NodeStatistics& stats = node.stats;
    nodes += fmt::format(
        R"({{"id":{},"address":"{}","threads":{},"lost":{},"quarantined":{},"last_heartbeat_s":{:.3f},"tasks":{},"results":{},"busy_s":{:.3f},"held":{},"waiting":{}}})",
        stats.info.id.value(), json_escape(stats.info.address), stats.info.threads,
        stats.lost ? "true" : "false", stats.quarantined ? "true" : "false",
        seconds(node.since_heard), stats.tasks_sent, stats.results, seconds(stats.busy), node.held,
        node.waiting);
  }
  const JobProgress& progress = status.progress;
  return fmt::format(
      R"({{"job":"{}","state":"{}","elapsed_s":{:.3f},"chunks":{{"total":{},"done":{},"failed":{},"processing":{}}},"tasks_sent":{},"results":{},"quarantined":{},"departed":{{"nodes":{},"results":{}}},"nodes":[{}]}})",
      json_escape(status.job), status.running ? "running" : "done", seconds(status.elapsed),
      progress.total, progress.done, progress.failed, progress.processing, status.tasks_sent,
      status.results, status.quarantined, status.departed_nodes, status.departed_results, nodes);
}

}  // namespace nc::detail
