#pragma once
// A message encoded once for the wire, with room for a transport's own framing around it, so that
// no transport re-encodes or copies it to add a header, and none needs to know what it means.

#include <cstddef>
#include <cstdint>

#include "core/message.hpp"

namespace nc::detail {

/// The room a transport needs around each message.
struct Framing {
  std::size_t head = 0;  // bytes it writes before the message (TCP: the frame header)
  std::size_t tail = 0;  // bytes it may append after it (TCP: a seal's tag)
};

/// One encoded message: `bytes` starts with `head` bytes of room, then the encoding; its capacity
/// leaves the tail's room. `kind` is an opaque tag a transport may carry in its own header.
struct Outgoing {
  std::uint8_t kind = 0;
  Bytes bytes;
};

[[nodiscard]] Outgoing encode_for_wire(const Message& message, Framing framing);

}  // namespace nc::detail
