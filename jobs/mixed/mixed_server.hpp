#pragma once
// The mixed job's server: makes each task from the seed, checks that the node that computed it
// received it intact, and at the end writes every report as exact text.

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

  explicit Server(const Options& options);

  std::optional<Params> initial_data() override { return params_; }
  nc::JobStatus<Item> prepare_data_for_node(nc::NodeID node) override;
  void process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Report& report) override;
  void finish_job() override;

  /// --sequential: the same file from this process alone, without node_crunch.
  static int run_sequential(const Options& options);

 private:
  Options options_;
  Params params_;
  std::vector<std::string> texts_;
};

}  // namespace mixed
