#pragma once
// A server's checkpoint, from the command line to the end of the job: where it lives (--checkpoint,
// or next to the job's --output), resuming from it (--resume), recording every chunk's first
// result as it arrives (on a writer thread of its own, in batches, each synced to disk before
// the engine hears that it is durable), and removing it once the job's output is written.
// Beside it: CHECKPOINT.lock, held while a server run uses it (FileLock), and CHECKPOINT.tasks,
// the tasks handed out (TaskJournal), from which a resumed run takes its predecessor's results
// from the nodes they went to.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/server_runtime.hpp"
#include "node_crunch/configuration.hpp"
#include "node_crunch/detail/job_adapters.hpp"

namespace nc::detail {

class CheckpointWriter;
class FileLock;
class RecordWriter;
class TaskJournal;

class Checkpointing final : public ResultRecorder {
 public:
  /// Sets it up on `runtime` (before any node is served); resumes if asked. Throws UsageError
  /// for a checkpoint that belongs to another run, IoError for one that cannot be read.
  Checkpointing(ServerRuntime& runtime, const JobEntry& job, const Configuration& config);
  ~Checkpointing() override;

  void record(ChunkID chunk, Payload result) override;
  void drain() override;
  void handed_out(const std::vector<HandedOut>& tasks) override;

  /// Where this job's checkpoint goes, or nullopt if the job records none.
  static std::optional<std::string> path_for(const JobEntry& job, const Configuration& config);
  /// --resume of a run that finished: its output is there and its checkpoint is gone (a run
  /// removes it once its output is written). Returns the output's path then.
  static std::optional<std::string> finished_output(const JobEntry& job,
                                                    const Configuration& config);

 private:
  class FileSink;
  void start_writer_thread(ServerRuntime& runtime, std::uint64_t buffer_mib);
  void at_end(const ServerEngine& engine);

  std::unique_ptr<FileLock> lock_;  // first: held while anything below touches the files
  std::unique_ptr<CheckpointWriter> file_;
  std::unique_ptr<TaskJournal> journal_;
  std::unique_ptr<FileSink> sink_;
  std::unique_ptr<RecordWriter> writer_;
};

}  // namespace nc::detail
