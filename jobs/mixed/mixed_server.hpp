#pragma once
// The mixed job's server: makes each task from the seed, checks that the node that computed it
// received it intact, and at the end writes every report as exact text.

#include <node_crunch/chunk_list.hpp>
#include <node_crunch/configuration.hpp>
#include <node_crunch/server.hpp>

#include <string>
#include <vector>

#include "mixed_options.hpp"
#include "mixed_types.hpp"

namespace mixed {

class Server final : public nc::Server<Types> {
 public:
  using Options = mixed::Options;
  static constexpr const char* job_name = "mixed";
  static constexpr const char* job_summary =
      "tasks and results of text, doubles, floats, integers and vectors, written as exact text";

  Server(const Options& options, const nc::Configuration& config);

  std::optional<Params> initial_data() override { return params_; }
  nc::JobStatus<Item> prepare_data_for_node(nc::NodeID node) override;
  void process_data_from_node(nc::NodeID node, const Report& report) override;
  void heartbeat_timeout(std::vector<nc::NodeID> nodes) override;
  void finish_job() override;
  [[nodiscard]] nc::JobProgress progress() const override { return tasks_.progress(); }

  /// --sequential: the same file from this process alone, without node_crunch.
  static int run_sequential(const Options& options);

 private:
  Options options_;
  Params params_;
  nc::ChunkList tasks_;  // task t is chunk t
  std::vector<std::string> texts_;
};

}  // namespace mixed
