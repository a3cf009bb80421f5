#pragma once
// The node engine's handle on its connection to the server; each transport implements it. The
// engine speaks in messages; the link encodes each one once and its transport moves the bytes.

#include "core/outgoing.hpp"

namespace nc::detail {

class NodeLink {
 public:
  virtual ~NodeLink() = default;
  /// Queues a message to the server; never blocks. The link takes the message over.
  void send(Message&& message) { send_bytes(encode_for_wire(message, framing())); }
  /// An lvalue would be copied into the Message, payloads and all: move it, or copy it on purpose.
  template <class M>
  void send(M& message) = delete;

 protected:
  /// The room the transport needs around each message.
  [[nodiscard]] virtual Framing framing() const { return {}; }
  /// Queues one encoded message; never blocks.
  virtual void send_bytes(Outgoing&& out) = 0;
};

}  // namespace nc::detail
