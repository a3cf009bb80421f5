#pragma once
// The Mandelbrot server: cuts the picture into chunks, hands them out, puts the results in
// place and writes the picture at the end.

#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/chunk_list.hpp>
#include <node_crunch/configuration.hpp>
#include <node_crunch/server.hpp>

#include "mandel_options.hpp"
#include "mandel_output.hpp"
#include "mandel_types.hpp"

namespace mandel {

class Server final : public nc::Server<Types> {
 public:
  using Options = mandel::Options;
  static constexpr const char* job_name = "mandel";
  static constexpr const char* job_summary = "the Mandelbrot set, into HDF5 (and PNG)";

  Server(const Options& options, const nc::Configuration& config);

  std::optional<Params> initial_data() override { return options_.params(); }
  nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override;
  void process_data_from_node(nc::NodeID node, const Pixels& result) override;
  void heartbeat_timeout(std::vector<nc::NodeID> nodes) override;
  void finish_job() override;
  [[nodiscard]] nc::JobProgress progress() const override { return chunks_.progress(); }

  /// --sequential: the same picture in this process, without node_crunch.
  static int run_sequential(const Options& options);

 private:
  Options options_;
  nc::Array2DChunk<std::uint32_t> image_;  // the geometry; its memory is only touched for --png
  nc::ChunkList chunks_;
  Output output_;
};

}  // namespace mandel
