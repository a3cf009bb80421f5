#pragma once
// The Mandelbrot server: cuts the picture into chunks, hands them out, puts the results in
// place and writes the picture at the end.

#include <node_crunch/array2d_chunk.hpp>
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

  explicit Server(const Options& options);

  std::optional<Params> initial_data() override { return options_.params(); }
  nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override;
  void process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Pixels& result) override;
  void finish_job() override;

  /// --sequential: the same picture in this process, without node_crunch.
  static int run_sequential(const Options& options);

 private:
  Options options_;
  // Where each chunk lies. Its grid, a byte a pixel, is allocated and never used; the picture
  // for --png is kept by Output.
  nc::Array2DChunk<std::uint8_t> image_;
  Output output_;
};

}  // namespace mandel
