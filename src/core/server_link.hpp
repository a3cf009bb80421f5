#pragma once
// The server engine's handle on one node's connection; each transport implements it. The engine
// speaks in messages; the link encodes each one once and its transport moves the bytes.

#include <memory>
#include <string>

#include "core/outgoing.hpp"

namespace nc::detail {

/// What crossed the server's links, as encoded messages (without a transport's own framing).
struct WireCounters {
  std::uint64_t messages_in = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t messages_out = 0;
  std::uint64_t bytes_out = 0;
};

class ServerLink {
 public:
  virtual ~ServerLink() = default;
  /// Queues a message to the node; never blocks; a no-op once the link is closed. The link
  /// takes the message over.
  void send(Message&& message) {
    const Framing room = framing();
    Outgoing out = encode_for_wire(message, room);
    if (counters_ != nullptr) {
      ++counters_->messages_out;
      counters_->bytes_out += out.bytes.size() - room.head;
    }
    send_bytes(std::move(out));
  }
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

  /// The engine told this link that the job is over.
  [[nodiscard]] bool told_farewell() const { return told_farewell_; }
  /// The peer said goodbye: it expects nothing more.
  [[nodiscard]] bool said_goodbye() const { return said_goodbye_; }

 protected:
  /// The room the transport needs around each message.
  [[nodiscard]] virtual Framing framing() const { return {}; }
  /// Queues one encoded message; never blocks.
  virtual void send_bytes(Outgoing&& out) = 0;

 private:
  friend class ServerEngine;  // keeps these: it alone knows what the messages mean
  bool told_farewell_ = false;
  bool said_goodbye_ = false;
  WireCounters* counters_ = nullptr;
};

using ServerLinkPtr = std::shared_ptr<ServerLink>;

}  // namespace nc::detail
