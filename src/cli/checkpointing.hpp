#pragma once
// A server's checkpoint, from the command line to the end of the job: where it lives (--checkpoint,
// or next to the job's --output), resuming from it (--resume), recording every chunk's first
// result as it arrives, and removing it once the job's output is written.

#include <memory>
#include <optional>
#include <string>

#include "core/server_runtime.hpp"
#include "node_crunch/configuration.hpp"
#include "node_crunch/detail/job_adapters.hpp"

namespace nc::detail {

class CheckpointWriter;

class Checkpointing final : public ResultRecorder {
 public:
  /// Sets it up on `runtime` (before any node is served); resumes if asked. Throws UsageError
  /// for a checkpoint that belongs to another run, IoError for one that cannot be read.
  Checkpointing(ServerRuntime& runtime, const JobEntry& job, const Configuration& config);
  ~Checkpointing() override;

  void record(ChunkID chunk, ByteSpan result) override;

  /// Where this job's checkpoint goes, or nullopt if the job records none.
  static std::optional<std::string> path_for(const JobEntry& job, const Configuration& config);

 private:
  void at_end(const ServerEngine& engine);

  std::unique_ptr<CheckpointWriter> writer_;
};

}  // namespace nc::detail
