// libFuzzer: arbitrary bytes as one message (what the MPI and in-process transports deliver).
#include <cstddef>
#include <cstdint>

#include "core/message.hpp"
#include "node_crunch/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto message =
        nc::detail::decode(nc::ByteSpan(reinterpret_cast<const std::byte*>(data), size));
    // What decodes must encode back to the same bytes: the codec has one form per message. A
    // Hello of a newer protocol is the exception: it is read only as far as this protocol's
    // fields go (to be refused by its version), so its encoding may be shorter.
    const auto again = nc::detail::encode(message);
    const auto* hello = std::get_if<nc::detail::Hello>(&message);
    const bool newer = hello != nullptr && hello->protocol > nc::detail::kProtocolVersion;
    if (newer ? again.size() > size : again.size() != size) __builtin_trap();
  } catch (const nc::ProtocolError&) {
  }
  return 0;
}
