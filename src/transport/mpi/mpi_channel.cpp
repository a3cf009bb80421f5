#include "transport/mpi/mpi_channel.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>

#include "transport/mpi/mpi_call.hpp"

namespace nc::detail {
namespace {
enum Tag : int { kMessage = 1, kLargeHeader = 2, kLargePiece = 3 };
}  // namespace

MpiChannel::MpiChannel(MPI_Comm comm, std::size_t piece_bytes)
    : comm_(comm), piece_bytes_(std::clamp<std::size_t>(piece_bytes, 1, INT_MAX)) {}

void MpiChannel::send(int rank, Bytes bytes) {
  Pending& pending = pending_.emplace_back();
  pending.buffer = std::move(bytes);
  const std::size_t size = pending.buffer.size();
  MPI_Request request = MPI_REQUEST_NULL;
  if (size <= piece_bytes_) {
    mpi_call(MPI_Isend(pending.buffer.data(), static_cast<int>(size), MPI_BYTE, rank, kMessage,
                       comm_, &request),
             "MPI_Isend");
    pending.requests.push_back(request);
    return;
  }
  put_le<std::uint64_t>(pending.header, size);
  mpi_call(MPI_Isend(pending.header.data(), 8, MPI_BYTE, rank, kLargeHeader, comm_, &request),
           "MPI_Isend");
  pending.requests.push_back(request);
  for (std::size_t at = 0; at < size; at += piece_bytes_) {
    const auto count = static_cast<int>(std::min(piece_bytes_, size - at));
    mpi_call(
        MPI_Isend(pending.buffer.data() + at, count, MPI_BYTE, rank, kLargePiece, comm_, &request),
        "MPI_Isend");
    pending.requests.push_back(request);
  }
}

bool MpiChannel::progress_sends() {
  bool any = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    int finished = 0;
    mpi_call(MPI_Testall(static_cast<int>(it->requests.size()), it->requests.data(), &finished,
                         MPI_STATUSES_IGNORE),
             "MPI_Testall");
    if (finished != 0) {
      it = pending_.erase(it);
      any = true;
    } else {
      ++it;
    }
  }
  return any;
}

std::size_t MpiChannel::receive(int source, const std::function<void(int, ReceiveBuffer)>& deliver,
                                std::size_t budget) {
  std::size_t received = 0;
  while (received < budget) {
    int flag = 0;
    MPI_Message message;
    MPI_Status status;
    mpi_call(MPI_Improbe(source, MPI_ANY_TAG, comm_, &flag, &message, &status), "MPI_Improbe");
    if (flag == 0) break;
    int count = 0;
    mpi_call(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
    ReceiveBuffer bytes(static_cast<std::size_t>(count));
    mpi_call(MPI_Mrecv(bytes.writable().data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE),
             "MPI_Mrecv");
    const int rank = status.MPI_SOURCE;
    if (status.MPI_TAG == kLargeHeader) {
      if (bytes.size() != 8) {
        spdlog::warn("rank {} sent a malformed large-message header; ignoring it", rank);
        continue;
      }
      const auto size = load_le<std::uint64_t>(bytes.data());
      ReceiveBuffer large(static_cast<std::size_t>(size));
      // The pieces are on their way already; each says its own size, so the two ends need
      // not agree on the piece size.
      for (std::size_t at = 0; at < large.size();) {
        MPI_Message piece_message;
        MPI_Status piece_status;
        mpi_call(MPI_Mprobe(rank, kLargePiece, comm_, &piece_message, &piece_status), "MPI_Mprobe");
        int piece = 0;
        mpi_call(MPI_Get_count(&piece_status, MPI_BYTE, &piece), "MPI_Get_count");
        if (static_cast<std::size_t>(piece) > large.size() - at) {
          throw TransportError("rank " + std::to_string(rank) +
                               " sent more pieces than its message size");
        }
        mpi_call(MPI_Mrecv(large.writable().data() + at, piece, MPI_BYTE, &piece_message,
                           MPI_STATUS_IGNORE),
                 "MPI_Mrecv");
        at += static_cast<std::size_t>(piece);
      }
      bytes = std::move(large);
    } else if (status.MPI_TAG != kMessage) {
      spdlog::warn("rank {} sent a message with unknown tag {}; ignoring it", rank, status.MPI_TAG);
      continue;
    }
    ++received;
    deliver(rank, std::move(bytes));
  }
  return received;
}

}  // namespace nc::detail
