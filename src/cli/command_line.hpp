#pragma once
// Parses `prog [JOB] [options]`: picks the job, fills the Configuration and the job's options.

#include <cstddef>
#include <string>
#include <vector>

#include "node_crunch/configuration.hpp"
#include "node_crunch/detail/job_adapters.hpp"

namespace nc::detail {

struct CommandLine {
  std::size_t job = 0;  // index into the job list
  Configuration config;
  bool list = false;        // --list
  bool sequential = false;  // --sequential
  bool exit_now = false;    // --help or --version was answered
  int exit_status = 0;      // ...with this status
  /// The job's own options given on the command line (a TCP node ignores them).
  std::vector<std::string> job_options_given;
};

/// Throws UsageError with a message that says what is wrong and how to get help.
CommandLine parse_command_line(const std::vector<JobEntry>& jobs, int argc, char** argv);

}  // namespace nc::detail
