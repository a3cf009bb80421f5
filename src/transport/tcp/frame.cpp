#include "transport/tcp/frame.hpp"

#include <algorithm>
#include <string>

#include "core/copy_count.hpp"
#include "core/message.hpp"
#include "node_crunch/error.hpp"

namespace nc::detail {

bool is_message_kind(std::uint8_t kind) {
  return kind >= static_cast<std::uint8_t>(MessageType::hello) &&
         kind <= static_cast<std::uint8_t>(MessageType::status_reply);
}

bool is_handshake_kind(std::uint8_t kind) {
  return kind >= static_cast<std::uint8_t>(HandshakeKind::server_hello) &&
         kind <= static_cast<std::uint8_t>(HandshakeKind::refused);
}

void write_frame_header(std::byte* at, const FrameHeader& header) {
  std::copy(kFrameMagic.begin(), kFrameMagic.end(), at);
  store_le<std::uint8_t>(at + 4, kFrameVersion);
  store_le<std::uint8_t>(at + 5, header.kind);
  store_le<std::uint16_t>(at + 6, header.flags);
  store_le<std::uint64_t>(at + 8, header.length);
}

void put_frame_header(Bytes& out, const FrameHeader& header) {
  out.resize(out.size() + kFrameHeaderSize);
  write_frame_header(out.data() + out.size() - kFrameHeaderSize, header);
}

FrameHeader read_frame_header(ByteSpan bytes, std::uint64_t max_length) {
  if (bytes.size() < kFrameHeaderSize) throw ProtocolError("a frame header is cut short");
  if (!std::equal(kFrameMagic.begin(), kFrameMagic.end(), bytes.begin())) {
    throw ProtocolError("wrong magic number: not a node_crunch peer");
  }
  const auto version = load_le<std::uint8_t>(bytes.data() + 4);
  if (version != kFrameVersion) {
    throw ProtocolError("frame version " + std::to_string(version) + " (this program speaks " +
                        std::to_string(kFrameVersion) + ")");
  }
  FrameHeader header;
  header.kind = load_le<std::uint8_t>(bytes.data() + 5);
  header.flags = load_le<std::uint16_t>(bytes.data() + 6);
  header.length = load_le<std::uint64_t>(bytes.data() + 8);
  if (!is_message_kind(header.kind) && !is_handshake_kind(header.kind)) {
    throw ProtocolError("unknown frame kind " + std::to_string(header.kind));
  }
  if ((header.flags & ~kFrameSealed) != 0)
    throw ProtocolError("unknown frame flags " + std::to_string(header.flags));
  if (header.length > max_length) {
    throw ProtocolError("a frame of " + std::to_string(header.length) +
                        " bytes, above the limit of " + std::to_string(max_length));
  }
  return header;
}

std::size_t FrameReader::feed(ByteSpan bytes) {
  const std::size_t given = bytes.size();
  while (!bytes.empty() && !waiting_ && ready_.empty()) {
    if (!partial_) {
      const std::size_t take = std::min(kFrameHeaderSize - header_.size(), bytes.size());
      header_.insert(header_.end(), bytes.begin(),
                     bytes.begin() + static_cast<std::ptrdiff_t>(take));
      bytes = bytes.subspan(take);
      if (header_.size() < kFrameHeaderSize) break;
      Frame frame;
      frame.header = read_frame_header(header_, max_length_);
      frame.header_bytes = std::move(header_);
      header_.clear();
      if (!budget_ || frame.header.length <= kSmallPayload) {
        start_payload(std::move(frame), {});
      } else if (frame.header.length > budget_->capacity()) {
        throw ProtocolError("a frame of " + std::to_string(frame.header.length) +
                            " bytes, above the whole receive budget of " +
                            std::to_string(budget_->capacity()));
      } else if (auto lease = budget_->try_take(frame.header.length)) {
        start_payload(std::move(frame), std::move(*lease));
      } else {
        waiting_ = std::move(frame);
        break;
      }
    }
    const auto into = direct();
    const std::size_t take = std::min(into.size(), bytes.size());
    std::copy_n(bytes.begin(), take, into.begin());
    copy_count::add(take);
    bytes = bytes.subspan(take);
    received_ += take;
    complete_if_whole();
  }
  return given - bytes.size();
}

void FrameReader::start_payload(Frame frame, ReceiveBudget::Lease lease) {
  frame.payload = ReceiveBuffer(static_cast<std::size_t>(frame.header.length));
  partial_ = std::move(frame);
  received_ = 0;
  lease_ = std::move(lease);
  complete_if_whole();  // an empty payload is whole at once
}

void FrameReader::when_room(std::function<void()> ready) {
  if (!waiting_ || wait_id_) return;
  const auto id = budget_->wait(waiting_->header.length,
                                [this, ready = std::move(ready)](ReceiveBudget::Lease lease) {
                                  wait_id_.reset();
                                  Frame frame = std::move(*waiting_);
                                  waiting_.reset();
                                  start_payload(std::move(frame), std::move(lease));
                                  ready();
                                });
  if (waiting_) wait_id_ = id;  // else it had room at once
}

void FrameReader::stop_waiting() {
  if (wait_id_ && budget_) budget_->cancel(*wait_id_);
  wait_id_.reset();
}

std::span<std::byte> FrameReader::direct() {
  if (!partial_) return {};
  return partial_->payload.writable().subspan(received_);
}

void FrameReader::filled(std::size_t count) {
  if (!partial_ || count > partial_->payload.size() - received_)
    throw ProtocolError("more payload bytes than the frame has room for");
  received_ += count;
  complete_if_whole();
}

void FrameReader::complete_if_whole() {
  if (!partial_ || received_ != partial_->payload.size()) return;
  ready_.push_back(std::move(*partial_));
  partial_.reset();
  lease_.reset();  // a whole frame is the engine's now, not a frame in flight
}

std::optional<Frame> FrameReader::next() {
  if (ready_.empty()) return std::nullopt;
  Frame frame = std::move(ready_.front());
  ready_.pop_front();
  return frame;
}

}  // namespace nc::detail
