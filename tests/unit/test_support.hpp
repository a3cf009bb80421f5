#pragma once
// Shared pieces of the unit tests: a small chunked job whose server and node can be told to
// misbehave, a link that records what the server engine sends, and a clock the test moves.

#include <node_crunch/chunk_list.hpp>
#include <node_crunch/configuration.hpp>
#include <node_crunch/error.hpp>
#include <node_crunch/node.hpp>
#include <node_crunch/run.hpp>
#include <node_crunch/server.hpp>

#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/message.hpp"
#include "core/server_link.hpp"

namespace test {

/// A job of `chunks` chunks: the task is the chunk number, the result its square.
struct SquareTypes {
  using InitialData = std::string;
  using Task = std::uint64_t;
  using Result = std::pair<std::uint64_t, std::uint64_t>;
};

/// How a test wants the square job to behave.
struct Knobs {
  std::uint64_t chunks = 10;
  bool server_throws_in_prepare = false;
  bool server_throws_in_process = false;
  bool server_throws_in_finish = false;
  std::optional<std::uint64_t> refuse_chunk{};  // the kept-chunks server refuses its results
};

/// Knobs for the next job that run_main builds (tests that run whole programs).
inline Knobs run_knobs;
/// What the last square job's finish_job saw.
inline bool last_run_correct = false;

class SquareServer : public nc::Server<SquareTypes> {
 public:
  struct Options {
    Knobs knobs = run_knobs;
    void declare(nc::OptionSet& o) { o.add("--chunks", knobs.chunks, "chunks"); }
  };
  static constexpr const char* job_name = "square";

  explicit SquareServer(const Options& options, const nc::Configuration& config = {})
      : knobs_(options.knobs),
        chunks_(options.knobs.chunks, config.chunk_policy()),
        squares_(options.knobs.chunks, 0) {}
  explicit SquareServer(Knobs knobs) : SquareServer(Options{knobs}) {}

  std::optional<std::string> initial_data() override { return std::string("hello"); }
  nc::JobStatus<std::uint64_t> prepare_data_for_node(nc::NodeID node) override {
    if (knobs_.server_throws_in_prepare) throw std::runtime_error("prepare is broken");
    return chunks_.next(node, [](nc::ChunkID c) { return c.value(); });
  }
  void process_data_from_node(nc::NodeID node, const Result& result) override {
    if (knobs_.server_throws_in_process) throw std::runtime_error("process is broken");
    ++results_seen;
    if (chunks_.complete(nc::ChunkID{result.first}, node))
      squares_.at(result.first) = result.second;
    else
      ++duplicates;
  }
  void heartbeat_timeout(std::vector<nc::NodeID> nodes) override {
    lost.push_back(nodes);
    chunks_.nodes_lost(nodes);
  }
  void finish_job() override {
    ++finished;
    last_run_correct = all_squares_right();
    if (knobs_.server_throws_in_finish) throw std::runtime_error("disk full");
  }
  [[nodiscard]] nc::JobProgress progress() const override { return chunks_.progress(); }

  [[nodiscard]] bool all_squares_right() const {
    for (std::uint64_t i = 0; i < squares_.size(); ++i) {
      if (squares_[i] != i * i) return false;
    }
    return true;
  }

  std::vector<std::vector<nc::NodeID>> lost;
  int finished = 0;
  int results_seen = 0;
  int duplicates = 0;

 private:
  Knobs knobs_;
  nc::ChunkList chunks_;
  std::vector<std::uint64_t> squares_;
};

/// The square job again, with its chunk state kept by the framework (use_chunks).
class KeptSquareServer : public nc::Server<SquareTypes> {
 public:
  using Options = SquareServer::Options;
  static constexpr const char* job_name = "square";

  explicit KeptSquareServer(const Options& options, const nc::Configuration& /*config*/ = {})
      : knobs_(options.knobs), squares_(options.knobs.chunks, 0) {
    use_chunks(options.knobs.chunks);
  }

  std::optional<std::string> initial_data() override { return std::string("hello"); }
  nc::JobStatus<std::uint64_t> prepare_data_for_node(nc::NodeID node) override {
    return next_chunk(node, [](nc::ChunkID c) { return c.value(); });
  }
  void process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Result& result) override {
    if (knobs_.server_throws_in_process) throw std::runtime_error("process is broken");
    if (knobs_.refuse_chunk == chunk.value() || result.first != chunk.value() ||
        result.second != chunk.value() * chunk.value())
      throw nc::BadResult("not the square of " + std::to_string(chunk.value()))
          .with_node(node)
          .with_chunk(chunk);
    ++results_seen;
    squares_.at(chunk.value()) = result.second;
    processed.push_back(chunk.value());
  }
  void heartbeat_timeout(std::vector<nc::NodeID> nodes) override { lost.push_back(nodes); }
  void finish_job() override { ++finished; }
  [[nodiscard]] const nc::ChunkList& chunk_state() const { return chunks(); }

  std::vector<std::vector<nc::NodeID>> lost;
  std::vector<std::uint64_t> processed;
  int finished = 0;
  int results_seen = 0;

 private:
  Knobs knobs_;
  std::vector<std::uint64_t> squares_;
};

class SquareNode : public nc::Node<SquareTypes> {
 public:
  static inline std::optional<std::uint64_t> throws_on;  // set by a test before the run

  void set_initial_data(nc::NodeID, const std::optional<std::string>& initial) override {
    if (!initial || *initial != "hello") throw nc::Error("the initial data did not arrive");
    initialised_ = true;
  }
  Result process_data_from_server(const std::uint64_t& chunk) override {
    if (!initialised_) throw nc::Error("a task before the initial data");
    if (throws_on && *throws_on == chunk)
      throw std::runtime_error("cannot square " + std::to_string(chunk));
    return {chunk, chunk * chunk};
  }

 private:
  bool initialised_ = false;
};

/// A ServerLink that keeps what it is sent.
class RecordingLink final : public nc::detail::ServerLink {
 public:
  explicit RecordingLink(std::string name = "test link") : name_(std::move(name)) {}
  void send_bytes(nc::detail::Outgoing&& out) override {
    sent.push_back(nc::detail::decode(std::move(out.bytes)));
  }
  void close(const std::string& reason) override {
    closed = true;
    close_reason = reason;
  }
  [[nodiscard]] std::string address() const override { return name_; }
  [[nodiscard]] bool stays_reachable() const override { return reachable; }

  template <class M>
  [[nodiscard]] std::vector<M> all() const {
    std::vector<M> out;
    for (const auto& m : sent) {
      if (const auto* typed = std::get_if<M>(&m)) out.push_back(*typed);
    }
    return out;
  }
  template <class M>
  [[nodiscard]] bool got() const {
    return !all<M>().empty();
  }

  std::vector<nc::detail::Message> sent;
  bool closed = false;
  std::string close_reason;
  bool reachable = false;  // like an MPI rank: close() does not drop it

 private:
  std::string name_;
};

/// A clock that moves only when the test says so.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  auto function() {
    return [this] { return now; };
  }
  void advance(std::chrono::milliseconds by) { now += by; }
};

}  // namespace test
