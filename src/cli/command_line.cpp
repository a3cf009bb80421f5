#include "cli/command_line.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>

#include "cli/option_checks.hpp"
#include "cli/option_sink.hpp"
#include "node_crunch/build_config.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/options.hpp"

namespace nc::detail {
namespace {

std::chrono::milliseconds to_duration(double seconds, const char* option) {
  if (!(seconds > 0) || !std::isfinite(seconds)) {
    throw UsageError(
        fmt::format("{} must be a positive number of seconds, not {}", option, seconds));
  }
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(seconds * 1000)));
}

std::size_t pick_job(const std::vector<JobEntry>& jobs, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return 0;
  if (jobs.size() == 1) return 0;  // a one-job program: a stray word is the parser's to report
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].name == argv[1]) return i;
  }
  std::string names;
  for (const auto& job : jobs)
    names += (names.empty() ? "" : ", ") + job.name;
  throw UsageError(fmt::format("unknown job '{}' (jobs: {})", argv[1], names));
}

}  // namespace

CommandLine parse_command_line(const std::vector<JobEntry>& jobs, int argc, char** argv) {
  CommandLine result;
  result.job = pick_job(jobs, argc, argv);
  const JobEntry& job = jobs[result.job];
  const bool job_named = argc >= 2 && job.name == argv[1];
  const std::string program =
      argc > 0 ? std::string(std::strrchr(argv[0], '/') ? std::strrchr(argv[0], '/') + 1 : argv[0])
               : "nc_job";

  CLI::App app(
      fmt::format(
          "{} {}: {}\n\n"
          "The same program is server or node:\n"
          "  mpirun -n N {} {} ...        rank 0 serves, the other ranks compute\n"
          "  {} {} ...                    alone: server and nodes as threads of one process\n"
          "  {} {} --server --listen ADDR:PORT ...   a TCP server\n"
          "  {} {} --connect HOST:PORT               a TCP node (job options come from the "
          "server)\n"
          "  {} {} --connect-file FILE               the same, reading HOST:PORT from FILE each "
          "try\n"
          "A TCP server prints \"listening on HOST:PORT\" on stdout (the log goes to stderr): a "
          "script "
          "started with --listen ADDR:0 reads the port there.\n",
          program, job.name, job.summary.empty() ? "a node_crunch job" : job.summary, program,
          job.name, program, job.name, program, job.name, program, job.name, program, job.name),
      program + " " + job.name);
  app.set_version_flag("--version", std::string("node_crunch ") + NC_VERSION);
  app.get_formatter()->column_width(36);
  if (jobs.size() > 1) {
    std::string names;
    for (const auto& j : jobs)
      names += (names.empty() ? "" : ", ") + j.name;
    app.footer(fmt::format("Jobs ({} --list): {}. The first argument picks one; default: {}.",
                           program, names, jobs[0].name));
  }

  Configuration& c = result.config;
  const std::string roles = "Role and transport";
  app.add_flag("--list", result.list, "List the jobs of this program and exit")->group(roles);
  app.add_flag("--server", c.server, "Serve TCP nodes (at --listen) instead of running nodes here")
      ->group(roles);
  app.add_option("--listen", c.listen,
                 "Accept TCP nodes at ADDR:PORT (port 0: any free port, printed); also next to MPI")
      ->group(roles);
  app.add_option("--connect", c.connect, "Be a TCP node for the server at HOST:PORT")->group(roles);
  app.add_option("--connect-file", c.connect_file,
                 "Be a TCP node for the server whose HOST:PORT is in FILE, read again before "
                 "every try: a server started again elsewhere (a requeued batch job that writes "
                 "its new address there) is found by the same node, with its results")
      ->group(roles);
  app.add_option("--status", c.status,
                 "Print the statistics of the running server at HOST:PORT and exit")
      ->group(roles);
  app.add_option("--secret-file", c.secret_file,
                 "File holding the shared secret that TCP nodes and server prove to each other "
                 "(or set NC_SECRET_FILE to the file's name, or NC_SECRET to the secret itself)")
      ->group(roles);
  app.add_flag("--insecure", c.insecure,
               "Allow a TCP server on a non-loopback address without a secret")
      ->group(roles);
  app.add_option("--nodes", c.local_nodes,
                 "Alone: how many in-process nodes (default: one per core)")
      ->group(roles)
      ->capture_default_str();
  app.add_option("--threads", c.threads,
                 "Worker threads per node process, each computing its own tasks")
      ->group(roles)
      ->capture_default_str();
  app.add_flag(
         "--sequential", result.sequential,
         "Compute the job in this process with its plain sequential kernel, without node_crunch "
         "(the baseline for speed-ups)")
      ->group(roles);

  const std::string liveness = "Liveness and scheduling";
  double heartbeat = std::chrono::duration<double>(c.heartbeat).count();
  double timeout = std::chrono::duration<double>(c.timeout).count();
  double finish_grace = std::chrono::duration<double>(c.finish_grace).count();
  double retry_max = std::chrono::duration<double>(c.retry_max).count();
  double handshake_timeout = std::chrono::duration<double>(c.handshake_timeout).count();
  double progress_every = std::chrono::duration<double>(c.progress_every).count();
  app.add_option("--heartbeat", heartbeat, "Seconds between a node's heartbeats")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--timeout", timeout,
                 "Seconds of silence after which a node counts as lost and its work goes to others")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--finish-grace", finish_grace,
                 "Seconds the server waits for nodes to say goodbye at the end")
      ->group(liveness)
      ->capture_default_str();
  app.add_option(
         "--handshake-timeout", handshake_timeout,
         "TCP: seconds a new connection has to authenticate and register before it is closed")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--max-attempts", c.max_attempts,
                 "Lost nodes a chunk may take with it before it is reported failed")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--max-copies", c.max_copies,
                 "Nodes that may work on one chunk at once: above 1, idle nodes re-run stragglers")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--straggler-factor", c.straggler_factor,
                 "With --max-copies above 1: a chunk out this many mean chunk times is copied to "
                 "an idle node")
      ->group(liveness)
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  double straggler_deadline = std::chrono::duration<double>(c.straggler_deadline).count();
  app.add_option("--straggler-deadline", straggler_deadline,
                 "With --max-copies above 1: seconds a chunk may be out before any result has "
                 "come back (no mean chunk time yet) before idle nodes get copies; 0: the "
                 "--timeout")
      ->group(liveness)
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--quarantine-after", c.quarantine_after,
                 "Bad results (refused by the job, undecodable, or for tasks the node was not "
                 "given) after which a node is quarantined: dropped, its work handed to others, "
                 "its id refused; also the losses holding work, without a result in between, "
                 "after which it is; 0: never. A failed task never counts; a node that cannot "
                 "start is quarantined at once")
      ->group(liveness)
      ->capture_default_str();
  app.add_flag("--fail-fast", c.fail_fast,
               "End the job at the first task whose kernel throws, or the first refused result, "
               "with its reason (for debugging a kernel); otherwise a job fails only when a "
               "chunk has used up --max-attempts")
      ->group(liveness);
  app.add_option("--max-prefetch", c.max_prefetch,
                 "Most tasks a worker thread may hold ahead (short tasks get more)")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--pause-after-tasks", c.pause_after_tasks,
                 "Hand out N tasks, then none until SIGUSR1 (SIGTERM stops with a checkpoint): "
                 "holds a job at a known point, e.g. to interrupt it or add nodes")
      ->group(liveness)
      ->type_name("N")
      ->check(CLI::Validator(
          [](const std::string& value) {
            std::uint64_t tasks = 0;
            const auto* end = value.data() + value.size();
            const auto [rest, error] = std::from_chars(value.data(), end, tasks);
            return error == std::errc() && rest == end && !value.empty()
                       ? std::string()
                       : "must be a whole number of tasks (0 or more), not " + value;
          },
          ""));
  double server_lost_timeout = std::chrono::duration<double>(c.server_lost_timeout).count();
  app.add_option("--server-lost-timeout", server_lost_timeout,
                 "TCP node: seconds it goes on trying to reach its server, at the start or once "
                 "the server is gone (killed, requeued), keeping its unconfirmed results; then it "
                 "exits with status 1. A server that finished tells its nodes so")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--connect-attempts", c.connect_attempts,
                 "TCP node: also give up after this many failed tries in a row (0: no limit)")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--retry-max", retry_max,
                 "TCP node: longest wait between attempts, in seconds (the wait doubles from 0.2)")
      ->group(liveness)
      ->capture_default_str();
  app.add_option("--max-frame-bytes", c.max_frame_bytes, "TCP: the largest message accepted")
      ->group(liveness)
      ->check(in_range(65536, static_cast<double>(std::uint64_t{1} << 40)))
      ->capture_default_str();
  app.add_option("--mpi-piece-bytes", c.mpi_piece_bytes,
                 "MPI: messages above this size travel in pieces")
      ->group(liveness)
      ->check(in_range(1, INT_MAX))  // an MPI count is an int
      ->capture_default_str();

  const std::string output = "Logging and output";
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->group(output)
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_option("--log-dir", c.log_dir, "Also log each process to DIR/<role>-<id>.log")
      ->group(output);
  app.add_flag("--quiet", c.quiet, "Log only warnings and errors")->group(output);
  app.add_option("--progress-every", progress_every,
                 "Seconds between progress lines when stderr is not a terminal (0: none)")
      ->group(output)
      ->capture_default_str();
  app.add_flag(
         "--resume", c.resume,
         "Continue an interrupted run from its checkpoint: only the missing chunks are computed")
      ->group(output);
  app.add_option("--checkpoint", c.checkpoint,
                 "Record finished chunks here as they arrive (default: OUTPUT.checkpoint for jobs "
                 "with --output)")
      ->group(output);
  app.add_flag("--no-checkpoint", c.no_checkpoint, "Record no checkpoint")->group(output);
  app.add_option("--checkpoint-buffer", c.checkpoint_buffer_mib,
                 "MiB of results held in memory while the checkpoint's disk catches up; when it "
                 "is full the server waits for the disk (less: a smaller server, which a slow "
                 "disk holds up sooner)")
      ->group(output)
      ->type_name("MIB")
      ->check(in_range(1, 1 << 20))
      ->capture_default_str();

  OptionSink sink(app, "Options of job '" + job.name + "'");
  OptionSet job_options(sink);
  job.declare_options(job_options);

  std::vector<std::string> args;
  for (int i = argc - 1; i >= (job_named ? 2 : 1); --i)
    args.emplace_back(argv[i]);
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    result.exit_now = true;
    result.exit_status = app.exit(e, std::cout, std::cerr);
    return result;
  } catch (const CLI::CallForVersion& e) {
    result.exit_now = true;
    result.exit_status = app.exit(e, std::cout, std::cerr);
    return result;
  } catch (const CLI::ParseError& e) {
    throw UsageError(fmt::format("{} (see {} {} --help)", e.what(), program, job.name));
  }

  c.heartbeat = to_duration(heartbeat, "--heartbeat");
  c.timeout = to_duration(timeout, "--timeout");
  c.finish_grace = to_duration(finish_grace, "--finish-grace");
  c.retry_max = to_duration(retry_max, "--retry-max");
  c.server_lost_timeout = to_duration(server_lost_timeout, "--server-lost-timeout");
  c.handshake_timeout = to_duration(handshake_timeout, "--handshake-timeout");
  c.straggler_deadline = straggler_deadline == 0
                             ? Configuration::Duration::zero()
                             : to_duration(straggler_deadline, "--straggler-deadline");
  c.progress_every = progress_every == 0 ? Configuration::Duration::zero()
                                         : to_duration(progress_every, "--progress-every");
  if (c.threads == 0) throw UsageError("--threads must be at least 1");
  if (c.max_attempts == 0) throw UsageError("--max-attempts must be at least 1");
  if (c.max_copies == 0) throw UsageError("--max-copies must be at least 1");
  if (c.timeout <= c.heartbeat) {
    throw UsageError(
        fmt::format("--timeout ({} s) must be longer than --heartbeat ({} s)", timeout, heartbeat));
  }
  if (!c.connect.empty() && !c.connect_file.empty())
    throw UsageError("--connect and --connect-file exclude each other: give the address once");
  const bool node = !c.connect.empty() || !c.connect_file.empty();
  if (c.server && node) throw UsageError("--server and --connect exclude each other");
  if (c.pause_after_tasks && (node || !c.status.empty()))
    throw UsageError(
        "--pause-after-tasks is for the server; a node or --status has no tasks to hold");
  if (c.quiet) c.log_level = "warn";
  c.job_parameters = sink.values();
  result.job_options_given = sink.given();
  if (!result.list) job.validate_options();
  return result;
}

}  // namespace nc::detail
