#include "fortran_server.hpp"

#include <node_crunch/error.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "escape_band.hpp"

namespace fortran {
namespace {

#if NC_HAVE_HDF5
std::unique_ptr<nc::hdf5::Array2DWriter<std::uint32_t>> open_output(const Options& o) {
  return std::make_unique<nc::hdf5::Array2DWriter<std::uint32_t>>(
      o.output, "escape_time", o.width, o.height,
      nc::hdf5::WriteOptions{.chunk_rows = o.chunk_height, .chunk_cols = o.width});
}

nc::hdf5::Attributes attributes(const Options& o) {
  return {{"job", std::string("fortran")},
          {"kernel", std::string(o.kernel == "fortran" ? "Fortran (escape_band.f90)"
                                                       : "C++ (escape_band_cpp.cpp)")},
          {"formula",
           std::string(
               "c = (re_min + x*(re_max-re_min)/width) + i*(im_min + y*(im_max-im_min)/height); "
               "z = 0; for n = 0..max_iter-1: z = z*z + c, value = n if |z|^2 > 4; else max_iter")},
          {"width", o.width},
          {"height", o.height},
          {"max_iter", std::uint64_t{o.max_iter}},
          {"re_min", o.re_min},
          {"re_max", o.re_max},
          {"im_min", o.im_min},
          {"im_max", o.im_max},
          {"chunk_height", o.chunk_height},
          {"node_crunch_version", std::string(NC_VERSION)}};
}
#endif

}  // namespace

Server::Server(const Options& options)
    : options_(options),
      geometry_(options.width, options.height, options.width, options.chunk_height) {
  use_chunks(geometry_.chunk_count());
#if NC_HAVE_HDF5
  output_ = open_output(options);
#else
  throw nc::IoError("this build has no HDF5 support; cannot write " + options.output);
#endif
}

nc::JobStatus<Band> Server::prepare_data_for_node(nc::NodeID node) {
  return next_chunk(node, [&](nc::ChunkID chunk) { return Band{chunk, geometry_.chunk(chunk)}; });
}

void Server::process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Counts& result) {
  const nc::ChunkRect rect = geometry_.chunk(chunk);
  if (result.chunk != chunk || result.values.size() != rect.area()) {
    throw nc::BadResult("a band of " + std::to_string(result.values.size()) + " values labelled " +
                        nc::to_string(result.chunk) + " for a chunk of " +
                        std::to_string(rect.area()))
        .with_node(node)
        .with_chunk(chunk);
  }
#if NC_HAVE_HDF5
  output_->write_region(rect.x, rect.y, rect.width, rect.height, result.values);
#endif
}

void Server::finish_job() {
#if NC_HAVE_HDF5
  output_->commit(attributes(options_));
#endif
}

int Server::run_sequential(const Options& options) {
#if NC_HAVE_HDF5
  const auto start = std::chrono::steady_clock::now();
  const nc::ChunkRect all{0, 0, options.width, options.height};
  const std::vector<std::uint32_t> counts = escape_band(options.region(), all);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto output = open_output(options);
  output->write_region(0, 0, options.width, options.height, counts);
  output->commit(attributes(options));
  std::printf("fortran --sequential: %llux%llu, max-iter %u, %s kernel, computed in %.3f s\n",
              static_cast<unsigned long long>(options.width),
              static_cast<unsigned long long>(options.height), options.max_iter,
              options.kernel.c_str(), seconds);
  return 0;
#else
  throw nc::IoError("this build has no HDF5 support; cannot write " + options.output);
#endif
}

}  // namespace fortran
