#include "raytrace_server.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "raytrace_kernel.hpp"
#include "raytrace_scene.hpp"

namespace raytrace {

Server::Server(const Options& options)
    : scene_(make_scene(options)),
      geometry_(options.width, options.height, options.width, options.chunk_height),
      output_(options, scene_.spheres.size()) {
  use_chunks(geometry_.chunk_count());
}

nc::JobStatus<Band> Server::prepare_data_for_node(nc::NodeID node) {
  return next_chunk(node, [&](nc::ChunkID chunk) { return Band{chunk, geometry_.chunk(chunk)}; });
}

void Server::process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Pixels& result) {
  const nc::ChunkRect rect = geometry_.chunk(chunk);
  if (result.chunk != chunk || result.rgb.size() != rect.area() * 3) {
    throw nc::BadResult("a band of " + std::to_string(result.rgb.size()) + " values labelled " +
                        nc::to_string(result.chunk) + " for a chunk of " +
                        std::to_string(rect.area()) + " pixels")
        .with_node(node)
        .with_chunk(chunk);
  }
  output_.add(rect, result.rgb);
}

void Server::finish_job() {
  output_.finish();
}

int Server::run_sequential(const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  const Scene scene = make_scene(options);
  const nc::ChunkRect all{0, 0, options.width, options.height};
  const std::vector<float> rgb = render(scene, all);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Output output(options, scene.spheres.size());
  output.add(all, rgb);
  output.finish();
  std::printf("raytrace --sequential: %llux%llu, %u samples, rendered in %.3f s\n",
              static_cast<unsigned long long>(options.width),
              static_cast<unsigned long long>(options.height), options.samples, seconds);
  return 0;
}

}  // namespace raytrace
