#include "core/message.hpp"
#include "core/overloaded.hpp"

#include "core/byte_reader.hpp"
#include "node_crunch/error.hpp"

namespace nc::detail {
namespace {

void put_id(Bytes& out, auto id) {
  put_le<std::uint64_t>(out, id.value());
}
void put_bool(Bytes& out, bool flag) {
  put_le<std::uint8_t>(out, flag ? 1 : 0);
}
bool get_bool(ByteReader& in) {
  const auto raw = in.get<std::uint8_t>();
  if (raw > 1) throw ProtocolError("a flag is neither 0 nor 1");
  return raw == 1;
}
void put_chunk(Bytes& out, std::optional<ChunkID> chunk) {
  put_le<std::uint64_t>(out, chunk ? chunk->value() : kNoChunk);
}
std::optional<ChunkID> get_chunk(ByteReader& in) {
  const auto raw = in.get<std::uint64_t>();
  if (raw == kNoChunk) return std::nullopt;
  return ChunkID{raw};
}

void encode_body(const Message& message, Bytes& out) {
  std::visit(Overloaded{
                 [&](const Hello& m) {
                   put_le(out, m.protocol);
                   put_string(out, m.job);
                   put_id(out, m.previous);
                   put_le(out, m.threads);
                   put_string(out, m.host);
                   put_le(out, m.pid);
                   if (m.protocol >= 2) put_le(out, m.fingerprint);
                   if (m.protocol >= 3) {
                     put_le(out, m.instance);
                     put_le(out, m.token);
                   }
                 },
                 [&](const Welcome& m) {
                   put_id(out, m.node);
                   put_le(out, m.heartbeat_ms);
                   put_le(out, m.results_seen);
                   put_bool(out, m.fresh);
                   put_bool(out, m.initial_data.has_value());
                   if (m.initial_data) put_bytes(out, *m.initial_data);
                   put_le(out, m.instance);
                   put_le(out, m.token);
                 },
                 [&](const Reject& m) { put_string(out, m.reason); },
                 [&](const Request& m) { put_le(out, m.count); },
                 [&](const Tasks& m) {
                   put_le(out, m.results_seen);
                   put_le<std::uint32_t>(out, static_cast<std::uint32_t>(m.items.size()));
                   for (const auto& item : m.items) {
                     put_id(out, item.attempt);
                     put_chunk(out, item.chunk);
                     put_bytes(out, item.payload);
                   }
                 },
                 [&](const Results& m) {
                   put_le(out, m.more);
                   put_le<std::uint32_t>(out, static_cast<std::uint32_t>(m.items.size()));
                   for (const auto& item : m.items) {
                     put_id(out, item.attempt);
                     put_chunk(out, item.chunk);
                     put_le(out, item.compute_us);
                     put_bytes(out, item.payload);
                   }
                 },
                 [&](const Heartbeat&) {},
                 [&](const Finish&) {},
                 [&](const Abort& m) {
                   put_string(out, m.reason);
                   put_bool(out, m.interrupted);
                 },
                 [&](const TaskFailed& m) {
                   put_id(out, m.attempt);
                   put_string(out, m.what);
                 },
                 [&](const Bye&) {},
                 [&](const StatusRequest&) {},
                 [&](const StatusReply& m) { put_string(out, m.json); },
             },
             message);
}

std::size_t text_size(const std::string& text) {
  return 4 + text.size();
}

std::size_t body_size(const Message& message) {
  return std::visit(Overloaded{
                        [](const Hello& m) -> std::size_t {
                          return 2 + text_size(m.job) + 8 + 4 + text_size(m.host) + 4 +
                                 (m.protocol >= 2 ? 8 : 0) + (m.protocol >= 3 ? 16 : 0);
                        },
                        [](const Welcome& m) -> std::size_t {
                          return 8 + 4 + 8 + 1 + 1 +
                                 (m.initial_data ? 8 + m.initial_data->size() : 0) + 16;
                        },
                        [](const Reject& m) -> std::size_t { return text_size(m.reason); },
                        [](const Request&) -> std::size_t { return 4; },
                        [](const Tasks& m) -> std::size_t {
                          std::size_t size = 8 + 4;
                          for (const auto& item : m.items)
                            size += 8 + 8 + 8 + item.payload.size();
                          return size;
                        },
                        [](const Results& m) -> std::size_t {
                          std::size_t size = 4 + 4;
                          for (const auto& item : m.items)
                            size += 8 + 8 + 8 + 8 + item.payload.size();
                          return size;
                        },
                        [](const Abort& m) -> std::size_t { return text_size(m.reason) + 1; },
                        [](const TaskFailed& m) -> std::size_t { return 8 + text_size(m.what); },
                        [](const StatusReply& m) -> std::size_t { return text_size(m.json); },
                        [](const auto&) -> std::size_t { return 0; },  // no fields
                    },
                    message);
}

// A payload: a view into the frame if `owner` keeps the frame alive, else a copy.
Payload get_payload(ByteReader& in, const std::shared_ptr<const void>* owner) {
  if (owner == nullptr) return in.get_bytes();
  return Payload(*owner, in.get_span());
}

Message decode_body(MessageType type, ByteReader& in, const std::shared_ptr<const void>* owner) {
  switch (type) {
    case MessageType::hello: {
      Hello m;
      m.protocol = in.get<std::uint16_t>();
      m.job = in.get_string();
      m.previous = NodeID{in.get<std::uint64_t>()};
      m.threads = in.get<std::uint32_t>();
      m.host = in.get_string();
      m.pid = in.get<std::uint32_t>();
      if (m.protocol >= 2) m.fingerprint = in.get<std::uint64_t>();
      if (m.protocol >= 3) {
        m.instance = in.get<std::uint64_t>();
        m.token = in.get<std::uint64_t>();
      }
      return m;
    }
    case MessageType::welcome: {
      Welcome m;
      m.node = NodeID{in.get<std::uint64_t>()};
      m.heartbeat_ms = in.get<std::uint32_t>();
      m.results_seen = in.get<std::uint64_t>();
      m.fresh = get_bool(in);
      if (get_bool(in)) m.initial_data = in.get_bytes();
      m.instance = in.get<std::uint64_t>();
      m.token = in.get<std::uint64_t>();
      return m;
    }
    case MessageType::reject:
      return Reject{in.get_string()};
    case MessageType::request:
      return Request{in.get<std::uint32_t>()};
    case MessageType::tasks: {
      Tasks m;
      m.results_seen = in.get<std::uint64_t>();
      const auto count = in.get_count(24);  // attempt + chunk + length
      m.items.reserve(count);
      for (std::uint32_t i = 0; i < count; ++i) {
        TaskItem item;
        item.attempt = AttemptID{in.get<std::uint64_t>()};
        item.chunk = get_chunk(in);
        item.payload = get_payload(in, owner);
        m.items.push_back(std::move(item));
      }
      return m;
    }
    case MessageType::results: {
      Results m;
      m.more = in.get<std::uint32_t>();
      const auto count = in.get_count(32);  // attempt + chunk + time + length
      m.items.reserve(count);
      for (std::uint32_t i = 0; i < count; ++i) {
        ResultItem item;
        item.attempt = AttemptID{in.get<std::uint64_t>()};
        item.chunk = get_chunk(in);
        item.compute_us = in.get<std::uint64_t>();
        item.payload = get_payload(in, owner);
        m.items.push_back(std::move(item));
      }
      return m;
    }
    case MessageType::heartbeat:
      return Heartbeat{};
    case MessageType::finish:
      return Finish{};
    case MessageType::abort: {
      Abort m;
      m.reason = in.get_string();
      m.interrupted = get_bool(in);
      return m;
    }
    case MessageType::task_failed: {
      TaskFailed m;
      m.attempt = AttemptID{in.get<std::uint64_t>()};
      m.what = in.get_string();
      return m;
    }
    case MessageType::bye:
      return Bye{};
    case MessageType::status_request:
      return StatusRequest{};
    case MessageType::status_reply:
      return StatusReply{in.get_string()};
  }
  throw ProtocolError("unknown message type " + std::to_string(static_cast<int>(type)));
}

// `owner`: what keeps `bytes` alive, for payloads that point into them; nullptr: copy them.
Message decode_with(ByteSpan bytes, const std::shared_ptr<const void>* owner) {
  ByteReader in(bytes);
  const auto raw_type = in.get<std::uint8_t>();
  if (raw_type < 1 || raw_type > static_cast<std::uint8_t>(MessageType::status_reply)) {
    throw ProtocolError("unknown message type " + std::to_string(raw_type));
  }
  Message message = decode_body(static_cast<MessageType>(raw_type), in, owner);
  // A Hello of a newer protocol may carry fields this one does not know: it is read as far as
  // they go, so that its sender is told that its version is refused, not that it is malformed.
  const auto* hello = std::get_if<Hello>(&message);
  if (hello == nullptr || hello->protocol <= kProtocolVersion) in.expect_end();
  return message;
}

bool carries_payloads(ByteSpan bytes) {
  return !bytes.empty() && (bytes[0] == static_cast<std::byte>(MessageType::tasks) ||
                            bytes[0] == static_cast<std::byte>(MessageType::results));
}

}  // namespace

MessageType type_of(const Message& message) {
  return static_cast<MessageType>(message.index() + 1);
}

const char* name_of(MessageType type) {
  switch (type) {
    case MessageType::hello:
      return "hello";
    case MessageType::welcome:
      return "welcome";
    case MessageType::reject:
      return "reject";
    case MessageType::request:
      return "request";
    case MessageType::tasks:
      return "tasks";
    case MessageType::results:
      return "results";
    case MessageType::heartbeat:
      return "heartbeat";
    case MessageType::finish:
      return "finish";
    case MessageType::abort:
      return "abort";
    case MessageType::task_failed:
      return "task_failed";
    case MessageType::bye:
      return "bye";
    case MessageType::status_request:
      return "status_request";
    case MessageType::status_reply:
      return "status_reply";
  }
  return "unknown";
}

std::size_t encoded_size(const Message& message) {
  return 1 + body_size(message);
}

void encode(const Message& message, Bytes& out) {
  // One allocation, of the right size: growing as the fields come would copy the payloads
  // written so far each time.
  out.reserve(out.size() + encoded_size(message));
  put_le(out, static_cast<std::uint8_t>(type_of(message)));
  encode_body(message, out);
}

Bytes encode(const Message& message) {
  Bytes out;
  encode(message, out);
  return out;
}

Message decode(ByteSpan bytes) {
  return decode_with(bytes, nullptr);
}

Message decode(ByteSpan bytes, const std::shared_ptr<const void>& owner) {
  return decode_with(bytes, &owner);
}

Message decode(const ReceiveBuffer& frame) {
  if (!carries_payloads(frame.bytes())) return decode_with(frame.bytes(), nullptr);
  const auto owner = frame.owner();
  return decode_with(frame.bytes(), &owner);
}

Message decode(Bytes&& frame) {
  // Only tasks and results have payloads to point at; the rest need not share the frame.
  if (!carries_payloads(frame)) return decode_with(frame, nullptr);
  auto shared = std::make_shared<const Bytes>(std::move(frame));
  const ByteSpan bytes(*shared);
  const std::shared_ptr<const void> owner = std::move(shared);
  return decode_with(bytes, &owner);
}

}  // namespace nc::detail
