#include "mandel_server.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "mandel_kernel.hpp"

namespace mandel {

Server::Server(const Options& options)
    : options_(options),
      image_(options.width, options.height, options.effective_chunk_width(), options.chunk_height),
      output_(options) {
  use_chunks(image_.chunk_count());
}

nc::JobStatus<Band> Server::prepare_data_for_node(nc::NodeID node) {
  return next_chunk(node, [&](nc::ChunkID chunk) { return Band{chunk, image_.chunk(chunk)}; });
}

void Server::process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Pixels& result) {
  const nc::ChunkRect rect = image_.chunk(chunk);
  if (result.chunk != chunk || result.values.size() != rect.area()) {
    throw nc::BadResult("a band of " + std::to_string(result.values.size()) + " values labelled " +
                        nc::to_string(result.chunk) + " for a chunk of " +
                        std::to_string(rect.area()))
        .with_node(node)
        .with_chunk(chunk);
  }
  output_.add(rect, result.values);
}

void Server::finish_job() {
  output_.finish();
}

int Server::run_sequential(const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  const Params params = options.params();
  nc::Array2D<std::uint32_t> image(options.width, options.height);
  for (std::uint64_t y = 0; y < options.height; ++y) {
    auto row = image.row(y);
    for (std::uint64_t x = 0; x < options.width; ++x)
      row[x] = escape_time(params, x, y);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Output output(options);
  output.add(nc::ChunkRect{0, 0, options.width, options.height}, image.data());
  output.finish();
  std::printf("mandel --sequential: %llux%llu, max-iter %u, computed in %.3f s\n",
              static_cast<unsigned long long>(options.width),
              static_cast<unsigned long long>(options.height), options.max_iter, seconds);
  return 0;
}

}  // namespace mandel
