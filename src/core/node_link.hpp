#pragma once
// The node engine's handle on its connection to the server; each transport implements it.

#include "core/message.hpp"

namespace nc::detail {

class NodeLink {
 public:
  virtual ~NodeLink() = default;
  /// Queues a message to the server; never blocks. The link takes the message over.
  virtual void send(Message&& message) = 0;
  /// An lvalue would be copied into the Message, payloads and all: move it, or copy it on purpose.
  template <class M>
  void send(M& message) = delete;
};

}  // namespace nc::detail
