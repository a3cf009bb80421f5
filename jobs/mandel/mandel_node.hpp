#pragma once
// The Mandelbrot node: computes the escape times of the chunks it is given.

#include <node_crunch/node.hpp>

#include "mandel_kernel.hpp"
#include "mandel_types.hpp"

namespace mandel {

class Node final : public nc::Node<Types> {
 public:
  void set_initial_data(nc::NodeID /*node*/, const std::optional<Params>& params) override {
    if (!params) throw nc::Error("the Mandelbrot node needs the picture's parameters");
    params_ = *params;
  }
  Pixels process_data_from_server(const Band& band) override {
    return Pixels{band.chunk, compute(params_, band.rect)};
  }

 private:
  Params params_;
};

}  // namespace mandel
