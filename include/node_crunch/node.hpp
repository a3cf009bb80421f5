#pragma once
/// The class a user derives from to write a job's compute side.
///
///   class MyNode : public nc::Node<Types> {
///     void set_initial_data(nc::NodeID, const std::optional<Params>& p) override { params_ = *p; }
///     Pixels process_data_from_server(const Band& band) override;   // the computation
///   };
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// A node process runs `--threads N` worker threads, each with its own Node object (made by
/// its default constructor), so a Node needs no locks. All of them get the same initial data.

#include <optional>

#include "node_crunch/ids.hpp"
#include "node_crunch/server.hpp"

namespace nc {

template <class Types>
class Node {
 public:
  using InitialData = typename detail::InitialDataOf<Types>::type;
  using Task = typename Types::Task;
  using Result = typename Types::Result;

  virtual ~Node() = default;

  /// Called once after the node registers (and again if it has to register anew), before
  /// any task. Default: ignore it. An exception means this node cannot start: the server sets
  /// it aside and the job goes on with the others.
  virtual void set_initial_data(NodeID /*node*/, const std::optional<InitialData>& /*initial*/) {}

  /// The computation: one task in, one result out. An exception fails this task: the chunk
  /// goes to another node, and after --max-attempts it fails the job with the message.
  virtual Result process_data_from_server(const Task& task) = 0;
};

}  // namespace nc
