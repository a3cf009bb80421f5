#pragma once
// What every node process does once its transport is made, whatever the transport: run the
// node, say why it ended, and end the process even if a worker is stuck in the user's code.
//
//   NodeRuntime runtime(job.node_factory, job.name, config, true);
//   TcpNodeTransport transport(runtime, config, server, std::move(key));
//   return run_node_role(runtime, transport);

#include <functional>

#include "core/node_runtime.hpp"

namespace nc::detail {

/// How a node process ends, where transports differ.
struct NodeRoleEnd {
  /// Log "the job is done" after a plain finish: a node with a terminal of its own (TCP) says
  /// so; MPI ranks share the server's, which says it once for all.
  bool say_done = true;
  /// Runs before the process ends with a worker stuck (under MPI: MPI_Finalize).
  std::function<void()> before_exit{};
};

/// Runs `runtime` over `transport` and logs why the node ended: its engine's reason (an error
/// unless the status is exit_ok), or that the job is done. Returns the exit status. If a worker
/// is still inside user code, the process ends here through end_leaving_workers.
int run_node_role(NodeRuntime& runtime, NodeTransport& transport, const NodeRoleEnd& end = {});

/// Ends the process with `status` while a worker thread is still inside user code: such a
/// thread cannot be stopped or joined, so neither destructors nor atexit handlers may run.
/// The log is flushed and `before_exit` runs first.
[[noreturn]] void end_leaving_workers(int status, const std::function<void()>& before_exit = {});

}  // namespace nc::detail
