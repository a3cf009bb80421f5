#include "mixed_server.hpp"

#include <node_crunch/error.hpp>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "mixed_kernel.hpp"

namespace mixed {
namespace {

// Writes the reports in task order, through a temporary file, so that a reader never sees
// half a file; prints a line with the file's size and a hash of its bytes.
void write_reports(const Options& options, const std::vector<std::string>& texts) {
  const std::string partial = options.output + ".part";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << "# mixed: tasks " << options.tasks << ", points " << options.points << ", degree "
        << options.degree << ", rounds " << options.rounds << ", seed " << options.seed << "\n";
    for (const std::string& text : texts)
      out << text;
    out.flush();
    if (!out) throw nc::IoError("cannot write " + partial);
  }
  std::error_code error;
  std::filesystem::rename(partial, options.output, error);
  if (error) throw nc::IoError("cannot rename " + partial + ": " + error.message());
  std::uint64_t hash = 0xcbf29ce484222325ull;
  std::uint64_t bytes = 0;
  std::ifstream in(options.output, std::ios::binary);
  for (char c; in.get(c); ++bytes)
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  std::printf("mixed: tasks=%" PRIu64 " bytes=%" PRIu64 " fnv1a=%016" PRIx64 " output=%s\n",
              options.tasks, bytes, hash, options.output.c_str());
  std::fflush(stdout);
}

}  // namespace

Server::Server(const Options& options)
    : options_(options),
      params_(make_params(options.label, options.seed, options.degree, options.rounds)),
      texts_(options.tasks) {
  use_chunks(options.tasks);
}

nc::JobStatus<Item> Server::prepare_data_for_node(nc::NodeID node) {
  return next_chunk(node, [this](nc::ChunkID chunk) {
    return make_item(options_.seed, chunk.value(), options_.points);
  });
}

void Server::process_chunk_from_node(nc::NodeID node, nc::ChunkID chunk, const Report& report) {
  if (report.index != chunk.value() || report.values.size() != options_.points ||
      report.sums.size() != options_.points) {
    throw nc::BadResult("a report labelled task " + std::to_string(report.index) +
                        " does not fit the job")
        .with_node(node)
        .with_chunk(chunk);
  }
  const Item item = make_item(options_.seed, report.index, options_.points);
  if (report.fingerprint != fingerprint(params_, item)) {
    throw nc::BadResult("the node received task " + std::to_string(report.index) +
                        " or the job's parameters damaged: their fingerprint differs")
        .with_node(node)
        .with_chunk(nc::ChunkID{report.index});
  }
  texts_[report.index] = to_text(report);
}

void Server::finish_job() {
  if (const auto failed = chunks().failed_chunks(); !failed.empty()) {
    throw nc::Error(std::to_string(failed.size()) + " of " + std::to_string(options_.tasks) +
                    " tasks failed; nothing written")
        .with_chunk(failed.front());
  }
  write_reports(options_, texts_);
}

int Server::run_sequential(const Options& options) {
  const Params params = make_params(options.label, options.seed, options.degree, options.rounds);
  std::vector<std::string> texts;
  for (std::uint64_t t = 0; t < options.tasks; ++t)
    texts.push_back(to_text(compute(params, make_item(options.seed, t, options.points))));
  write_reports(options, texts);
  return 0;
}

}  // namespace mixed
