#pragma once
// The node engine's handle on its connection to the server; each transport implements it.

#include "core/message.hpp"

namespace nc::detail {

class NodeLink {
 public:
  virtual ~NodeLink() = default;
  /// Queues a message to the server; never blocks.
  virtual void send(const Message& message) = 0;
};

}  // namespace nc::detail
