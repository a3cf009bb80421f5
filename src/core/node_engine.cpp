#include "core/node_engine.hpp"
#include "core/overloaded.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace nc::detail {
namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

// The prefetch depth must react at once when round trips grow or tasks get short (else the
// workers wait), and only slowly the other way (else a burst of long tasks empties the queue).
constexpr double kRising = 0.5;   // weight of a sample that moves the estimate towards more depth
constexpr double kFalling = 0.1;  // weight of a sample that moves it towards less

/// Moves `estimate` toward `sample`: with `up` if the sample is larger, else with `down`.
double toward(double estimate, double sample, double up, double down) {
  const double weight = sample > estimate ? up : down;
  return (1 - weight) * estimate + weight * sample;
}

}  // namespace

NodeEngine::NodeEngine(std::string job_name, const Configuration& config, WorkerPool& workers,
                       bool keep_results, std::function<Clock::time_point()> clock)
    : job_name_(std::move(job_name)),
      config_(config),
      workers_(workers),
      keep_results_(keep_results),
      clock_(std::move(clock)),
      heartbeat_(config.heartbeat) {}

void NodeEngine::send(Message&& message) {
  if (link_ != nullptr) link_->send(std::move(message));
}

void NodeEngine::connected(NodeLink& link) {
  link_ = &link;
  registered_ = false;
  Hello hello;
  hello.job = job_name_;
  hello.previous = id_.value_or(NodeID{0});
  hello.threads = workers_.threads();
  hello.host = host_name();
  hello.pid = static_cast<std::uint32_t>(getpid());
  hello.fingerprint = workers_.fingerprint();
  hello.instance = instance_;
  hello.token = token_;
  send(std::move(hello));
}

void NodeEngine::disconnected() {
  link_ = nullptr;
  registered_ = false;
}

namespace {

template <class Buffer>
std::optional<Message> decoded(Buffer&& bytes) {
  try {
    return decode(std::forward<Buffer>(bytes));
  } catch (const std::exception& e) {
    spdlog::warn("the server sent a malformed message ({}); ignoring it", e.what());
    return std::nullopt;
  }
}

}  // namespace

void NodeEngine::on_bytes(const ReceiveBuffer& bytes) {
  if (auto message = decoded(bytes)) on_message(std::move(*message));
}

void NodeEngine::on_bytes(Bytes&& bytes) {
  if (auto message = decoded(std::move(bytes))) on_message(std::move(*message));
}

void NodeEngine::on_message(Message message) {
  if (done_) return;
  std::visit(Overloaded{
                 [&](Welcome& welcome) { on_welcome(welcome); },
                 [&](Tasks& tasks) { on_tasks(tasks); },
                 [&](Finish&) { end(exit_ok, ""); },
                 [&](Abort& abort) {
                   if (abort.interrupted)
                     end(exit_interrupted, "the server was stopped: " + abort.reason);
                   else
                     end(exit_failed, "the server ended the job: " + abort.reason);
                 },
                 [&](Reject& reject) {
                   end(exit_failed, "the server refused this node: " + reject.reason);
                 },
                 [&](auto& other) {
                   spdlog::warn("ignoring a '{}' message from the server",
                                name_of(type_of(Message(other))));
                 },
             },
             message);
}

void NodeEngine::on_welcome(Welcome& welcome) {
  const bool new_run = welcome.instance != instance_;
  if (new_run && instance_ != 0)
    spdlog::info(
        "the server is a new run: this node brings it {} result(s) and {} task(s) of the one "
        "before",
        unconfirmed_.size(), held_);
  const bool new_identity = welcome.fresh || new_run || !id_ || *id_ != welcome.node;
  id_ = welcome.node;
  instance_ = welcome.instance;
  token_ = welcome.token;
  if (new_identity && on_registered_) on_registered_(welcome.node);
  registered_ = true;
  if (welcome.heartbeat_ms > 0) heartbeat_ = std::chrono::milliseconds(welcome.heartbeat_ms);
  if (welcome.fresh) workers_.set_initial(welcome.node, std::move(welcome.initial_data));
  if (new_identity) {
    // The server does not know our old results under this id: number them afresh.
    results_sent_ = 0;
    for (auto& unconfirmed : unconfirmed_)
      unconfirmed.number = ++results_sent_;
  }
  confirm(welcome.results_seen);
  // Requests made before are forgotten on both sides; results the server missed go again.
  requested_ = 0;
  asked_.clear();
  if (!unconfirmed_.empty()) {
    Results again;
    for (const auto& unconfirmed : unconfirmed_)
      again.items.push_back(unconfirmed.item);
    spdlog::info("sending {} result(s) again that the server had not confirmed",
                 again.items.size());
    again.more = ask_more();
    send(std::move(again));
  } else {
    top_up();
  }
}

void NodeEngine::on_tasks(Tasks& tasks) {
  confirm(tasks.results_seen);
  const auto received = static_cast<std::uint32_t>(tasks.items.size());
  note_round_trip(received);
  requested_ = requested_ > received ? requested_ - received : 0;
  held_ += received;
  if (received > 0) workers_.push(std::move(tasks.items));  // none: it only confirms results
  top_up();
}

void NodeEngine::note_round_trip(std::uint32_t received) {
  const auto now = clock_();
  bool sampled = false;
  while (received > 0 && !asked_.empty()) {
    Asked& asked = asked_.front();
    if (!sampled) {
      double sample = std::chrono::duration<double>(now - asked.when).count();
      // A held request (Waiting) is not a round trip: do not let it inflate the estimate.
      if (have_round_trip_) sample = std::min(sample, 2.0 * round_trip_s_);
      round_trip_s_ = have_round_trip_ ? toward(round_trip_s_, sample, kRising, kFalling) : sample;
      have_round_trip_ = true;
      sampled = true;
    }
    const auto used = std::min(received, asked.count);
    asked.count -= used;
    received -= used;
    if (asked.count == 0) asked_.pop_front();
  }
}

std::uint32_t NodeEngine::target() const {
  const unsigned most = 1 + std::max(1u, config_.max_prefetch);
  unsigned depth = 2;  // one running, one ahead
  if (have_round_trip_ && have_task_time_) {
    depth = task_s_ <= 0.0 ? most
                           : static_cast<unsigned>(
                                 std::min<double>(most, 1.0 + std::ceil(round_trip_s_ / task_s_)));
    depth = std::clamp(depth, 2u, most);
  }
  return workers_.threads() * depth;
}

std::uint32_t NodeEngine::ask_more() {
  const std::uint32_t have = held_ + requested_;
  const std::uint32_t want = target();
  if (want <= have) return 0;
  const std::uint32_t more = want - have;
  requested_ += more;
  asked_.push_back({clock_(), more});
  return more;
}

void NodeEngine::top_up() {
  if (!registered_ || done_ || link_ == nullptr) return;
  if (const auto more = ask_more(); more > 0) send(Request{more});
}

// The server holds these results for good (in its checkpoint, if it keeps one): they are no
// longer this node's to keep.
void NodeEngine::confirm(std::uint64_t results_seen) {
  const bool say = spdlog::should_log(spdlog::level::debug);
  std::string chunks;
  while (!unconfirmed_.empty() && unconfirmed_.front().number <= results_seen) {
    if (say && unconfirmed_.front().item.chunk)
      chunks += " " + std::to_string(unconfirmed_.front().item.chunk->value());
    unconfirmed_.pop_front();
  }
  if (!chunks.empty()) spdlog::debug("the server has on record chunk(s):{}", chunks);
}

void NodeEngine::on_worker_outputs() {
  if (done_) {
    (void)workers_.take_outputs();
    return;
  }
  Results results;
  for (auto& output : workers_.take_outputs()) {
    if (output.attempt.value() != 0 && held_ > 0) --held_;
    if (output.error) {
      send(TaskFailed{output.attempt, *output.error});
      continue;
    }
    const double seconds = std::chrono::duration<double>(output.compute).count();
    task_s_ = have_task_time_ ? toward(task_s_, seconds, kFalling, kRising) : seconds;
    have_task_time_ = true;
    // A result kept for a resend shares its bytes with the one sent: neither copies them.
    ResultItem item{output.attempt, output.chunk,
                    static_cast<std::uint64_t>(output.compute.count()),
                    keep_results_ ? Payload::shared(std::move(output.result))
                                  : Payload(std::move(output.result))};
    ++results_sent_;
    if (keep_results_) unconfirmed_.push_back({results_sent_, item});
    results.items.push_back(std::move(item));
  }
  if (results.items.empty()) {
    top_up();  // every output was a failure: the tasks it held are gone, ask for others
    return;
  }
  if (!registered_ || link_ == nullptr) return;  // kept in unconfirmed_ for the next connection
  results.more = ask_more();
  send(std::move(results));
}

void NodeEngine::on_tick() {
  if (registered_ && !done_) send(Heartbeat{});
}

void NodeEngine::give_up(const std::string& reason) {
  end(exit_failed, reason);
}

void NodeEngine::interrupt(const std::string& reason) {
  end(exit_interrupted, "interrupted: " + reason);
}

void NodeEngine::end(int status, const std::string& reason) {
  if (done_) return;
  done_ = true;
  exit_status_ = status;
  reason_ = reason;
  send(Bye{});
  workers_.stop();
  if (on_done_) on_done_();
}

}  // namespace nc::detail
