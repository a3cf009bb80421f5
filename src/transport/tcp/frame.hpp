#pragma once
// The TCP wire format: every message travels in a frame with a fixed 16-byte header.
//
//   offset  size  field
//        0     4  magic "NCRN"
//        4     1  version (1)
//        5     1  kind: a message type (1..13) or a handshake step (0x40..0x43)
//        6     2  flags, little-endian: bit 0 = the payload is sealed (encrypted + authenticated)
//        8     8  payload length, little-endian
//       16     n  payload: the message's encoding (core/message.hpp), or its sealed form
//
// A header is checked before anything is allocated for its payload: a wrong magic, version
// or kind, unknown flags, or a length above the limit ends the connection. Changing any of
// this changes the protocol: bump kFrameVersion and the golden-bytes test.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "core/message.hpp"
#include "node_crunch/bytes.hpp"
#include "transport/tcp/receive_budget.hpp"

namespace nc::detail {

inline constexpr std::array<std::byte, 4> kFrameMagic{std::byte{'N'}, std::byte{'C'},
                                                      std::byte{'R'}, std::byte{'N'}};
inline constexpr std::uint8_t kFrameVersion = 1;
inline constexpr std::size_t kFrameHeaderSize = 16;
inline constexpr std::uint16_t kFrameSealed = 1;
/// A payload this small takes nothing from a receive budget: it costs no more than the read
/// buffer every connection has anyway (heartbeats, requests and handshakes go on under load).
inline constexpr std::uint64_t kSmallPayload = 4096;

/// Handshake steps (they travel before, and outside, the engine's messages).
enum class HandshakeKind : std::uint8_t {
  server_hello = 0x40,  // server -> node: whether a secret is needed, and a fresh nonce
  client_proof = 0x41,  // node -> server: its nonce and the proof that it knows the secret
  server_proof = 0x42,  // server -> node: the proof that the server knows it too
  refused = 0x43,       // server -> node: why the connection is refused (wrong secret, ...)
};

struct FrameHeader {
  std::uint8_t kind = 0;
  std::uint16_t flags = 0;
  std::uint64_t length = 0;
  bool operator==(const FrameHeader&) const = default;
};

/// Appends a header to `out`.
void put_frame_header(Bytes& out, const FrameHeader& header);
/// Writes a header over the kFrameHeaderSize bytes at `at`.
void write_frame_header(std::byte* at, const FrameHeader& header);
/// Reads and checks a header; throws ProtocolError saying what is wrong with it.
[[nodiscard]] FrameHeader read_frame_header(ByteSpan bytes, std::uint64_t max_length);
[[nodiscard]] bool is_message_kind(std::uint8_t kind);
[[nodiscard]] bool is_handshake_kind(std::uint8_t kind);

/// A whole frame as received.
struct Frame {
  FrameHeader header;
  Bytes header_bytes;     // as received: the sealed payload is authenticated together with it
  ReceiveBuffer payload;  // opened in place, if sealed
};

/// Cuts a byte stream into frames as it arrives, in pieces of any size. Allocates a payload
/// only after its header passed the checks, so its memory is bounded by the length limit; with a
/// receive budget, a payload above kSmallPayload is allocated only once the budget has room for
/// it, and holds its share until the frame is whole.
///
/// Bytes come either through feed() (copied out of the caller's read buffer), or, for the
/// payload now arriving, straight into its place: the caller receives into direct() and says
/// how much with filled(). Large payloads take the second way and are never copied.
class FrameReader {
 public:
  explicit FrameReader(std::uint64_t max_length, std::shared_ptr<ReceiveBudget> budget = nullptr)
      : max_length_(max_length), budget_(std::move(budget)) {}
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;
  ~FrameReader() { stop_waiting(); }

  /// Takes the next bytes of the stream and returns how many it took. It stops after a whole
  /// frame, until next() has taken it: the caller acts on each frame (a new length limit once
  /// the handshake is done) before the next header is checked. It also stops while a payload
  /// waits for room in the budget (waiting()). The rest must be fed again. Throws ProtocolError
  /// on a bad header.
  std::size_t feed(ByteSpan bytes);
  /// Where the rest of the payload now arriving goes; empty between payloads.
  [[nodiscard]] std::span<std::byte> direct();
  /// `count` bytes (at most direct().size()) were written at the start of direct().
  void filled(std::size_t count);
  /// The next complete frame, if there is one.
  [[nodiscard]] std::optional<Frame> next();
  /// True while a frame has started but not ended.
  [[nodiscard]] bool in_frame() const {
    return !header_.empty() || partial_.has_value() || waiting_.has_value();
  }
  /// True while a payload's header has arrived but the budget has no room for it yet.
  [[nodiscard]] bool waiting() const { return waiting_.has_value(); }
  /// Calls `ready` once the waiting payload has its room (from the budget's give-back: it must
  /// not re-enter the reader's caller); feed() then takes bytes again.
  void when_room(std::function<void()> ready);
  /// Forgets a request for room (the connection is closing).
  void stop_waiting();
  void set_max_length(std::uint64_t max_length) { max_length_ = max_length; }
  [[nodiscard]] std::uint64_t max_length() const { return max_length_; }

 private:
  void start_payload(Frame frame, ReceiveBudget::Lease lease);
  void complete_if_whole();

  std::uint64_t max_length_;
  std::shared_ptr<ReceiveBudget> budget_;
  Bytes header_;                  // header bytes received so far
  std::optional<Frame> partial_;  // a frame whose payload is arriving
  std::size_t received_ = 0;      // of partial_'s payload
  ReceiveBudget::Lease lease_;    // partial_'s share of the budget
  std::optional<Frame> waiting_;  // a frame whose payload waits for room in the budget
  std::optional<ReceiveBudget::WaitID> wait_id_;
  std::deque<Frame> ready_;
};

}  // namespace nc::detail
