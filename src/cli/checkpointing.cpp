#include "cli/checkpointing.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <filesystem>

#include "core/record_writer.hpp"
#include "io/file_lock.hpp"
#include "io/task_journal.hpp"
#include "node_crunch/build_config.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/exit_status.hpp"
#if NC_HAVE_HDF5
#include "io/checkpoint.hpp"
#endif

namespace nc::detail {

#if NC_HAVE_HDF5

class Checkpointing::FileSink final : public RecordSink {
 public:
  explicit FileSink(CheckpointWriter& file) : file_(file) {}
  void append(ChunkID chunk, ByteSpan result) override { file_.append(chunk, result); }
  void commit() override { file_.flush(); }

 private:
  CheckpointWriter& file_;
};

std::optional<std::string> Checkpointing::path_for(const JobEntry& job,
                                                   const Configuration& config) {
  if (config.no_checkpoint) return std::nullopt;
  if (!config.checkpoint.empty()) return config.checkpoint;
  if (job.checkpoint_path) {
    if (auto path = job.checkpoint_path(); !path.empty()) return path;
  }
  return std::nullopt;  // the job names no place for one: only --checkpoint FILE makes one
}

std::optional<std::string> Checkpointing::finished_output(const JobEntry& job,
                                                          const Configuration& config) {
  if (!config.resume || !job.output_path) return std::nullopt;
  const auto path = path_for(job, config);
  const std::string output = job.output_path();
  if (!path || output.empty() || std::filesystem::exists(*path) || !std::filesystem::exists(output))
    return std::nullopt;
  return output;
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
  lock_ = std::make_unique<FileLock>(*path + ".lock", "the checkpoint " + *path);
  std::vector<CheckpointRecord> restored;
  const bool resuming = std::filesystem::exists(*path);
  if (resuming) {
    if (!config.resume) {
      throw UsageError("the checkpoint " + *path +
                       " of an interrupted run is there: add --resume to finish that run, "
                       "or delete the file to start afresh");
    }
    std::uint64_t cut_short = 0;
    restored = read_checkpoint(*path, identity, &cut_short);
    if (cut_short > 0)
      spdlog::warn(
          "the checkpoint {} ends with {} bytes of a record cut short when its server "
          "stopped: ignored, that chunk is computed again",
          *path, cut_short);
  } else if (config.resume) {
    spdlog::info("--resume: no checkpoint at {}, starting from the beginning", *path);
  }
  file_ = std::make_unique<CheckpointWriter>(*path, identity, restored);
  journal_ = std::make_unique<TaskJournal>(*path + ".tasks", resuming);
  if (!journal_->earlier().empty()) {
    runtime.engine().restore_handed_out(journal_->earlier());
    spdlog::info(
        "{} task(s) of earlier server runs on record: their results count when the "
        "nodes they went to bring them",
        journal_->earlier().size());
  }
  sink_ = std::make_unique<FileSink>(*file_);
  for (const auto& record : restored)
    runtime.engine().replay(record.chunk, record.result);
  if (!restored.empty())
    spdlog::info("resumed from {}: {} chunk(s) restored", *path, restored.size());
  runtime.engine().set_recorder(this);
  start_writer_thread(runtime, config.checkpoint_buffer_mib);
  runtime.at_end([this, &engine = runtime.engine()] { at_end(engine); });
}

// The writer thread's reports reach the engine on its own thread, through its event loop.
void Checkpointing::start_writer_thread(ServerRuntime& runtime, std::uint64_t buffer_mib) {
  auto& io = runtime.io();
  auto& engine = runtime.engine();
  writer_ = std::make_unique<RecordWriter>(
      *sink_,
      [&io, &engine](std::uint64_t durable) {
        boost::asio::post(io, [&engine, durable] { engine.on_records_durable(durable); });
      },
      [&io, &engine](const std::string& error) {
        spdlog::error("{}: no more results are recorded", error);
        boost::asio::post(io, [&engine, error] { engine.on_recording_failed(error); });
      },
      RecordLimits{.max_bytes = static_cast<std::size_t>(buffer_mib << 20)});
}

Checkpointing::~Checkpointing() {
  if (writer_) writer_->stop();
}

void Checkpointing::record(ChunkID chunk, Payload result) {
  writer_->submit(chunk, std::move(result));
}

void Checkpointing::handed_out(const std::vector<HandedOut>& tasks) {
  journal_->append(tasks);
}

void Checkpointing::drain() {
  (void)writer_->drain();
}

void Checkpointing::at_end(const ServerEngine& engine) {
  drain();
  writer_->stop();  // nothing touches the file from another thread after this
  if (engine.exit_status() == exit_ok) {
    file_->remove();  // the output is written: nothing to resume
    journal_->remove();
    lock_->remove();
    return;
  }
  spdlog::warn(
      "the checkpoint {} keeps {} finished chunk(s): run again with --resume to finish the job",
      file_->path(), file_->records());
}

#else

// Without HDF5 no file is ever made, but the members' destructors need complete types.
class CheckpointWriter {};
class Checkpointing::FileSink {};

std::optional<std::string> Checkpointing::path_for(const JobEntry&, const Configuration&) {
  return std::nullopt;
}
std::optional<std::string> Checkpointing::finished_output(const JobEntry&, const Configuration&) {
  return std::nullopt;
}
void Checkpointing::handed_out(const std::vector<HandedOut>&) {}

Checkpointing::Checkpointing(ServerRuntime&, const JobEntry&, const Configuration& config) {
  if (config.resume || !config.checkpoint.empty())
    throw UsageError("this build has no HDF5: no checkpoints");
}
Checkpointing::~Checkpointing() = default;
void Checkpointing::record(ChunkID, Payload) {}
void Checkpointing::drain() {}
void Checkpointing::start_writer_thread(ServerRuntime&, std::uint64_t) {}
void Checkpointing::at_end(const ServerEngine&) {}

#endif

}  // namespace nc::detail
