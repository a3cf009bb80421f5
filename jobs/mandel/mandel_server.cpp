#include "mandel_server.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "mandel_kernel.hpp"

namespace mandel {

Server::Server(const Options& options, const nc::Configuration& config)
    : options_(options),
      image_(options.width, options.height, options.effective_chunk_width(), options.chunk_height),
      chunks_(image_.chunk_count(), config.chunk_policy()),
      output_(options) {}

nc::JobStatus<Band> Server::prepare_data_for_node(nc::NodeID node) {
  return chunks_.next(node, [&](nc::ChunkID chunk) { return Band{chunk, image_.chunk(chunk)}; });
}

void Server::process_data_from_node(nc::NodeID node, const Pixels& result) {
  const nc::ChunkRect rect = image_.chunk(result.chunk);
  if (result.values.size() != rect.area()) {
    throw nc::Error("a band of " + std::to_string(result.values.size()) +
                    " values for a chunk of " + std::to_string(rect.area()))
        .with_node(node)
        .with_chunk(result.chunk);
  }
  if (chunks_.complete(result.chunk, node)) output_.add(rect, result.values);
}

void Server::heartbeat_timeout(std::vector<nc::NodeID> nodes) {
  chunks_.nodes_lost(nodes);
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
