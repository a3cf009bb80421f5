#pragma once
/// The class a user derives from to write a job's server side.
///
///   struct Types { using InitialData = Params; using Task = Band; using Result = Pixels; };
///   class MyServer : public nc::Server<Types> {
///    public:
///     MyServer() { use_chunks(grid.chunk_count()); }  // the framework keeps the chunk state
///     nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override {
///       return next_chunk(node, [&](nc::ChunkID c) { return Band{grid.chunk(c)}; });
///     }
///     void process_chunk_from_node(nc::NodeID, nc::ChunkID c, const Pixels& r) override {
///       if (r.values.size() != grid.chunk(c).area()) throw nc::BadResult("wrong size");
///       out.add(grid.chunk(c), r.values);  // the first good result of chunk c, once
///     }
///     void finish_job() override { out.write(); }
///     nc::Array2DChunk<float> grid{640, 480, 640, 16};
///     Output out;
///   };
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Types::InitialData may be left out: the job then has none.
///
/// A server that calls use_chunks gets the chunk bookkeeping from the framework: which chunk
/// goes to which node, what a lost node held, copies of stragglers, chunks failed after
/// `--max-attempts` losses, duplicates dropped before they reach process_chunk_from_node, and a
/// result refused with nc::BadResult (or one that does not decode) handed out again. A server
/// that keeps its own state (a ChunkList of its own, or tasks without chunks) overrides
/// process_data_from_node and heartbeat_timeout instead, and sees every result.
///
/// Thread safety: the framework calls these methods from one thread, never concurrently,
/// so a server needs no locks.

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "node_crunch/chunk_list.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/ids.hpp"
#include "node_crunch/job_status.hpp"
#include "node_crunch/observer.hpp"
#include "node_crunch/progress.hpp"

namespace nc {

/// The initial data of a job that has none.
struct NoInitialData {
  template <class Archive>
  void serialize(Archive& /*archive*/, const unsigned int /*version*/) {}
};

namespace detail {
template <class Types>
struct InitialDataOf {
  using type = NoInitialData;
};
template <class Types>
requires requires {
  typename Types::InitialData;
}
struct InitialDataOf<Types> {
  using type = typename Types::InitialData;
};

/// The framework's access to what a server base keeps for it.
struct ServerAccess;
}  // namespace detail

template <class Types>
class Server {
 public:
  using JobTypes = Types;
  using InitialData = typename detail::InitialDataOf<Types>::type;
  using Task = typename Types::Task;
  using Result = typename Types::Result;

  virtual ~Server() = default;

  /// Sent to every node when it registers; called once per node. Default: none.
  virtual std::optional<InitialData> initial_data() { return std::nullopt; }

  /// A node asks for work: Unfinished{task} (optionally naming its chunk; next_chunk does),
  /// Waiting (all work is out, some may come back; the node's request is held until work
  /// appears) or Finished.
  virtual JobStatus<Task> prepare_data_for_node(NodeID node) = 0;

  /// A result for `chunk`, the chunk of the task it answers, as the server handed it out (a
  /// node cannot name another). With use_chunks it is the chunk's first result and only
  /// arrives while the chunk is not done; throw nc::BadResult to refuse it. Default:
  /// process_data_from_node. (Not an overload of it: a class overriding one of two overloads
  /// would hide the other, which compilers warn of.)
  virtual void process_chunk_from_node(NodeID node, ChunkID chunk, const Result& result) {
    (void)chunk;
    process_data_from_node(node, result);
  }

  /// A result of a task that named no chunk; or, if the server does not override
  /// process_chunk_from_node, of any task. It may be a late one from a node already reported lost
  /// (still good work) or a duplicate of a chunk already done (ChunkList::complete tells).
  virtual void process_data_from_node(NodeID /*node*/, const Result& /*result*/) {
    throw Error("the server overrides neither process_chunk_from_node nor process_data_from_node");
  }

  /// These nodes died, hung or disconnected; their unfinished work must go to others (with
  /// use_chunks the framework has done that already). Each loss is reported once.
  virtual void heartbeat_timeout(std::vector<NodeID> /*nodes*/) {}

  /// Called once, after prepare_data_for_node said Finished: write the results.
  virtual void finish_job() = 0;

  /// Chunks done and total, for progress and statistics. With use_chunks the framework's
  /// count; a server with a ChunkList of its own returns its progress().
  [[nodiscard]] virtual JobProgress progress() const {
    return chunks_ ? chunks_->progress() : JobProgress{};
  }

 protected:
  /// The framework keeps the state of chunks 0 .. count-1 for this server; call it in the
  /// constructor, and hand chunks out with next_chunk. The policy (--max-attempts,
  /// --max-copies, --straggler-factor) is the command line's.
  void use_chunks(std::uint64_t count) { chunks_.emplace(static_cast<std::size_t>(count)); }

  /// Unfinished{make_task(chunk), chunk} for the next chunk this node should compute; Waiting
  /// while every chunk left is out on nodes; Finished once every chunk is done or failed.
  template <class MakeTask>
  JobStatus<Task> next_chunk(NodeID node, MakeTask&& make_task) {
    if (!chunks_) throw Error("next_chunk needs use_chunks(count) in the server's constructor");
    if (auto chunk = chunks_->hand_out(node)) return Unfinished<Task>{make_task(*chunk), *chunk};
    if (chunks_->finished()) return Finished{};
    return Waiting{};
  }

  /// The chunk state the framework keeps (after use_chunks): state(c), failed_chunks(), ...
  [[nodiscard]] const ChunkList& chunks() const {
    if (!chunks_) throw Error("chunks() needs use_chunks(count) in the server's constructor");
    return *chunks_;
  }

  /// An observer of this job's events (see observer.hpp), attached before the first node
  /// joins; call it in the constructor.
  void add_observer(std::shared_ptr<Observer> observer) {
    observers_.push_back(std::move(observer));
  }

 private:
  friend struct detail::ServerAccess;
  std::optional<ChunkList> chunks_;
  std::vector<std::shared_ptr<Observer>> observers_;
};

namespace detail {
struct ServerAccess {
  // Through the base class: a server's own members may have the same names.
  template <class S>
  static Server<typename S::JobTypes>& base(S& server) {
    return server;
  }
  template <class S>
  static ChunkList* chunks(S& server) {
    auto& chunks = base(server).chunks_;
    return chunks ? &*chunks : nullptr;
  }
  /// The command line's policy, before any chunk is handed out.
  template <class S>
  static void apply_policy(S& server, const ChunkPolicy& policy) {
    auto& chunks = base(server).chunks_;
    if (chunks) chunks.emplace(chunks->size(), policy);
  }
  template <class S>
  static const std::vector<std::shared_ptr<Observer>>& observers(S& server) {
    return base(server).observers_;
  }
};
}  // namespace detail

}  // namespace nc
