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
  // The reader stops after each whole frame: take it, then feed it the rest.
  const auto take = [&reader](nc::ByteSpan piece) {
    for (;;) {
      piece = piece.subspan(reader.feed(piece));
      auto frame = reader.next();
      if (!frame) return;
      try {
        (void)nc::detail::decode(frame->payload);
      } catch (const nc::ProtocolError&) {
      }
    }
  };
  try {
    // Fed in two pieces, as a network would deliver them.
    take(bytes.first(size / 2));
    take(bytes.subspan(size / 2));
  } catch (const nc::ProtocolError&) {
  }
  return 0;
}
