#pragma once
// The pi node: draws one batch of random points per task and counts the hits.

#include <node_crunch/error.hpp>
#include <node_crunch/node.hpp>

#include "pi_kernel.hpp"
#include "pi_types.hpp"

namespace pi {

class Node final : public nc::Node<Types> {
 public:
  void set_initial_data(nc::NodeID /*node*/, const std::optional<Params>& params) override {
    if (!params) throw nc::Error("the pi node needs the job's seed and batch size");
    params_ = *params;
  }
  Tally process_data_from_server(const Batch& batch) override {
    const std::uint64_t seed = task_seed(params_.seed, batch.task);
    return Tally{batch.task, params_.samples_per_task, count_hits(seed, params_.samples_per_task)};
  }

 private:
  Params params_;
};

}  // namespace pi
