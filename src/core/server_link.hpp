#pragma once
// The server engine's handle on one node's connection; each transport implements it.

#include <memory>
#include <string>

#include "core/message.hpp"

namespace nc::detail {

class ServerLink {
 public:
  virtual ~ServerLink() = default;
  /// Queues a message to the node; never blocks; a no-op once the link is closed. The link
  /// takes the message over.
  virtual void send(Message&& message) = 0;
  /// An lvalue would be copied into the Message, payloads and all: move it, or copy it on purpose.
  template <class M>
  void send(M& message) = delete;
  /// Drops the connection (TCP); transports without connections ignore it.
  virtual void close(const std::string& reason) = 0;
  /// A node registered on this link: from now on it may send messages as large as the transport
  /// allows a node (TCP: --max-frame-bytes); before, only those a registration needs.
  virtual void registered() {}
  /// True if the link cannot be dropped (an MPI rank, an in-process node): a node the server
  /// throws out is then left idle, and still gets the job's farewell so that its side ends.
  [[nodiscard]] virtual bool stays_reachable() const { return false; }
  /// Where the node is: "rank 3", "10.0.0.7:50412", "local node 2".
  [[nodiscard]] virtual std::string address() const = 0;
};

using ServerLinkPtr = std::shared_ptr<ServerLink>;

}  // namespace nc::detail
