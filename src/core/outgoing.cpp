#include "core/outgoing.hpp"

namespace nc::detail {

Outgoing encode_for_wire(const Message& message, Framing framing) {
  Outgoing out;
  out.kind = static_cast<std::uint8_t>(type_of(message));
  out.bytes.reserve(framing.head + encoded_size(message) + framing.tail);
  out.bytes.resize(framing.head);
  encode(message, out.bytes);
  return out;
}

}  // namespace nc::detail
