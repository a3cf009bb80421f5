#pragma once
// The server side of the protocol, as a state machine that knows no transport and no thread.
//
// Transports feed it messages and lost connections; a timer calls on_tick. It calls the
// user's server (through ServerHandle) and answers through each node's ServerLink.
// It implements the guarantees of the architecture: registration with initial data, pull
// scheduling with held requests (Waiting, or a pause after a number of tasks), heartbeat timeouts
// reported once per loss, attempt ids, a node that comes back, results confirmed to their node
// only once they are on record (ResultRecorder), finish_job exactly once, loud failure on a user
// exception.
//
// Identity: each engine is one server run, with a random instance id; each node it registers
// gets an id and a random token. A node proves with the token that an id of this run is its
// own (nobody else can take it); an id of another run means nothing, and its holder is
// registered afresh. Across a restart of the server, the tasks an earlier run handed out
// (restore_handed_out, from the journal beside the checkpoint) stay with the node that holds
// them, proved by the token that run gave it, and their results count; attempt ids of this
// run start above those.
//
// A bad node costs its own work only. Bad results (see count_bad) quarantine it after
// Configuration::quarantine_after; so does being lost with work again and again without
// returning any (a hoarder). A task whose kernel throws costs its chunk an attempt and never
// counts against its node (ChunkList hands the chunk to another node). A node that cannot start
// (its set_initial_data or constructor threw) is quarantined at once. A quarantined node is told
// why and dropped (TCP), or left idle (MPI, in-process: it still gets the farewell); its work goes
// to others as uncounted losses (ChunkList::Loss::uncounted), its late results are ignored and its
// id is refused from then on. A live id is never handed to another connection. Lost nodes that
// nothing refers to any more are pruned. A job whose nodes are a fixed set (MPI ranks, in-process
// nodes, no listener) fails once every one of them is quarantined: nothing else could finish it.
//
// Thread safety: none; one thread (the server's event loop) calls every method.

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/attempt_table.hpp"
#include "core/confirmations.hpp"
#include "core/first_result_filter.hpp"
#include "core/handed_out.hpp"
#include "core/log_budget.hpp"
#include "core/message.hpp"
#include "core/server_link.hpp"
#include "core/status_report.hpp"
#include "node_crunch/configuration.hpp"
#include "node_crunch/detail/job_adapters.hpp"
#include "node_crunch/exit_status.hpp"
#include "node_crunch/observer.hpp"

namespace nc::detail {

/// Where the engine records the first result of each chunk as it is accepted (a checkpoint).
/// Records are numbered 1, 2, ... in the order record() is called; the recorder says, through
/// ServerEngine::on_records_durable on the engine's thread, how many of them are durable, and
/// through on_recording_failed that it cannot write any more.
class ResultRecorder {
 public:
  virtual ~ResultRecorder() = default;
  /// Takes the result over (a view keeps its frame alive); may wait while the recorder is
  /// too far behind.
  virtual void record(ChunkID chunk, Payload result) = 0;
  /// Returns once every record is durable, or recording has failed.
  virtual void drain() = 0;
  /// Tasks about to go to a node: a later server run learns from these which results of this
  /// run's nodes it may accept. Best effort: what is not kept is computed again.
  virtual void handed_out(const std::vector<HandedOut>& /*tasks*/) {}
};

class ServerEngine {
 public:
  using Clock = std::chrono::steady_clock;

  ServerEngine(
      ServerHandle& job, std::string job_name, const Configuration& config, Observer& observer,
      std::function<Clock::time_point()> clock = [] { return Clock::now(); });

  /// One whole message from a link, as its transport received it: decoded here, once, its
  /// payloads pointing into `bytes`. A malformed message is logged and closes its link (an MPI
  /// rank's stays open, so the message is only ignored).
  void on_bytes(const ServerLinkPtr& link, const ReceiveBuffer& bytes);
  void on_bytes(const ServerLinkPtr& link, Bytes&& bytes);
  void on_message(const ServerLinkPtr& link, Message message);
  void on_link_closed(const ServerLinkPtr& link, const std::string& reason);
  /// Heartbeat timeouts and held requests; call every tick_interval().
  void on_tick();
  /// Stop handing out work and end now (SIGTERM); the exit status says "interrupted".
  void interrupt(const std::string& reason);
  /// Lifts the pause of Configuration::pause_after_tasks (SIGUSR1): the held requests are
  /// served at once. Before the pause is reached it is cancelled; afterwards it does nothing.
  void release_pause();
  /// The hand-out limit is reached and not yet released: requests are held.
  [[nodiscard]] bool paused() const { return paused_; }
  /// Tasks handed out and neither answered nor lost with their node.
  [[nodiscard]] std::size_t tasks_in_flight() const { return attempts_.in_flight(); }

  [[nodiscard]] bool done() const { return phase_ == Phase::done; }
  /// After the end: tells a link that the job is over, as every registered node was told, unless
  /// it was told already. For links the engine never saw register (an MPI rank that did not get
  /// as far), so that every peer's side ends too.
  void bid_farewell(const ServerLinkPtr& link);
  /// The message that ends the job for a node (Finish, or Abort with its reason); after the end.
  [[nodiscard]] const Message& farewell() const { return farewell_; }
  [[nodiscard]] int exit_status() const { return exit_status_; }
  [[nodiscard]] const JobSummary& summary() const { return summary_; }
  [[nodiscard]] Clock::duration tick_interval() const;
  /// A read-only snapshot of the job and its nodes (for --status and monitoring).
  [[nodiscard]] StatusSnapshot status() const;
  /// The chunk state, when the engine keeps it for the job (Server::use_chunks); else null.
  [[nodiscard]] const ChunkList* chunks() const { return chunks_; }
  /// The messages and bytes that crossed every link so far.
  [[nodiscard]] const WireCounters& wire() const { return wire_; }
  /// The node a link belongs to, if it registered.
  [[nodiscard]] std::optional<NodeID> node_of(const ServerLink& link) const;

  /// Records accepted results from now on (nullptr: none). A result is confirmed to its node
  /// only once the records it needs are durable.
  void set_recorder(ResultRecorder* recorder) { recorder_ = recorder; }
  /// The recorder's report: its first `count` records are durable. The results waiting for
  /// them are confirmed to their nodes, with an empty Tasks if no task is going there.
  void on_records_durable(std::uint64_t count);
  /// The recorder cannot write (a full disk): the job fails with `error`, keeping what the
  /// checkpoint holds for a --resume.
  void on_recording_failed(const std::string& error);
  /// Hands a result restored from a checkpoint to the job, as if node 0 had sent it; before
  /// any node is served. Throws what the job's process_data_from_node throws.
  void replay(ChunkID chunk, ByteSpan result);
  /// The tasks earlier runs of this job handed out (recorded next to the checkpoint), before
  /// any node is served: a node of such a run may bring their results, and they count if it
  /// proves, with its token, that it is the node they went to, and their chunk is not done.
  /// This run's attempt ids start above theirs.
  void restore_handed_out(const std::vector<HandedOut>& earlier);
  /// Attempt ids start at `first` (before any node is served): a random start keeps them apart
  /// from those of an earlier run without a record of them.
  void start_attempts_at(std::uint64_t first) { attempts_.start_at(first); }
  /// This server run: random, told to every node with its id.
  [[nodiscard]] std::uint64_t instance() const { return instance_; }

  /// The job's nodes are `count` fixed ones (MPI ranks, in-process nodes); more may join only
  /// through a listener (accept_new_nodes). Calls add up.
  void expect_fixed_nodes(std::size_t count) { fixed_nodes_ += count; }
  /// New nodes may join at any time (a TCP listener): a job whose nodes are all quarantined
  /// waits for them.
  void accept_new_nodes() { open_to_new_nodes_ = true; }

  /// Called once when the engine is done (to stop the event loop).
  void set_on_done(std::function<void()> on_done) { on_done_ = std::move(on_done); }

 private:
  enum class Phase { running, done };

  struct NodeRecord {
    NodeStatistics stats;
    ServerLinkPtr link;
    std::uint32_t wanted = 0;        // tasks asked for and not yet given
    bool parked = false;             // its request met Waiting; retried when work may have appeared
    bool capped = false;             // it asked for more than it may hold (said once)
    std::uint64_t results_seen = 0;  // results received from it, in order
    std::uint64_t confirmed_told = 0;  // how many of them it was last told are safe
    std::uint64_t worked = 0;  // results for attempts handed to it (the job took, or a copy won)
    std::uint64_t worked_since_loss = 0;  // the same, since it was last lost
    std::uint64_t duplicates = 0;         // results for attempts answered already
    std::uint32_t bad = 0;                // bad results (count_bad)
    std::uint32_t hoards = 0;             // losses holding work, with no result since the last loss
    std::uint64_t token = 0;  // what proves a reconnection is this node (Welcome::token)
    // The token an earlier server run gave it (0: none): its results for that run's tasks count.
    std::uint64_t earlier_token = 0;
    // Results for tasks it was not given that are forgiven: a node new to this server run sends
    // first what an earlier one did not confirm.
    std::uint64_t resend_grace = 0;
    Clock::time_point lost_at{};
  };

  enum class Verdict { accepted, refused, failed };

  void on_hello(const ServerLinkPtr& link, const Hello& hello);
  static std::optional<std::string> hello_limits_broken(const Hello& hello);
  void on_results(NodeRecord& node, Results& results);
  void drop_unknown(NodeRecord& node, AttemptID attempt, bool from_result);
  bool take_earlier(NodeRecord& node, ResultItem& item);
  void adopt_earlier(NodeRecord& node);
  void register_node(const ServerLinkPtr& link, const Hello& hello, const std::string& address);
  void take_back(NodeRecord& node, const ServerLinkPtr& link, const std::string& address);
  void count_bad(NodeRecord& node, const std::string& why);
  void quarantine(NodeRecord& node, const std::string& why);
  void fail_if_no_node_can_work(const std::string& last_reason);
  void credit_work(NodeRecord& node);
  [[nodiscard]] static ChunkList::Loss attempt_cost(const NodeRecord& node);
  void on_start_failed(NodeRecord& node, const TaskFailed& failed);
  void refuse(const ServerLinkPtr& link, const std::string& reason);
  [[nodiscard]] std::uint64_t hold_cap(const NodeRecord& node) const;
  [[nodiscard]] std::uint64_t earned_cap(const NodeRecord& node) const;
  static constexpr std::uint64_t kFirstHold = 16;  // tasks a node holds before it returns any
  void on_result(NodeRecord& node, ResultItem& item, std::optional<ChunkID> chunk);
  void tell_confirmed(NodeRecord& node);
  Verdict hand_result_to_job(NodeID node, std::optional<ChunkID> chunk, ByteSpan payload,
                             std::string& why);
  void note_failure(ChunkID chunk, std::string reason);
  [[nodiscard]] std::string failure_text(ChunkID chunk) const;
  bool hand_replay_to_job(ChunkID chunk, ByteSpan result);
  void chunks_failed(const std::vector<ChunkID>& failed);
  void on_task_failed(NodeRecord& node, const TaskFailed& failed);
  NodeRecord* registered(const ServerLinkPtr& link, MessageType type, bool revive_lost = true);

  void serve(NodeRecord& node);
  bool hold_for_pause();
  void note_quiet_pause();
  void serve_parked();
  void park(NodeRecord& node);
  enum class LossCost { judged, none };
  void declare_lost(const std::vector<NodeID>& ids, const std::string& reason,
                    LossCost cost = LossCost::judged);
  void release_chunks(const NodeRecord& node, const std::string& reason, LossCost cost,
                      std::vector<ChunkID>& failed);
  void prune_lost(Clock::time_point now);
  void keep_departed(const NodeStatistics& stats);
  void revive(NodeRecord& node);
  void want(NodeRecord& node, std::uint32_t more);
  void forget_attempts(NodeRecord& node);
  void report_progress();

  void finish();
  void fail(const std::string& reason);
  void end(int status, const std::string& failure, Message farewell);
  template <class Buffer>
  void decode_and_dispatch(const ServerLinkPtr& link, Buffer&& bytes);
  template <class F>
  bool call_user(const char* method, std::optional<NodeID> node, std::optional<ChunkID> chunk,
                 F&& call);

  ServerHandle& job_;
  std::string job_name_;
  const Configuration& config_;
  Observer& observer_;
  ChunkList* chunks_;  // the chunk state, when the engine keeps it for the job (use_chunks)
  std::function<Clock::time_point()> clock_;
  std::function<void()> on_done_;

  Phase phase_ = Phase::running;
  Message farewell_ = Finish{};
  WireCounters wire_;
  int exit_status_ = 0;
  JobSummary summary_;
  Clock::time_point started_;
  Clock::time_point last_tick_;
  Clock::time_point last_progress_report_;
  /// Progress is reported after results, and at least this often from the tick.
  static constexpr std::chrono::seconds kProgressEvery{1};

  std::unordered_map<NodeID, NodeRecord> nodes_;
  std::unordered_map<const ServerLink*, NodeID> node_by_link_;
  AttemptTable attempts_;
  // Why attempts of a chunk failed (refused, the kernel threw), at most max_attempts each.
  std::unordered_map<std::uint64_t, std::vector<std::string>> failure_reasons_;
  std::optional<ChunkID> first_failed_;
  std::deque<NodeID> parked_;
  // Why each quarantined node was thrown out; kept after its record is pruned, to refuse its id.
  std::unordered_map<NodeID, std::string> quarantined_ids_;
  std::deque<NodeID> quarantine_order_;  // oldest first, to bound quarantined_ids_
  static constexpr std::size_t kKeptQuarantined = 100000;
  // A result's compute time, as its node claims it, is taken as at most this (a year).
  static constexpr std::uint64_t kMaxComputeUs = 365ULL * 24 * 3600 * 1000000;
  LogBudget node_lines_;  // per-node warnings, so that bad nodes cannot flood the log
  std::uint64_t next_node_ = 1;
  std::uint64_t instance_;
  // Earlier runs' tasks (restore_handed_out) by attempt id: their chunk and the holder's token.
  struct EarlierTask {
    ChunkID chunk;
    std::uint64_t token;
  };
  std::unordered_map<AttemptID, EarlierTask> earlier_tasks_;
  std::unordered_map<std::uint64_t, std::vector<AttemptID>> earlier_by_token_;
  // Statistics of pruned nodes, for the summary (keep_departed).
  static constexpr std::size_t kKeptDeparted = 4096;
  std::vector<NodeStatistics> departed_;
  NodeStatistics departed_rest_;
  std::uint64_t departed_folded_ = 0;
  std::uint64_t departed_nodes_ = 0;
  std::uint64_t departed_results_ = 0;
  std::size_t fixed_nodes_ = 0;
  bool open_to_new_nodes_ = false;
  std::size_t failed_chunks_seen_ = 0;
  std::optional<std::uint64_t> pause_at_;  // tasks handed out when the pause begins
  bool paused_ = false;
  bool pause_quiet_ = false;  // the pause found no task in flight (and said so)
  ResultRecorder* recorder_ = nullptr;
  FirstResultFilter recorded_;   // chunks whose result went to the recorder
  std::uint64_t records_ = 0;    // results handed to the recorder
  Confirmations confirmations_;  // which results each node may forget
};

}  // namespace nc::detail
