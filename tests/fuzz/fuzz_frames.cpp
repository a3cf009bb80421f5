// libFuzzer: arbitrary bytes on a TCP connection, cut into frames and decoded as messages.
// Anything but a clean ProtocolError (a crash, a leak, an allocation beyond the limits, an
// undefined behaviour) is a finding.
#include <cstddef>
#include <cstdint>

#include "core/message.hpp"
#include "node_crunch/error.hpp"
#include "transport/tcp/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nc::ByteSpan bytes(reinterpret_cast<const std::byte*>(data), size);
  nc::detail::FrameReader reader(std::size_t{1} << 20);
  try {
    // Fed in two pieces, as a network would deliver them.
    reader.feed(bytes.first(size / 2));
    reader.feed(bytes.subspan(size / 2));
  } catch (const nc::ProtocolError&) {
  }
  while (auto frame = reader.next()) {
    try {
      (void)nc::detail::decode_message(*frame);
    } catch (const nc::ProtocolError&) {
    }
  }
  return 0;
}
