#pragma once
// The node: hands each band to the Fortran kernel (or, with --kernel cpp, to its C++ twin).

#include <node_crunch/error.hpp>
#include <node_crunch/node.hpp>

#include "escape_band.hpp"
#include "fortran_types.hpp"

namespace fortran {

class Node final : public nc::Node<Types> {
 public:
  void set_initial_data(nc::NodeID /*node*/, const std::optional<Region>& region) override {
    if (!region) throw nc::Error("the fortran node needs the picture's parameters");
    region_ = *region;
  }
  Counts process_data_from_server(const Band& band) override {
    return Counts{band.chunk, escape_band(region_, band.rect)};
  }

 private:
  Region region_;
};

}  // namespace fortran
