#pragma once
// The ray-tracing server: builds the scene and sends it to every node, cuts the picture into
// bands of rows, puts the rendered bands in place and writes the picture at the end.

#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/server.hpp>

#include "raytrace_options.hpp"
#include "raytrace_output.hpp"
#include "raytrace_types.hpp"

namespace raytrace {

class Server final : public nc::Server<Types> {
 public:
  using Options = raytrace::Options;
  static constexpr const char* job_name = "raytrace";
  static constexpr const char* job_summary =
      "a path-traced scene of spheres, into HDF5 (and PNG); the same bits on any node count";

  explicit Server(const Options& options);

  std::optional<Scene> initial_data() override { return scene_; }
  nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override;
  void process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Pixels& result) override;
  void finish_job() override;

  /// --sequential: the same picture in this process, without node_crunch.
  static int run_sequential(const Options& options);

 private:
  Scene scene_;
  nc::Array2DChunk<std::uint8_t> geometry_;  // where each band lies; its grid is not used
  Output output_;
};

}  // namespace raytrace
