#pragma once
/// The class a user derives from to write a job's server side.
///
///   struct Types { using InitialData = Params; using Task = Band; using Result = Pixels; };
///   class MyServer : public nc::Server<Types> {
///     nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override;
///     void process_data_from_node(nc::NodeID node, const Pixels& result) override;
///     void heartbeat_timeout(std::vector<nc::NodeID> lost) override;
///     void finish_job() override;
///   };
/// Types::InitialData may be left out: the job then has none.
/// Thread safety: the framework calls these methods from one thread, never concurrently,
/// so a server needs no locks.

#include <optional>
#include <type_traits>
#include <vector>

#include "node_crunch/ids.hpp"
#include "node_crunch/job_status.hpp"
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
}  // namespace detail

template <class Types>
class Server {
 public:
  using InitialData = typename detail::InitialDataOf<Types>::type;
  using Task = typename Types::Task;
  using Result = typename Types::Result;

  virtual ~Server() = default;

  /// Sent to every node when it registers; called once per node. Default: none.
  virtual std::optional<InitialData> initial_data() { return std::nullopt; }

  /// A node asks for work: Unfinished{task} (optionally naming its chunk), Waiting (all work
  /// is out, some may come back; the node's request is held until work appears) or Finished.
  virtual JobStatus<Task> prepare_data_for_node(NodeID node) = 0;

  /// A result arrived. It may be a late one from a node already reported lost (still good
  /// work) or a duplicate of a chunk already done (ChunkList::complete tells).
  virtual void process_data_from_node(NodeID node, const Result& result) = 0;

  /// These nodes died, hung or disconnected; their unfinished work must go to others.
  /// Each loss is reported once.
  virtual void heartbeat_timeout(std::vector<NodeID> nodes) = 0;

  /// Called once, after prepare_data_for_node said Finished: write the results.
  virtual void finish_job() = 0;

  /// Chunks done and total, for progress and statistics; return chunk_list.progress().
  [[nodiscard]] virtual JobProgress progress() const { return {}; }
};

}  // namespace nc
