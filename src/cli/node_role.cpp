#include "cli/node_role.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

#include "node_crunch/exit_status.hpp"

namespace nc::detail {

int run_node_role(NodeRuntime& runtime, NodeTransport& transport, const NodeRoleEnd& end) {
  const int status = runtime.run(transport);
  const std::string& reason = runtime.engine().reason();
  if (reason.empty()) {
    if (status == exit_ok && end.say_done) spdlog::info("the job is done");
  } else if (status == exit_ok) {
    spdlog::info("{}", reason);
  } else {
    spdlog::error("{}", reason);
  }
  if (runtime.workers_stuck()) end_leaving_workers(status, end.before_exit);
  return status;
}

void end_leaving_workers(int status, const std::function<void()>& before_exit) {
  spdlog::default_logger()->flush();
  if (before_exit) before_exit();
  std::_Exit(status);
}

}  // namespace nc::detail
