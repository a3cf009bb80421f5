#pragma once
// Logging for every process: to stderr, and with --log-dir also to a file per process.

#include <string>

#include "node_crunch/configuration.hpp"

namespace nc::detail {

/// Sets up the default logger; `role` prefixes each line ("server", "rank 3", "node").
void setup_logging(const Configuration& config, const std::string& role);
/// Adds the per-process log file DIR/<name>.log once the name is known (e.g. after registering).
void add_log_file(const Configuration& config, const std::string& name);
/// True if stderr is a terminal (a live progress line is drawn there).
bool stderr_is_terminal();
/// Renames this process's role in the log lines.
void set_log_role(const std::string& role);

}  // namespace nc::detail
