#pragma once
// The mixed job's node: computes one report per task.

#include <node_crunch/error.hpp>
#include <node_crunch/node.hpp>

#include "mixed_kernel.hpp"
#include "mixed_types.hpp"

namespace mixed {

class Node final : public nc::Node<Types> {
 public:
  void set_initial_data(nc::NodeID /*node*/, const std::optional<Params>& params) override {
    if (!params) throw nc::Error("the mixed node needs the job's polynomial and label");
    params_ = *params;
  }
  Report process_data_from_server(const Item& item) override { return compute(params_, item); }

 private:
  Params params_;
};

}  // namespace mixed
