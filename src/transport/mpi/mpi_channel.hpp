#pragma once
// Moves encoded messages between ranks without blocking the event loop: sends are MPI_Isend
// with the buffer kept until MPI is done with it; receives take whatever has arrived.
//
// A message longer than `piece_bytes` (default 1 GiB) goes as a header with its size and then
// pieces, so nothing ever reaches MPI's int count limit (2 GiB). The receiver takes the pieces
// at once (they are already on their way) with blocking receives from that one rank.
//
// A message is received into a buffer that is not zeroed first (MPI writes all of it), and that
// the payloads decoded from it can share (core/payload.hpp): nothing copies it again.

#include <mpi.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

#include "core/payload.hpp"
#include "node_crunch/bytes.hpp"

namespace nc::detail {

class MpiChannel {
 public:
  MpiChannel(MPI_Comm comm, std::size_t piece_bytes);

  /// Queues `bytes` for `rank`.
  void send(int rank, Bytes bytes);
  /// Hands up to `budget` arrived messages from `source` (or MPI_ANY_SOURCE) to `deliver`;
  /// returns how many.
  std::size_t receive(int source, const std::function<void(int rank, ReceiveBuffer bytes)>& deliver,
                      std::size_t budget);
  /// Frees the buffers of finished sends; true if any finished.
  bool progress_sends();
  [[nodiscard]] bool sends_pending() const { return !pending_.empty(); }

 private:
  struct Pending {
    Bytes header;
    Bytes buffer;
    std::vector<MPI_Request> requests;
  };

  MPI_Comm comm_;
  std::size_t piece_bytes_;
  std::deque<Pending> pending_;
};

}  // namespace nc::detail
