#include "core/server_engine.hpp"
#include "core/overloaded.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/random_id.hpp"
#include "core/status_report.hpp"

namespace nc::detail {
namespace {

std::string seconds_text(std::chrono::steady_clock::duration duration) {
  return fmt::format("{:.1f} s", std::chrono::duration<double>(duration).count());
}

std::string chunk_text(std::optional<ChunkID> chunk) {
  return chunk ? " on " + to_string(*chunk) : std::string();
}

// Runs the job's process_data_from_node: the reason, if it refused the result (BadResult) or
// the result did not decode (BadPayload). Any other exception is the job's own and passes.
template <class F>
std::optional<std::string> refusal(F&& process) {
  try {
    process();
    return std::nullopt;
  } catch (const BadPayload& e) {
    return e.what();
  } catch (const BadResult& e) {
    return e.what();
  }
}

}  // namespace

ServerEngine::ServerEngine(ServerHandle& job, std::string job_name, const Configuration& config,
                           Observer& observer, std::function<Clock::time_point()> clock)
    : job_(job),
      job_name_(std::move(job_name)),
      config_(config),
      observer_(observer),
      chunks_(job.chunks()),
      clock_(std::move(clock)),
      started_(clock_()),
      last_tick_(started_),
      node_lines_(clock_),
      instance_(random_nonzero_u64()),
      pause_at_(config.pause_after_tasks) {
  summary_.job = job_name_;
  if (chunks_ != nullptr) chunks_->set_clock(clock_);  // one time for the engine and its chunks
  observer_.on_job_started(job_name_);
}

// Often enough to judge heartbeats, and to give an idle node its copy of a straggler soon
// after the chunk turns late (a held request is otherwise retried only when something happens).
ServerEngine::Clock::duration ServerEngine::tick_interval() const {
  constexpr Clock::duration kRetryHeld = std::chrono::milliseconds(100);
  const auto interval =
      std::min<Clock::duration>({config_.heartbeat, config_.timeout / 4, kRetryHeld});
  return std::max<Clock::duration>(interval, std::chrono::milliseconds(10));
}

std::optional<NodeID> ServerEngine::node_of(const ServerLink& link) const {
  const auto it = node_by_link_.find(&link);
  if (it == node_by_link_.end()) return std::nullopt;
  return it->second;
}

// Runs one call into user code. A BadPayload (a peer's undecodable bytes) is logged and the
// call skipped; any other exception ends the job, naming the method, the node and the chunk.
template <class F>
bool ServerEngine::call_user(const char* method, std::optional<NodeID> node,
                             std::optional<ChunkID> chunk, F&& call) {
  try {
    call();
    return true;
  } catch (const BadPayload& e) {
    spdlog::warn("dropped data from {}{}: {}", node ? to_string(*node) : "a node",
                 chunk_text(chunk), e.what());
    return false;
  } catch (const std::exception& e) {
    fail(fmt::format("the server's {}{}{} threw: {}", method,
                     node ? " for " + to_string(*node) : "", chunk_text(chunk), e.what()));
    return false;
  }
}

template <class Buffer>
void ServerEngine::decode_and_dispatch(const ServerLinkPtr& link, Buffer&& bytes) {
  ++wire_.messages_in;
  wire_.bytes_in += bytes.size();
  Message message;
  try {
    message = decode(std::forward<Buffer>(bytes));
  } catch (const std::exception& e) {
    // The one policy for every transport: the sender pays, the job goes on.
    if (node_lines_.allow())
      spdlog::warn("{} sent a malformed message ({}); closing its connection", link->address(),
                   e.what());
    link->close(std::string("a malformed message: ") + e.what());
    return;
  }
  on_message(link, std::move(message));
}

void ServerEngine::on_bytes(const ServerLinkPtr& link, const ReceiveBuffer& bytes) {
  decode_and_dispatch(link, bytes);
}

void ServerEngine::on_bytes(const ServerLinkPtr& link, Bytes&& bytes) {
  decode_and_dispatch(link, std::move(bytes));
}

void ServerEngine::on_message(const ServerLinkPtr& link, Message message) {
  link->counters_ = &wire_;
  if (std::holds_alternative<Bye>(message)) link->said_goodbye_ = true;
  if (phase_ == Phase::done && !std::holds_alternative<Hello>(message) &&
      !std::holds_alternative<StatusRequest>(message)) {
    return;  // the job is over: results, requests and goodbyes change nothing now
  }
  std::visit(Overloaded{
                 [&](Hello& hello) { on_hello(link, hello); },
                 [&](Request& request) {
                   if (auto* node = registered(link, MessageType::request)) {
                     want(*node, request.count);
                     serve(*node);
                   }
                 },
                 [&](Results& results) {
                   if (auto* node = registered(link, MessageType::results))
                     on_results(*node, results);
                 },
                 [&](Heartbeat&) { registered(link, MessageType::heartbeat); },
                 [&](TaskFailed& failed) {
                   if (auto* node = registered(link, MessageType::task_failed))
                     on_task_failed(*node, failed);
                 },
                 [&](Bye&) {
                   if (auto* node = registered(link, MessageType::bye, false);
                       node && phase_ == Phase::running) {
                     declare_lost({node->stats.info.id}, "it left");
                   }
                 },
                 [&](StatusRequest&) {
                   link->send(StatusReply{status_json(status())});
                   if (!node_of(*link)) link->close("status sent");
                 },
                 [&](auto& other) {
                   if (node_lines_.allow())
                     spdlog::warn(
                         "{} sent a '{}' message, which only a server sends; closing its "
                         "connection",
                         link->address(), name_of(type_of(Message(other))));
                   link->close("protocol violation");
                 },
             },
             message);
}

// The node a message came from; a message before Hello is a protocol violation. Any message
// counts as a sign of life, and revives a node that was declared lost.
ServerEngine::NodeRecord* ServerEngine::registered(const ServerLinkPtr& link, MessageType type,
                                                   bool revive_lost) {
  const auto id = node_of(*link);
  if (!id) {
    if (node_lines_.allow())
      spdlog::warn("{} sent '{}' before registering; closing its connection", link->address(),
                   name_of(type));
    link->close("not registered");
    return nullptr;
  }
  NodeRecord& node = nodes_.at(*id);
  node.stats.info.last_heartbeat = clock_();
  // A quarantined node left idle (MPI): what it asks or sends is not served.
  if (node.stats.quarantined) return nullptr;
  if (revive_lost && node.stats.lost && phase_ == Phase::running) revive(node);
  return &node;
}

void ServerEngine::on_hello(const ServerLinkPtr& link, const Hello& hello) {
  if (phase_ != Phase::running) {
    bid_farewell(link);
    return;
  }
  if (node_of(*link)) {
    if (node_lines_.allow())
      spdlog::warn("{} registered twice; closing its connection", link->address());
    link->close("registered twice");
    return;
  }
  if (const auto oversized = hello_limits_broken(hello)) {
    refuse(link, *oversized);
    return;
  }
  if (hello.protocol != kProtocolVersion || hello.job != job_name_) {
    const auto reason = hello.protocol != kProtocolVersion
                            ? fmt::format("protocol version {} is not the server's {}",
                                          hello.protocol, kProtocolVersion)
                            : fmt::format("the server runs job '{}', the node was started for '{}'",
                                          job_name_, hello.job);
    refuse(link, reason);
    return;
  }
  if (const std::uint64_t ours = job_.fingerprint();
      ours != 0 && hello.fingerprint != 0 && hello.fingerprint != ours) {
    refuse(link, fmt::format("the node was built with other Task, Result or InitialData types "
                             "than the server's (type fingerprint {:016x}, the server's {:016x}): "
                             "build both from the same sources",
                             hello.fingerprint, ours));
    return;
  }
  const auto address = hello.host.empty() ? link->address()
                                          : fmt::format("{} (host {}, pid {})", link->address(),
                                                        hello.host, hello.pid);
  // Ids belong to the server run that gave them: an id of another run means nothing here.
  if (hello.instance == instance_ && hello.previous.value() != 0) {
    if (const auto q = quarantined_ids_.find(hello.previous); q != quarantined_ids_.end()) {
      refuse(link, fmt::format("{} is quarantined: {}", to_string(hello.previous), q->second));
      return;
    }
    if (const auto old = nodes_.find(hello.previous); old != nodes_.end()) {
      // Only the node that was given the id knows its token: nobody else can take it over.
      if (hello.token != old->second.token) {
        refuse(link, fmt::format("{} was given to another node (the token does not match)",
                                 to_string(hello.previous)));
        return;
      }
      take_back(old->second, link, address);
      return;
    }
  }
  register_node(link, hello, address);
}

// The node proved it is `node` (its token): it is back, and its queued work still counts. A
// connection of its that is still open is one it left behind (half-open on this side).
void ServerEngine::take_back(NodeRecord& node, const ServerLinkPtr& link,
                             const std::string& address) {
  if (!node.stats.lost) declare_lost({node.stats.info.id}, "it reconnected");
  if (node.link && node.link != link) {
    node_by_link_.erase(node.link.get());
    node.link->close("replaced by a new connection");
  }
  node.link = link;
  node_by_link_[link.get()] = node.stats.info.id;
  link->registered();
  node.stats.info.address = address;
  node.stats.info.last_heartbeat = clock_();
  if (phase_ != Phase::running) return;
  revive(node);
}

void ServerEngine::register_node(const ServerLinkPtr& link, const Hello& hello,
                                 const std::string& address) {
  const auto now = clock_();
  const NodeID id{next_node_++};
  NodeRecord& node = nodes_[id];
  node.stats.info = NodeInfo{id, address, hello.threads, now, now};
  node.link = link;
  node.token = random_nonzero_u64();
  if (hello.instance != 0 && hello.instance != instance_) node.earlier_token = hello.token;
  node_by_link_[link.get()] = id;
  link->registered();
  adopt_earlier(node);

  Welcome welcome;
  welcome.node = id;
  welcome.heartbeat_ms = static_cast<std::uint32_t>(config_.heartbeat.count());
  welcome.fresh = true;
  welcome.instance = instance_;
  welcome.token = node.token;
  if (!call_user("initial_data", id, std::nullopt,
                 [&] { welcome.initial_data = job_.initial_data(); }))
    return;
  // A node that had an id before (of an earlier server run, or one pruned here) first sends
  // again what that run did not confirm: as much as it could hold, and as much again.
  if (hello.previous.value() != 0) node.resend_grace = 2 * hold_cap(node);
  link->send(std::move(welcome));
  observer_.on_node_joined(node.stats.info, false);
}

void ServerEngine::refuse(const ServerLinkPtr& link, const std::string& reason) {
  if (node_lines_.allow()) spdlog::warn("refused a node at {}: {}", link->address(), reason);
  link->send(Reject{reason});
  link->close("rejected");
}

// Every field of a hello is bounded: a node's record and the log lines that name it stay small
// whatever a peer sends.
std::optional<std::string> ServerEngine::hello_limits_broken(const Hello& hello) {
  constexpr std::size_t kMaxName = 255;
  constexpr std::uint32_t kMaxThreads = 4096;
  if (hello.host.size() > kMaxName)
    return fmt::format("a host name of {} bytes (at most {})", hello.host.size(), kMaxName);
  if (hello.job.size() > kMaxName)
    return fmt::format("a job name of {} bytes (at most {})", hello.job.size(), kMaxName);
  if (hello.threads == 0 || hello.threads > kMaxThreads)
    return fmt::format("{} threads (1 to {})", hello.threads, kMaxThreads);
  return std::nullopt;
}

// A node holds at most what its worker threads may prefetch (a node asks for no more): a node
// asking for more is capped, so that no node can take the whole job and sit on it.
std::uint64_t ServerEngine::hold_cap(const NodeRecord& node) const {
  return std::uint64_t{node.stats.info.threads} * (1 + std::max(1u, config_.max_prefetch));
}

// What a node may hold now: kFirstHold tasks before any result of its own was taken, then
// twice what it has returned, up to hold_cap. A node that takes work and returns none (a
// hoarder, or a node that cannot work) holds a handful of chunks, however many threads it
// claims; an honest one reaches its share after a few rounds of results.
std::uint64_t ServerEngine::earned_cap(const NodeRecord& node) const {
  return std::min(hold_cap(node), std::max<std::uint64_t>(kFirstHold, 2 * node.worked));
}

void ServerEngine::want(NodeRecord& node, std::uint32_t more) {
  const std::uint64_t cap = hold_cap(node);
  const std::uint64_t held = attempts_.held_by(node.stats.info.id);
  const std::uint64_t asked = std::uint64_t{node.wanted} + more;
  if (held + asked <= cap) {
    node.wanted = static_cast<std::uint32_t>(asked);
    return;
  }
  node.wanted = static_cast<std::uint32_t>(cap > held ? cap - held : 0);
  if (!node.capped) {
    node.capped = true;
    if (node_lines_.allow())
      spdlog::warn("{} asked for {} more tasks, holding {}: capped at {} ({} thread(s) x {})",
                   to_string(node.stats.info.id), more, held, cap, node.stats.info.threads,
                   1 + std::max(1u, config_.max_prefetch));
  }
}

void ServerEngine::revive(NodeRecord& node) {
  node.stats.lost = false;
  node.wanted = 0;  // the node forgets its open requests on Welcome and asks again
  Welcome welcome;
  welcome.node = node.stats.info.id;
  welcome.heartbeat_ms = static_cast<std::uint32_t>(config_.heartbeat.count());
  // The node sends again every result not confirmed, numbered on from the confirmed ones: the
  // count of received ones goes back to match.
  node.results_seen = confirmations_.confirmed(node.stats.info.id);
  node.confirmed_told = node.results_seen;
  welcome.results_seen = node.results_seen;
  welcome.fresh = false;
  welcome.instance = instance_;
  welcome.token = node.token;
  node.link->send(std::move(welcome));
  observer_.on_node_joined(node.stats.info, true);
}

void ServerEngine::on_results(NodeRecord& node, Results& results) {
  const auto most_busy = clock_() - started_;  // a node's claim of its compute time is bounded
  for (ResultItem& item : results.items) {
    ++node.results_seen;
    ++node.stats.results;
    ++summary_.results;
    node.stats.busy += std::min<std::chrono::microseconds>(
        std::chrono::microseconds(std::min<std::uint64_t>(item.compute_us, kMaxComputeUs)),
        std::chrono::duration_cast<std::chrono::microseconds>(most_busy));
    // The chunk a result answers is the one its attempt was handed out for, whatever the
    // node says; a result for an attempt its sender was not given counts for nothing.
    const auto attempt = attempts_.take(node.stats.info.id, item.attempt);
    if (!attempt) {
      if (!take_earlier(node, item)) drop_unknown(node, item.attempt, true);
    } else {
      if (item.attempt.value() < attempts_.first()) ++summary_.earlier_results;  // adopted
      on_result(node, item, attempt->chunk);
    }
    if (phase_ != Phase::running || node.stats.quarantined) return;
    // Its own record if it just got one, else every record made before it: records_ either way.
    confirmations_.received(node.stats.info.id, node.results_seen, records_);
  }
  want(node, results.more);
  report_progress();
  if (node.wanted > 0 && !node.parked) park(node);
  serve_parked();
  note_quiet_pause();
}

// A result for a task an earlier server run handed out: it counts if that run recorded giving
// it to this very node (the token it had then) and its chunk is not done yet. It counts once.
bool ServerEngine::take_earlier(NodeRecord& node, ResultItem& item) {
  if (node.earlier_token == 0 || chunks_ == nullptr) return false;
  const auto earlier = earlier_tasks_.find(item.attempt);
  if (earlier == earlier_tasks_.end() || earlier->second.token != node.earlier_token) return false;
  const ChunkID chunk = earlier->second.chunk;
  earlier_tasks_.erase(earlier);
  if (chunk.value() >= chunks_->size()) return false;
  if (node_lines_.allow())
    spdlog::debug("{} brought the result of {} from an earlier server run",
                  to_string(node.stats.info.id), to_string(chunk));
  if (chunks_->state(chunk) != ChunkState::done) ++summary_.earlier_results;
  on_result(node, item, chunk);
  return true;
}

// A node of an earlier server run registers: the tasks that run gave it, by the journal, and
// that it still computes or holds results for, stay its own. Their chunks are not handed to
// others unless it is lost, so a restart of the server costs no work twice.
void ServerEngine::adopt_earlier(NodeRecord& node) {
  const auto mine = earlier_by_token_.find(node.earlier_token);
  if (mine == earlier_by_token_.end() || chunks_ == nullptr) return;
  const NodeID id = node.stats.info.id;
  std::size_t adopted = 0;
  for (const AttemptID attempt : mine->second) {
    const auto task = earlier_tasks_.find(attempt);
    if (task == earlier_tasks_.end()) continue;
    const ChunkID chunk = task->second.chunk;
    if (chunk.value() >= chunks_->size() || !chunks_->adopt(chunk, id)) continue;
    attempts_.adopt(attempt, id, chunk);
    earlier_tasks_.erase(task);
    ++adopted;
  }
  earlier_by_token_.erase(mine);  // a token is one node's: nobody else may claim these
  if (adopted > 0)
    spdlog::info("{} holds {} task(s) of an earlier server run: they stay its own", to_string(id),
                 adopted);
}

void ServerEngine::restore_handed_out(const std::vector<HandedOut>& earlier) {
  std::uint64_t highest = 0;
  for (const HandedOut& task : earlier) {
    if (!earlier_tasks_.emplace(task.attempt, EarlierTask{task.chunk, task.token}).second) continue;
    earlier_by_token_[task.token].push_back(task.attempt);
    highest = std::max(highest, task.attempt.value());
  }
  if (highest > 0 && attempts_.first() <= highest) attempts_.start_at(highest + 1);
}

// An attempt already answered (a node resends what it is not sure arrived) is a duplicate; one
// that was never handed out, or is held by another node, is a forgery and a bad result. An
// honest node resends at most what it was handed, plus the share it held when its connection
// broke (it renumbers those under a new id): duplicates beyond that are bad results too, since
// attempt ids are sequential and a forger could otherwise guess answered ones for free.
// A TaskFailed (from_result false) for an unknown attempt is dropped and never counts.
void ServerEngine::drop_unknown(NodeRecord& node, AttemptID attempt, bool from_result) {
  const NodeID id = node.stats.info.id;
  if (from_result && attempts_.classify(attempt) == AttemptTable::Unknown::foreign &&
      node.resend_grace > 0) {
    --node.resend_grace;  // an earlier run's, resent: not this node's fault
    ++summary_.dropped;
    return;
  }
  if (attempts_.classify(attempt) == AttemptTable::Unknown::answered) {
    ++summary_.duplicates;
    if (from_result && ++node.duplicates > node.stats.tasks_sent + hold_cap(node))
      count_bad(node, fmt::format("{} results for tasks answered already, more than it could "
                                  "resend",
                                  node.duplicates));
    return;
  }
  ++summary_.dropped;
  if (node_lines_.allow())
    spdlog::warn("dropped a result from {} for {}, which was not handed to it", to_string(id),
                 to_string(attempt));
  if (from_result)
    count_bad(node, fmt::format("a result for {}, not handed to it", to_string(attempt)));
}

// What counts as bad: a result that does not decode, that the job refuses (BadResult), or that
// answers a task its sender was not given (drop_unknown). A TaskFailed never counts: a kernel
// that throws is the job's bug, not the node's, and costs its chunk an attempt instead.
void ServerEngine::count_bad(NodeRecord& node, const std::string& why) {
  if (config_.quarantine_after == 0 || node.stats.quarantined) return;
  if (++node.bad < config_.quarantine_after) return;
  quarantine(node, fmt::format("{} bad results, the last: {}", node.bad, why));
}

void ServerEngine::quarantine(NodeRecord& node, const std::string& why) {
  if (node.stats.quarantined) return;
  const NodeID id = node.stats.info.id;
  node.stats.quarantined = true;
  ++summary_.quarantined;
  constexpr std::size_t kMaxReason = 300;
  quarantined_ids_[id] = why.size() > kMaxReason ? why.substr(0, kMaxReason) + "..." : why;
  quarantine_order_.push_back(id);
  if (quarantine_order_.size() > kKeptQuarantined) {  // the oldest go: memory stays bounded
    quarantined_ids_.erase(quarantine_order_.front());
    quarantine_order_.pop_front();
  }
  spdlog::warn("{} quarantined: {}", to_string(id), why);
  // Its work goes to others uncounted (ChunkList::Loss::uncounted): it is the node that is bad.
  declare_lost({id}, "quarantined", LossCost::none);
  if (phase_ != Phase::running) return;  // the farewell went out
  if (node.link && !node.link->stays_reachable()) {
    const ServerLinkPtr link = std::move(node.link);
    node_by_link_.erase(link.get());
    link->send(Reject{"this node is quarantined: " + why});
    link->close("quarantined");
  }
  fail_if_no_node_can_work(why);
}

void ServerEngine::fail_if_no_node_can_work(const std::string& last_reason) {
  if (open_to_new_nodes_ || fixed_nodes_ == 0 || summary_.quarantined < fixed_nodes_) return;
  fail(fmt::format("no node is left to work: all {} were quarantined, the last because {}",
                   fixed_nodes_, last_reason));
}

void ServerEngine::on_result(NodeRecord& node, ResultItem& item, std::optional<ChunkID> chunk) {
  const NodeID id = node.stats.info.id;
  const bool tracked = chunks_ != nullptr && chunk && chunk->value() < chunks_->size();
  if (tracked && chunks_->state(*chunk) == ChunkState::done) {
    (void)chunks_->complete(*chunk, id);  // frees the node's hold on it
    ++summary_.duplicates;
    credit_work(node);  // its own attempt: work done, only later than a copy
    return;
  }
  std::string why;
  switch (hand_result_to_job(id, chunk, item.payload, why)) {
    case Verdict::failed:
      return;
    case Verdict::refused:
      ++summary_.refused;
      if (config_.fail_fast) {
        fail(fmt::format("--fail-fast: refused a result from {}{}: {}", to_string(id),
                         chunk_text(chunk), why));
        return;
      }
      if (tracked) {
        note_failure(*chunk, fmt::format("{}'s result refused: {}", to_string(id), why));
        if (chunks_->reject(*chunk, id, attempt_cost(node))) chunks_failed({*chunk});
      }
      count_bad(node, fmt::format("a result{} refused: {}", chunk_text(chunk), why));
      return;
    case Verdict::accepted:
      break;
  }
  credit_work(node);
  if (tracked) (void)chunks_->complete(*chunk, id);
  if (recorder_ != nullptr && chunk && recorded_.first(*chunk)) {
    ++records_;
    recorder_->record(*chunk, std::move(item.payload));  // the job is done with it
  }
  observer_.on_result(id, item.attempt, chunk);
}

void ServerEngine::on_records_durable(std::uint64_t count) {
  if (phase_ != Phase::running) return;  // the farewell came after the last records
  for (const NodeID id : confirmations_.durable(count))
    if (const auto node = nodes_.find(id); node != nodes_.end()) tell_confirmed(node->second);
}

// Confirmations ride on the next Tasks; a node that gets none now (it waits for work, or the
// job's last results are coming in) hears of them in an empty one.
void ServerEngine::tell_confirmed(NodeRecord& node) {
  const std::uint64_t confirmed = confirmations_.confirmed(node.stats.info.id);
  if (node.stats.lost || !node.link || confirmed <= node.confirmed_told) return;
  node.confirmed_told = confirmed;
  Tasks none;
  none.results_seen = confirmed;
  node.link->send(std::move(none));
}

void ServerEngine::on_recording_failed(const std::string& error) {
  fail(error);  // the summary says it
}

// A result the job refuses (BadResult) or cannot decode (BadPayload) costs its sender, not the
// job; any other exception from the job's code ends the job.
ServerEngine::Verdict ServerEngine::hand_result_to_job(NodeID node, std::optional<ChunkID> chunk,
                                                       ByteSpan payload, std::string& why) {
  try {
    const auto refused = refusal([&] { job_.process(node, chunk, payload); });
    if (!refused) return Verdict::accepted;
    why = *refused;
  } catch (const std::exception& e) {
    fail(fmt::format("the server's process_data_from_node for {}{} threw: {}", to_string(node),
                     chunk_text(chunk), e.what()));
    return Verdict::failed;
  }
  if (node_lines_.allow())
    spdlog::warn("refused a result from {}{}: {}", to_string(node), chunk_text(chunk), why);
  return Verdict::refused;
}

// Why each attempt of a chunk came to nothing, for the message that names a failed chunk.
void ServerEngine::note_failure(ChunkID chunk, std::string reason) {
  constexpr std::size_t kMaxReason = 300;
  if (reason.size() > kMaxReason) reason = reason.substr(0, kMaxReason) + "...";
  auto& reasons = failure_reasons_[chunk.value()];
  if (reasons.size() < config_.max_attempts) reasons.push_back(std::move(reason));
}

std::string ServerEngine::failure_text(ChunkID chunk) const {
  std::string text = to_string(chunk);
  const auto it = failure_reasons_.find(chunk.value());
  if (it == failure_reasons_.end()) return text + ": its holders were lost";
  for (std::size_t i = 0; i < it->second.size(); ++i)
    text += (i == 0 ? ": " : "; ") + it->second[i];
  return text;
}

void ServerEngine::chunks_failed(const std::vector<ChunkID>& failed) {
  if (failed.empty()) return;
  std::string names;
  for (std::size_t i = 0; i < failed.size() && i < 8; ++i)
    names += (i == 0 ? "" : ", ") + std::to_string(failed[i].value());
  if (failed.size() > 8) names += ", ...";
  spdlog::error("{} chunk(s) failed ({}) after {} attempt(s) each; {}", failed.size(), names,
                config_.max_attempts, failure_text(failed.front()));
  if (!first_failed_) first_failed_ = failed.front();
  failed_chunks_seen_ += failed.size();
  observer_.on_chunks_failed(failed);
}

void ServerEngine::replay(ChunkID chunk, ByteSpan result) {
  if (chunks_ == nullptr) {
    // A chunk recorded twice (a damaged or hand-merged file) still counts once.
    if (recorded_.first(chunk)) job_.process(NodeID{0}, chunk, result);
    return;
  }
  if (chunk.value() >= chunks_->size()) {
    spdlog::warn("the checkpoint names chunk {}, the job has {}: ignored", chunk.value(),
                 chunks_->size());
    return;
  }
  if (chunks_->state(chunk) == ChunkState::done) return;
  if (hand_replay_to_job(chunk, result)) {
    chunks_->mark_done(chunk);
    (void)recorded_.first(chunk);
  }
}

// A restored result the job refuses is computed again; any other exception is the job's.
bool ServerEngine::hand_replay_to_job(ChunkID chunk, ByteSpan result) {
  const auto refused = refusal([&] { job_.process(NodeID{0}, chunk, result); });
  if (refused) {
    spdlog::warn("the checkpoint's result of chunk {} is refused and computed again: {}",
                 chunk.value(), *refused);
  }
  return !refused;
}

// A node's kernel threw on a task. With the chunk state in the engine it costs the chunk one of
// its attempts, like a refused result: a kernel bug that fails one chunk everywhere fails that
// chunk, and the job goes on until it is the only thing left. A job that keeps its own chunks
// cannot give the chunk back: there it ends the job. A node that could not start (attempt 0)
// is quarantined (on_start_failed).
void ServerEngine::on_task_failed(NodeRecord& node, const TaskFailed& failed) {
  const NodeID id = node.stats.info.id;
  if (chunks_ != nullptr && failed.attempt.value() != 0) {
    const auto attempt = attempts_.take(id, failed.attempt);
    if (!attempt) {
      drop_unknown(node, failed.attempt, false);
      return;
    }
    if (attempt->chunk && attempt->chunk->value() < chunks_->size()) {
      const ChunkID chunk = *attempt->chunk;
      ++summary_.task_failures;
      if (config_.fail_fast) {
        fail(fmt::format("--fail-fast: {} ({}) failed on {} ({}): {}", to_string(id),
                         node.stats.info.address, to_string(chunk), to_string(failed.attempt),
                         failed.what));
        return;
      }
      if (node_lines_.allow())
        spdlog::warn("{} ({}) failed on {} ({}): {}", to_string(id), node.stats.info.address,
                     to_string(chunk), to_string(failed.attempt), failed.what);
      note_failure(chunk, fmt::format("{} failed: {}", to_string(id), failed.what));
      if (chunks_->reject(chunk, id, attempt_cost(node))) chunks_failed({chunk});
      if (phase_ != Phase::running) return;
      report_progress();
      serve_parked();
      note_quiet_pause();
      return;
    }
  }
  if (failed.attempt.value() == 0) {
    on_start_failed(node, failed);
    return;
  }
  // Only a task handed to this node can fail on it: anything else is dropped.
  const auto attempt = attempts_.take(id, failed.attempt);
  if (!attempt) {
    drop_unknown(node, failed.attempt, false);
    return;
  }
  const std::optional<ChunkID> chunk = attempt->chunk;
  fail(fmt::format("{} ({}) failed{} ({}): {}", to_string(node.stats.info.id),
                   node.stats.info.address, chunk_text(chunk), to_string(failed.attempt),
                   failed.what));
}

// A result that counts as the node's own work: it is not a hoarder.
void ServerEngine::credit_work(NodeRecord& node) {
  ++node.worked;
  ++node.worked_since_loss;
  node.hoards = 0;
}

// What a node's failure on a chunk (a refused result, a throwing task) costs the chunk. Only a
// node that has had work accepted proves it can run the job: the failure of one that never has
// (a fresh id, maybe one of many) costs an uncounted attempt, as its loss would.
ChunkList::Loss ServerEngine::attempt_cost(const NodeRecord& node) {
  return node.worked > 0 ? ChunkList::Loss::counted : ChunkList::Loss::uncounted;
}

// A node that cannot start (its Node's constructor or set_initial_data threw: a missing file,
// a build whose types differ) is no use to this job, but no harm to it either: it is
// quarantined, its work goes to others, and the job goes on while any node can work.
void ServerEngine::on_start_failed(NodeRecord& node, const TaskFailed& failed) {
  const std::string why = fmt::format("it could not start: {}", failed.what);
  if (config_.fail_fast) {
    fail(fmt::format("--fail-fast: {} ({}) could not start: {}", to_string(node.stats.info.id),
                     node.stats.info.address, failed.what));
    return;
  }
  quarantine(node, why);
}

void ServerEngine::serve(NodeRecord& node) {
  if (phase_ != Phase::running || node.stats.lost || node.stats.quarantined || node.wanted == 0)
    return;
  const NodeID id = node.stats.info.id;
  Tasks batch;
  std::vector<HandedOut> record;
  const std::uint64_t cap = earned_cap(node);
  while (node.wanted > 0) {
    if (attempts_.held_by(id) >= cap) {
      park(node);  // served again as its results come in (or work changes)
      break;
    }
    if (hold_for_pause()) {
      park(node);
      break;
    }
    ErasedStatus status;
    if (!call_user("prepare_data_for_node", id, std::nullopt, [&] { status = job_.prepare(id); }))
      return;
    if (status.kind == ErasedStatus::Kind::waiting) {
      park(node);
      break;
    }
    if (status.kind == ErasedStatus::Kind::finished) {
      finish();
      return;
    }
    const AttemptID attempt = attempts_.issue(id, status.chunk);
    batch.items.push_back(TaskItem{attempt, status.chunk, std::move(status.task)});
    if (status.chunk && recorder_ != nullptr)
      record.push_back(HandedOut{attempt, *status.chunk, node.token});
    --node.wanted;
    ++node.stats.tasks_sent;
    ++summary_.tasks_sent;
    observer_.on_task_sent(id, attempt, status.chunk);
  }
  if (!record.empty()) recorder_->handed_out(record);  // before the tasks can be answered
  if (!batch.items.empty()) {
    batch.results_seen = confirmations_.confirmed(id);
    node.confirmed_told = batch.results_seen;
    node.link->send(std::move(batch));
  }
}

// True while the hand-out limit holds requests back. The limit lets an operator (or a test)
// act on a job that is certain to be mid-run, whatever the speed of the machine.
bool ServerEngine::hold_for_pause() {
  if (!pause_at_ || summary_.tasks_sent < *pause_at_) return false;
  // With every chunk answered, the next prepare only says "finished": nothing is left to hold.
  const JobProgress progress = job_.progress();
  if (progress.total > 0 && progress.done + progress.failed >= progress.total) return false;
  if (!paused_) {
    paused_ = true;
    spdlog::info(
        "paused after handing out {} task{}: send SIGUSR1 to carry on, SIGTERM to stop with a "
        "checkpoint",
        summary_.tasks_sent, summary_.tasks_sent == 1 ? "" : "s");
    note_quiet_pause();
  }
  return true;
}

// Said once: from here on a paused job changes no more, every node idles with its request held,
// and its checkpoint holds every result it will get before the release.
void ServerEngine::note_quiet_pause() {
  if (!paused_ || pause_quiet_ || attempts_.in_flight() != 0) return;
  pause_quiet_ = true;
  spdlog::info("paused with no task in flight: every task handed out was answered or lost");
}

void ServerEngine::release_pause() {
  if (!pause_at_ || phase_ != Phase::running) return;
  pause_at_.reset();
  if (!paused_) {
    spdlog::info("SIGUSR1 received before the pause: tasks are handed out without one");
    return;
  }
  paused_ = false;
  spdlog::info("resumed handing out tasks");
  serve_parked();
}

void ServerEngine::park(NodeRecord& node) {
  if (node.parked) return;
  node.parked = true;
  parked_.push_back(node.stats.info.id);
}

void ServerEngine::serve_parked() {
  // Work may have appeared (a result came in, a node was lost, time passed): answer the held
  // requests, oldest first. A node that meets Waiting again parks again at the back.
  for (std::size_t round = parked_.size(); round > 0 && phase_ == Phase::running; --round) {
    const NodeID id = parked_.front();
    parked_.pop_front();
    NodeRecord& node = nodes_.at(id);
    node.parked = false;
    serve(node);
  }
}

void ServerEngine::forget_attempts(NodeRecord& node) {
  summary_.reassigned += attempts_.lose(node.stats.info.id);
  // Late attempts whose chunk is done can only bring duplicates. Of a job that keeps its own
  // chunks the engine cannot tell: only the table's cap applies.
  attempts_.prune_late([this](const AttemptTable::Attempt& attempt) {
    if (chunks_ == nullptr) return false;
    return !attempt.chunk || attempt.chunk->value() >= chunks_->size() ||
           chunks_->state(*attempt.chunk) == ChunkState::done;
  });
}

void ServerEngine::declare_lost(const std::vector<NodeID>& ids, const std::string& reason,
                                LossCost cost) {
  std::vector<NodeID> lost;
  std::vector<NodeID> hoarders;
  std::vector<ChunkID> failed;
  for (const NodeID id : ids) {
    NodeRecord& node = nodes_.at(id);
    if (node.stats.lost) continue;
    node.stats.lost = true;
    node.lost_at = clock_();
    ++node.stats.times_lost;
    node.wanted = 0;
    const bool held_work = attempts_.held_by(id) > 0;
    if (chunks_ != nullptr && phase_ == Phase::running) release_chunks(node, reason, cost, failed);
    node.worked_since_loss = 0;
    forget_attempts(node);
    lost.push_back(id);
    observer_.on_node_lost(node.stats.info, reason);
    // Lost with work again and again, and no result in between: a hoarder, or a node that
    // cannot work; either way its ids should get no more work.
    if (held_work && cost == LossCost::judged && config_.quarantine_after > 0 &&
        ++node.hoards >= config_.quarantine_after)
      hoarders.push_back(id);
  }
  if (lost.empty() || phase_ != Phase::running) return;
  if (chunks_ != nullptr) {
    const auto rest = chunks_->nodes_lost(lost);  // none: every hold is an attempt
    failed.insert(failed.end(), rest.begin(), rest.end());
    chunks_failed(failed);
  }
  for (const NodeID id : hoarders) {
    if (phase_ != Phase::running) return;
    NodeRecord& node = nodes_.at(id);
    quarantine(node,
               fmt::format("lost {} times holding work, without a result in between", node.hoards));
  }
  if (phase_ != Phase::running) return;
  if (!call_user("heartbeat_timeout", std::nullopt, std::nullopt, [&] { job_.nodes_lost(lost); }))
    return;
  report_progress();
  serve_parked();
  note_quiet_pause();
}

// Which of a lost node's chunks its loss costs an attempt. The count is there to stop a chunk
// that kills its nodes; a node that takes work and drops it (a hoarder, maybe under a new id
// each time) must not fail chunks it never worked on. So a loss counts only for the attempts
// the node could have been running: its oldest ones, one per worker thread (the rest were
// queued, prefetched), no more than the results it returned since its last loss (a node that
// returned none proves nothing about the chunk, and its thread count is its own claim). The
// other chunks go back as uncounted losses; ChunkList fails a chunk lost uncounted very many
// times, so a kernel that kills every fresh node ends too.
void ServerEngine::release_chunks(const NodeRecord& node, const std::string& reason, LossCost cost,
                                  std::vector<ChunkID>& failed) {
  const NodeID id = node.stats.info.id;
  std::size_t running = 0;
  for (const auto& [attempt, held] : attempts_.held(id)) {
    if (!held.chunk || held.chunk->value() >= chunks_->size()) continue;
    const ChunkID chunk = *held.chunk;
    // No more than it returned since its last loss: a node that claims 4,096 threads and
    // returns one result costs one chunk an attempt, not thousands.
    const bool counts =
        cost == LossCost::judged && node.worked_since_loss > 0 &&
        running++ < std::min<std::uint64_t>(node.stats.info.threads, node.worked_since_loss);
    if (counts && chunks_->state(chunk) == ChunkState::processing)
      note_failure(chunk, fmt::format("{} was lost ({})", to_string(id), reason));
    if (chunks_->release(chunk, id, counts ? ChunkList::Loss::counted : ChunkList::Loss::uncounted))
      failed.push_back(chunk);
  }
}

// A lost node's record goes once nothing can refer to it: no attempt of its may still be
// answered, no request of its is held, its connection is gone, and it had its chance to come
// back under its id (one timeout). A quarantined id stays refused through quarantined_ids_.
void ServerEngine::prune_lost(Clock::time_point now) {
  std::vector<NodeID> gone;
  for (const auto& [id, node] : nodes_) {
    if (node.stats.lost && !node.link && !node.parked && now - node.lost_at >= config_.timeout &&
        attempts_.held_by(id) == 0 && attempts_.late_of(id) == 0)
      gone.push_back(id);
  }
  for (const NodeID id : gone) {
    keep_departed(nodes_.at(id).stats);
    nodes_.erase(id);
    confirmations_.forget(id);
  }
}

// A pruned node's statistics stay for the summary: each on its own up to kKeptDeparted, the
// rest added up in one entry (node 0), so that a crowd of short-lived nodes costs little.
void ServerEngine::keep_departed(const NodeStatistics& stats) {
  ++departed_nodes_;
  departed_results_ += stats.results;
  if (departed_.size() < kKeptDeparted) {
    departed_.push_back(stats);
    return;
  }
  ++departed_folded_;
  NodeStatistics& rest = departed_rest_;
  rest.info.address = fmt::format("{} more node(s), gone before the end", departed_folded_);
  rest.tasks_sent += stats.tasks_sent;
  rest.results += stats.results;
  rest.busy += stats.busy;
  rest.times_lost += stats.times_lost;
  rest.lost = true;
}

void ServerEngine::report_progress() {
  last_progress_report_ = clock_();
  const JobProgress progress = job_.progress();
  if (chunks_ == nullptr && progress.failed > failed_chunks_seen_) {
    // A job with chunks of its own: the engine learns only how many failed.
    spdlog::error("{} chunk(s) failed: each lost {} node(s)", progress.failed - failed_chunks_seen_,
                  config_.max_attempts);
    failed_chunks_seen_ = progress.failed;
  }
  observer_.on_progress(progress);
}

void ServerEngine::on_link_closed(const ServerLinkPtr& link, const std::string& reason) {
  const auto id = node_of(*link);
  if (!id) return;
  node_by_link_.erase(link.get());
  NodeRecord& node = nodes_.at(*id);
  if (node.link == link) node.link.reset();
  if (phase_ == Phase::running) declare_lost({*id}, reason);
}

void ServerEngine::on_tick() {
  if (phase_ != Phase::running) return;
  const auto now = clock_();
  // If this thread was held up (a slow user method), heartbeats may be waiting unread in the
  // transports: judge nobody before they are read.
  const bool stalled = now - last_tick_ > config_.timeout / 2;
  last_tick_ = now;
  if (!stalled) {
    std::vector<NodeID> silent;
    for (const auto& [id, node] : nodes_) {
      if (!node.stats.lost && now - node.stats.info.last_heartbeat > config_.timeout)
        silent.push_back(id);
    }
    if (!silent.empty()) {
      std::sort(silent.begin(), silent.end());
      std::vector<ServerLinkPtr> links;
      for (const NodeID id : silent) {
        if (auto& link = nodes_.at(id).link) links.push_back(link);
      }
      declare_lost(silent, "no heartbeat for " + seconds_text(config_.timeout));
      // Closed after the loss is declared, so the loss keeps its real reason; a node that is
      // only slow will come back under its id.
      for (const auto& link : links)
        link->close("heartbeat timeout");
    }
  }
  if (phase_ != Phase::running) return;
  prune_lost(now);
  serve_parked();
  // While nothing arrives (every node stopped or busy on long chunks) progress is still
  // reported: a progress line keeps saying that nothing moves.
  if (now - last_progress_report_ >= kProgressEvery) report_progress();
}

void ServerEngine::interrupt(const std::string& reason) {
  if (phase_ != Phase::running) return;
  end(exit_interrupted, "interrupted: " + reason,
      Abort{"the server was interrupted (" + reason + ")", true});
}

void ServerEngine::finish() {
  if (phase_ != Phase::running) return;
  // Nodes may go while the server writes its results.
  end(exit_ok, "", Finish{});
}

void ServerEngine::fail(const std::string& reason) {
  if (phase_ != Phase::running) return;
  end(exit_failed, reason, Abort{reason});
}

void ServerEngine::bid_farewell(const ServerLinkPtr& link) {
  if (phase_ != Phase::done || link->told_farewell_) return;
  link->told_farewell_ = true;
  link->counters_ = &wire_;
  link->send(Message(farewell_));
}

void ServerEngine::end(int status, const std::string& failure, Message farewell) {
  phase_ = Phase::done;
  farewell_ = std::move(farewell);
  node_lines_.flush();
  exit_status_ = status;
  summary_.failure = failure;
  // The farewell tells a node it may forget its results: they must be on record first, and the
  // output is written from a job whose every result is durable.
  if (recorder_ != nullptr) recorder_->drain();
  for (auto& [id, node] : nodes_) {
    if (node.link) bid_farewell(node.link);
  }
  // Failed chunks are the failure to report, even when finish_job then refuses the holes.
  const JobProgress before = job_.progress();
  const bool holes = status == exit_ok && before.failed > 0;
  if (holes) {
    exit_status_ = exit_failed;
    summary_.failure = fmt::format("{} of {} chunks failed", before.failed, before.total);
    if (first_failed_) summary_.failure += ", the first " + failure_text(*first_failed_);
  }
  if (status == exit_ok) {
    try {
      job_.finish();
    } catch (const std::exception& e) {
      if (holes) {
        spdlog::warn("the server's finish_job threw: {}", e.what());
      } else {
        exit_status_ = exit_failed;
        summary_.failure = fmt::format("the server's finish_job threw: {}", e.what());
      }
    }
  }
  summary_.progress = job_.progress();
  summary_.ok = exit_status_ == exit_ok;
  summary_.interrupted = exit_status_ == exit_interrupted;
  summary_.wall = clock_() - started_;
  summary_.nodes = departed_;
  if (departed_folded_ > 0) summary_.nodes.push_back(departed_rest_);
  for (const auto& [id, node] : nodes_)
    summary_.nodes.push_back(node.stats);
  std::sort(summary_.nodes.begin(), summary_.nodes.end(),
            [](const auto& a, const auto& b) { return a.info.id < b.info.id; });
  observer_.on_job_finished(summary_);
  if (on_done_) on_done_();
}

StatusSnapshot ServerEngine::status() const {
  const auto now = clock_();
  StatusSnapshot status;
  status.job = job_name_;
  status.running = phase_ == Phase::running;
  status.elapsed = now - started_;
  status.progress = job_.progress();
  status.tasks_sent = summary_.tasks_sent;
  status.results = summary_.results;
  status.quarantined = summary_.quarantined;
  status.departed_nodes = departed_nodes_;
  status.departed_results = departed_results_;
  status.nodes.reserve(nodes_.size());
  for (const auto& [id, node] : nodes_)
    status.nodes.push_back(
        {node.stats, now - node.stats.info.last_heartbeat, attempts_.held_by(id), node.wanted});
  std::sort(status.nodes.begin(), status.nodes.end(),
            [](const auto& a, const auto& b) { return a.stats.info.id < b.stats.info.id; });
  return status;
}

}  // namespace nc::detail
