#pragma once
/// Every setting of the framework, filled from the command line by nc::run.
/// A job's own options (image size, ...) are not here: see options.hpp.
///
///   nc::Configuration config;               // the defaults
///   config.heartbeat = std::chrono::milliseconds(200);
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Thread safety: a plain value; the running engines only read it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "node_crunch/chunk_list.hpp"

namespace nc {

/// How a process reaches its peers: the role it plays and the transports' limits.
struct TransportSettings {
  using Duration = std::chrono::milliseconds;

  bool server = false;       ///< --server: a TCP server (with --listen)
  std::string listen;        ///< --listen ADDR:PORT: accept TCP nodes (also next to MPI)
  std::string connect;       ///< --connect HOST:PORT: a TCP node
  std::string connect_file;  ///< --connect-file FILE: a TCP node; FILE holds HOST:PORT, reread
  std::string status;        ///< --status HOST:PORT: print a running server's statistics
  std::string secret_file;   ///< --secret-file: the shared secret for TCP
  bool insecure = false;     ///< --insecure: allow a non-loopback TCP server without a secret
  std::size_t max_frame_bytes = std::size_t{1} << 30;  ///< largest TCP frame accepted
  std::size_t mpi_piece_bytes = std::size_t{1} << 30;  ///< MPI messages above this go in pieces
  unsigned local_nodes = 0;  ///< one process alone: in-process nodes (0: one per core)
  Duration handshake_timeout{
      5000};  ///< TCP: a new connection must authenticate and register in this time
  /// TCP node: how long it goes on trying to reach its server (at the start, or once the
  /// server is gone: long enough for a batch system to start it again), keeping its results.
  Duration server_lost_timeout{600000};
  unsigned connect_attempts =
      0;  ///< TCP node: also give up after this many failed tries (0: no limit)
  Duration retry_initial{200};  ///< first wait between attempts; doubles each time
  Duration retry_max{5000};     ///< longest wait between attempts
};

/// What the engines decide: liveness and scheduling.
struct EngineSettings {
  using Duration = std::chrono::milliseconds;

  // --- liveness --------------------------------------------------------------------------
  Duration heartbeat{1000};     ///< a node's heartbeat interval
  Duration timeout{5000};       ///< a node silent this long is lost
  Duration finish_grace{2000};  ///< how long the server waits for nodes to say goodbye

  // --- scheduling ------------------------------------------------------------------------
  unsigned threads = 1;           ///< worker threads per node process, each with its own Node
  unsigned max_prefetch = 128;    ///< most tasks a worker thread may hold ahead of the one it runs
  unsigned max_attempts = 3;      ///< lost holders before a chunk is failed
  unsigned max_copies = 2;        ///< nodes on one chunk at once (speculative copies of stragglers)
  double straggler_factor = 2.0;  ///< a chunk out this many mean chunk times is a straggler
  /// A chunk out this long before any result exists is a straggler (0: the heartbeat timeout).
  Duration straggler_deadline{0};
  /// A node with this many bad results (refused, undecodable, or for tasks it was not given),
  /// or this many losses holding work with no result in between, is quarantined: its work goes
  /// to others and its id is refused. 0: never. A failed task never counts.
  unsigned quarantine_after = 3;
  /// --fail-fast: the first failed task or refused result ends the job (debugging a kernel).
  bool fail_fast = false;
  /// --pause-after-tasks N: the server hands out N tasks, then none until SIGUSR1 (SIGTERM
  /// still stops it with a checkpoint). Unset: no pause.
  std::optional<std::uint64_t> pause_after_tasks;

  /// The chunk list policy these settings ask for.
  [[nodiscard]] ChunkList::Policy chunk_policy() const {
    ChunkList::Policy policy;
    policy.max_attempts = max_attempts;
    policy.max_copies = max_copies;
    policy.straggler_factor = straggler_factor;
    policy.first_straggler_after = straggler_deadline.count() > 0 ? straggler_deadline : timeout;
    return policy;
  }
};

/// What a run leaves behind and shows: logs, progress, the checkpoint.
struct OutputSettings {
  using Duration = std::chrono::milliseconds;

  std::string log_level = "info";  ///< trace, debug, info, warn, error, off
  std::string log_dir;             ///< also log each process to LOG_DIR/<role>-<id>.log
  bool quiet = false;              ///< only warnings and errors
  Duration progress_every{
      5000};                   ///< a progress line this often when no live bar is shown (0: none)
  bool resume = false;         ///< continue from the checkpoint of an interrupted run
  std::string checkpoint;      ///< where finished chunks are recorded (default: next to --output)
  bool no_checkpoint = false;  ///< record nothing
  /// Results held in memory, not yet on the checkpoint's disk, before the server waits for it.
  std::uint64_t checkpoint_buffer_mib = 64;

  /// The job's own options, as given or defaulted, filled by the command line: they tell a
  /// checkpoint of this job from one made with other parameters.
  std::vector<std::pair<std::string, std::string>> job_parameters;
};

/// Every setting at once, as the command line fills them. A layer that needs only one part
/// takes that part (the engines EngineSettings, a transport TransportSettings), so what it
/// depends on is visible in its signature; `config.heartbeat` reads through to the part.
struct Configuration : TransportSettings, EngineSettings, OutputSettings {
  using Duration = std::chrono::milliseconds;
};

}  // namespace nc
