#pragma once
// The checkpoint: every chunk's first accepted result, recorded as it arrives, so that an
// interrupted run (a time limit, scancel, a crash of the server) resumes with only the missing
// chunks computed and ends with exactly the output of an uninterrupted run.
//
// An append-only file, written with plain write() and fdatasync() and never rewritten in place,
// so that it holds on any file system a cluster keeps files on, NFS included (what one host
// synced, the next host reads after a requeue):
//   "NCCKPT02", u32 size, the header (job, its parameters, the node_crunch version, each a u32
//   length and text), u64 checksum of the header;
//   then records: u64 chunk, u64 size, the result's bytes, u64 checksum of all three.
// Integers are little-endian; the checksum is FNV-1a 64. A record counts only once all of it
// is there: one cut short by a crash of the writer (the last) is ignored, a garbled one with
// whole ones after it is damage and refused. The header says which job, with which options,
// made the file; a checkpoint of another job or other parameters is refused, never mixed in.

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
/// made by another job or with other parameters (saying which differ). `cut_short`, if given,
/// is set to the bytes of a last record cut short (ignored), or 0.
std::vector<CheckpointRecord> read_checkpoint(const std::string& path, const RunIdentity& expected,
                                              std::uint64_t* cut_short = nullptr);

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
  std::string path_;
  int fd_ = -1;
  Bytes pending_;  // whole records, not yet written
  std::size_t pending_records_ = 0;
  std::uint64_t size_ = 0;  // the file's bytes that are whole records (and the header)
  std::size_t records_ = 0;
};

}  // namespace nc::detail
