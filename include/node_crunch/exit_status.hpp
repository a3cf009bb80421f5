#pragma once
/// The exit status of every node_crunch process.

namespace nc {

enum ExitStatus : int {
  exit_ok = 0,           ///< the job is done
  exit_failed = 1,       ///< the job failed (user code threw, chunks failed, a node gave up)
  exit_usage = 2,        ///< the command line is wrong
  exit_interrupted = 3,  ///< stopped by SIGTERM/SIGINT; --resume continues it
};

}  // namespace nc
