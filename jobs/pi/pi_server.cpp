#include "pi_server.hpp"

#include <node_crunch/error.hpp>

#include <cstdio>
#include <string>

#include "pi_kernel.hpp"

namespace pi {

Server::Server(const Options& options) : options_(options), table_(options.tasks) {
  use_chunks(options.tasks);
}

nc::JobStatus<Batch> Server::prepare_data_for_node(nc::NodeID node) {
  return next_chunk(node, [](nc::ChunkID chunk) { return Batch{chunk.value()}; });
}

void Server::process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Tally& tally) {
  if (tally.task != chunk.value() || tally.samples != options_.samples ||
      tally.hits > tally.samples) {
    throw nc::BadResult("a tally of " + std::to_string(tally.hits) + " hits in " +
                        std::to_string(tally.samples) + " samples for task " +
                        std::to_string(tally.task) + " does not fit the job")
        .with_node(node)
        .with_chunk(chunk);
  }
  table_.add(tally);
}

void Server::finish_job() {
  // A missing batch would bias the estimate: better no table than a wrong one.
  if (const auto failed = chunks().failed_chunks(); !failed.empty()) {
    throw nc::Error(std::to_string(failed.size()) + " of " + std::to_string(options_.tasks) +
                    " tasks failed; no estimate written")
        .with_chunk(failed.front());
  }
  table_.write(options_);
  std::printf("%s\n", table_.summary().c_str());
  std::fflush(stdout);
}

int Server::run_sequential(const Options& options) {
  Table table(options.tasks);
  for (std::uint64_t t = 0; t < options.tasks; ++t)
    table.add(Tally{t, options.samples, count_hits(task_seed(options.seed, t), options.samples)});
  table.write(options);
  std::printf("%s\n", table.summary().c_str());
  return 0;
}

}  // namespace pi
