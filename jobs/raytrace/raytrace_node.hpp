#pragma once
// The ray-tracing node: renders the bands it is given.

#include <node_crunch/error.hpp>
#include <node_crunch/node.hpp>

#include "raytrace_kernel.hpp"
#include "raytrace_types.hpp"

namespace raytrace {

class Node final : public nc::Node<Types> {
 public:
  void set_initial_data(nc::NodeID /*node*/, const std::optional<Scene>& scene) override {
    if (!scene) throw nc::Error("the ray-tracing node needs the scene");
    scene_ = *scene;
  }
  Pixels process_data_from_server(const Band& band) override {
    return Pixels{band.chunk, render(scene_, band.rect)};
  }

 private:
  Scene scene_;
};

}  // namespace raytrace
