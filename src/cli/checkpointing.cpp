#include "cli/checkpointing.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "node_crunch/build_config.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/exit_status.hpp"
#if NC_HAVE_HDF5
#include "io/checkpoint.hpp"
#endif

namespace nc::detail {
namespace {
// Recorded results reach the file this often: what a crash of the server can cost.
constexpr std::chrono::milliseconds kFlushEvery{100};
}  // namespace

#if NC_HAVE_HDF5

std::optional<std::string> Checkpointing::path_for(const JobEntry& job,
                                                   const Configuration& config) {
  if (config.no_checkpoint) return std::nullopt;
  if (!config.checkpoint.empty()) return config.checkpoint;
  if (job.checkpoint_path) {
    if (auto path = job.checkpoint_path(); !path.empty()) return path;
  }
  return std::nullopt;  // the job names no place for one: only --checkpoint FILE makes one
}

Checkpointing::Checkpointing(ServerRuntime& runtime, const JobEntry& job,
                             const Configuration& config) {
  const auto path = path_for(job, config);
  if (!path) {
    if (config.resume)
      throw UsageError("--resume: job '" + job.name +
                       "' keeps no checkpoint (give --checkpoint FILE)");
    return;
  }
  const RunIdentity identity{job.name, config.job_parameters};
  std::vector<CheckpointRecord> restored;
  if (std::filesystem::exists(*path)) {
    if (!config.resume) {
      throw UsageError("the checkpoint " + *path +
                       " of an interrupted run is there: add --resume to finish that run, "
                       "or delete the file to start afresh");
    }
    restored = read_checkpoint(*path, identity);
  } else if (config.resume) {
    spdlog::info("--resume: no checkpoint at {}, starting from the beginning", *path);
  }
  writer_ = std::make_unique<CheckpointWriter>(*path, identity, restored);
  for (const auto& record : restored)
    runtime.engine().replay(record.chunk, record.result);
  if (!restored.empty())
    spdlog::info("resumed from {}: {} chunk(s) restored", *path, restored.size());
  runtime.engine().set_recorder(this);
  runtime.every(kFlushEvery, [this] { writer_->flush(); });
  runtime.at_end([this, &engine = runtime.engine()] { at_end(engine); });
}

Checkpointing::~Checkpointing() = default;

void Checkpointing::record(ChunkID chunk, ByteSpan result) {
  writer_->append(chunk, result);
}

void Checkpointing::at_end(const ServerEngine& engine) {
  try {
    writer_->flush();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
  }
  if (engine.exit_status() == exit_ok) {
    writer_->remove();  // the output is written: nothing to resume
    return;
  }
  spdlog::warn(
      "the checkpoint {} keeps {} finished chunk(s): run again with --resume to finish the job",
      writer_->path(), writer_->records());
}

#else

// Without HDF5 no writer is ever made, but the member's destructor needs a complete type.
class CheckpointWriter {};

std::optional<std::string> Checkpointing::path_for(const JobEntry&, const Configuration&) {
  return std::nullopt;
}

Checkpointing::Checkpointing(ServerRuntime&, const JobEntry&, const Configuration& config) {
  if (config.resume || !config.checkpoint.empty())
    throw UsageError("this build has no HDF5: no checkpoints");
}
Checkpointing::~Checkpointing() = default;
void Checkpointing::record(ChunkID, ByteSpan) {}
void Checkpointing::at_end(const ServerEngine&) {}

#endif

}  // namespace nc::detail
