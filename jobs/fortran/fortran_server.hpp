#pragma once
// The server: cuts the picture into bands of rows, hands them out, and writes each band to the
// HDF5 file as it comes back.

#include <node_crunch/array2d_chunk.hpp>
#include <node_crunch/build_config.hpp>
#include <node_crunch/server.hpp>
#if NC_HAVE_HDF5
#include <node_crunch/hdf5.hpp>
#endif

#include <memory>

#include "fortran_options.hpp"
#include "fortran_types.hpp"

namespace fortran {

class Server final : public nc::Server<Types> {
 public:
  using Options = fortran::Options;
  static constexpr const char* job_name = "fortran";
  static constexpr const char* job_summary =
      "a Fortran kernel (Mandelbrot escape times) called through iso_c_binding";

  explicit Server(const Options& options);

  std::optional<Region> initial_data() override { return options_.region(); }
  nc::JobStatus<Band> prepare_data_for_node(nc::NodeID node) override;
  void process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Counts& result) override;
  void finish_job() override;

  /// --sequential: the same picture in this process, without node_crunch.
  static int run_sequential(const Options& options);

 private:
  Options options_;
  nc::Array2DChunk<std::uint8_t> geometry_;  // where each band lies; its grid is not used
#if NC_HAVE_HDF5
  std::unique_ptr<nc::hdf5::Array2DWriter<std::uint32_t>> output_;
#endif
};

}  // namespace fortran
