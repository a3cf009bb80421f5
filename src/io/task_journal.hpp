#pragma once
// The tasks a server run hands out, recorded next to its checkpoint (CHECKPOINT.tasks), so that
// a run resumed after a crash of the server accepts an earlier run's results from the nodes
// they went to, and only from them (HandedOut: attempt, chunk, the holder's token).
//
// A plain append-only file: an 8-byte magic, then 24-byte records (attempt, chunk, token,
// little-endian), each batch written with one write(). What the kernel has taken survives a
// kill of the server; a record cut short by a crash of the machine is cut off on the next
// open. Nothing is ever rewritten in place, so it is safe on a shared file system (NFS) too,
// where several hosts may run the server one after the other. It is a help, not a record the
// job depends on: a task missing from it is computed again.
//
// Thread safety: none; the server's thread uses it.

#include <string>
#include <vector>

#include "core/handed_out.hpp"

namespace nc::detail {

class TaskJournal {
 public:
  /// Opens the journal at `path` to append to. `keep`: read what earlier runs recorded (a
  /// resumed run); otherwise it starts empty. IoError if it cannot be opened or written.
  TaskJournal(std::string path, bool keep);
  ~TaskJournal();
  TaskJournal(const TaskJournal&) = delete;
  TaskJournal& operator=(const TaskJournal&) = delete;

  /// What earlier runs recorded (empty unless opened with `keep`).
  [[nodiscard]] const std::vector<HandedOut>& earlier() const { return earlier_; }
  /// Appends `tasks` with one write. A failure (a full disk) is logged once and ends the
  /// journal: the job goes on without it.
  void append(const std::vector<HandedOut>& tasks);
  /// The job is done: the journal goes with its checkpoint.
  void remove();

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<HandedOut> earlier_;
};

}  // namespace nc::detail
