#pragma once
// The pi server: hands out task indices, keeps each task's count, and at the end writes the
// table and prints the estimate.

#include <node_crunch/server.hpp>

#include "pi_options.hpp"
#include "pi_table.hpp"
#include "pi_types.hpp"

namespace pi {

class Server final : public nc::Server<Types> {
 public:
  using Options = pi::Options;
  static constexpr const char* job_name = "pi";
  static constexpr const char* job_summary =
      "pi by Monte Carlo: N seeded batches, one HDF5 table row each";

  explicit Server(const Options& options);

  std::optional<Params> initial_data() override { return options_.params(); }
  nc::JobStatus<Batch> prepare_data_for_node(nc::NodeID node) override;
  void process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Tally& tally) override;
  void finish_job() override;

  /// --sequential: the same table in this process, without node_crunch.
  static int run_sequential(const Options& options);

 private:
  Options options_;
  Table table_;
};

}  // namespace pi
