#pragma once
// The checkpoint: every chunk's first accepted result, recorded as it arrives, so that an
// interrupted run (a time limit, scancel, a crash of the server) resumes with only the missing
// chunks computed and ends with exactly the output of an uninterrupted run.
//
// An HDF5 file in single-writer/multiple-reader (SWMR) mode, whose ordered metadata flushes
// keep the file readable after a crash of the writer, with three append-only datasets:
//   /bytes   uint8    the results' bytes, one after another
//   /ends    uint64   where each record's bytes end in /bytes
//   /chunks  uint64   each record's chunk
// extended and flushed in that order: /chunks is the commit point, so a record counts only
// once all of it is on disk, and an append cut short by a crash is simply not there. The
// root's attributes say which job, with which options, made the file; a checkpoint of another
// job or other parameters is refused, never mixed in.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "node_crunch/bytes.hpp"
#include "node_crunch/ids.hpp"

namespace nc::detail {

/// Which run a checkpoint belongs to: the job and its own options.
struct RunIdentity {
  std::string job;
  std::vector<std::pair<std::string, std::string>> parameters;
  /// One "name=value" line per option.
  [[nodiscard]] std::string parameters_text() const;
};

struct CheckpointRecord {
  ChunkID chunk;
  Bytes result;
};

/// Reads every record; IoError if the file cannot be read or is damaged, UsageError if it was
/// made by another job or with other parameters (saying which differ).
std::vector<CheckpointRecord> read_checkpoint(const std::string& path, const RunIdentity& expected);

class CheckpointWriter {
 public:
  /// Creates the checkpoint afresh, holding `records` (under a temporary name, renamed when
  /// complete), and keeps it open to append to.
  CheckpointWriter(std::string path, const RunIdentity& identity,
                   const std::vector<CheckpointRecord>& records);
  ~CheckpointWriter();
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  /// Queues a record; flush() puts it in the file.
  void append(ChunkID chunk, ByteSpan result);
  /// Writes the queued records and syncs them to disk: from then on they survive a crash of
  /// this process and of the machine. IoError if they cannot be written; what was flushed
  /// before stays readable.
  void flush();
  /// The job is done and its output written: the checkpoint is no longer needed.
  void remove();

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::size_t records() const { return records_; }

 private:
  struct Handles;
  std::string path_;
  std::unique_ptr<Handles> handles_;
  std::vector<std::uint64_t> pending_chunks_;
  std::vector<std::uint64_t> pending_ends_;
  std::vector<std::byte> pending_bytes_;
  std::uint64_t bytes_written_ = 0;
  std::size_t records_ = 0;
};

}  // namespace nc::detail
