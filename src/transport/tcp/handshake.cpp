#include "transport/tcp/handshake.hpp"

#include <algorithm>

namespace nc::detail {
namespace {

Bytes concat(std::initializer_list<ByteSpan> parts) {
  Bytes out;
  for (const auto part : parts)
    out.insert(out.end(), part.begin(), part.end());
  return out;
}
template <std::size_t N>
ByteSpan span_of(const std::array<unsigned char, N>& data) {
  return ByteSpan(reinterpret_cast<const std::byte*>(data.data()), N);
}
template <std::size_t N>
std::array<unsigned char, N> array_from(ByteSpan bytes) {
  std::array<unsigned char, N> out{};
  std::copy_n(reinterpret_cast<const unsigned char*>(bytes.data()), N, out.begin());
  return out;
}
bool is(const Frame& frame, HandshakeKind kind) {
  return frame.header.kind == static_cast<std::uint8_t>(kind);
}

}  // namespace

void ServerHandshake::begin(TcpConnection& connection) {
  // Without a secret the nonce only fills its place in the greeting.
  if (key_) server_nonce_ = random_nonce();
  const std::byte needs_secret{static_cast<unsigned char>(key_ ? 1 : 0)};
  connection.send_handshake(HandshakeKind::server_hello,
                            concat({ByteSpan(&needs_secret, 1), span_of(server_nonce_)}));
}

HandshakeOutcome ServerHandshake::on_frame(TcpConnection& connection, const Frame& frame) {
  if (!is(frame, HandshakeKind::client_proof)) {
    error_ = is_message_kind(frame.header.kind) ? "sent a message before the handshake"
                                                : "broke the handshake";
    return HandshakeOutcome::failed;
  }
  if (!key_) {
    if (!frame.payload.empty()) {
      error_ = "offered a secret, but this server has none";
      connection.send_handshake(
          HandshakeKind::refused,
          concat({ByteSpan(reinterpret_cast<const std::byte*>(error_.data()), error_.size())}));
      return HandshakeOutcome::failed;
    }
    return HandshakeOutcome::ready;
  }
  if (frame.payload.size() != 64) {
    error_ = frame.payload.empty() ? "has no secret" : "sent a malformed proof";
  } else {
    const auto client_nonce = array_from<32>(ByteSpan(frame.payload).first(32));
    if (proof_matches(client_proof(*key_, server_nonce_, client_nonce),
                      ByteSpan(frame.payload).subspan(32))) {
      connection.send_handshake(
          HandshakeKind::server_proof,
          concat({span_of(server_proof(*key_, server_nonce_, client_nonce))}));
      const auto keys = session_keys(*key_, server_nonce_, client_nonce);
      connection.seal(keys.server_to_client, keys.client_to_server);
      return HandshakeOutcome::ready;
    }
    error_ = "does not know the secret";
  }
  const std::string told = "authentication failed";
  connection.send_handshake(HandshakeKind::refused,
                            Bytes(reinterpret_cast<const std::byte*>(told.data()),
                                  reinterpret_cast<const std::byte*>(told.data()) + told.size()));
  return HandshakeOutcome::failed;
}

HandshakeOutcome ClientHandshake::fail(const std::string& why, bool permanent) {
  error_ = why;
  permanent_ = permanent;
  return HandshakeOutcome::failed;
}

HandshakeOutcome ClientHandshake::on_frame(TcpConnection& connection, const Frame& frame) {
  if (is(frame, HandshakeKind::refused)) {
    const std::string text(reinterpret_cast<const char*>(frame.payload.data()),
                           frame.payload.size());
    return fail("the server at " + server_ + " refused this node: " + text +
                    (key_ ? " (is the secret the same on both sides?)" : ""),
                true);
  }
  if (!greeted_) {
    if (!is(frame, HandshakeKind::server_hello) || frame.payload.size() != 33) {
      return fail(server_ + " did not greet like a node_crunch server", false);
    }
    greeted_ = true;
    const bool needs_secret = frame.payload[0] == std::byte{1};
    if (needs_secret && !key_) {
      return fail("the server at " + server_ +
                      " needs the shared secret: give it with --secret-file or NC_SECRET",
                  true);
    }
    if (!needs_secret && key_) {
      return fail("the server at " + server_ +
                      " does not ask for a secret, but this node has one: it will not "
                      "work for a server that cannot prove who it is",
                  true);
    }
    if (!key_) {
      connection.send_handshake(HandshakeKind::client_proof, {});
      return HandshakeOutcome::ready;
    }
    server_nonce_ = array_from<32>(ByteSpan(frame.payload).subspan(1));
    client_nonce_ = random_nonce();
    connection.send_handshake(HandshakeKind::client_proof,
                              concat({span_of(client_nonce_),
                                      span_of(client_proof(*key_, server_nonce_, client_nonce_))}));
    return HandshakeOutcome::pending;
  }
  if (!is(frame, HandshakeKind::server_proof)) return fail(server_ + " broke the handshake", false);
  if (!proof_matches(server_proof(*key_, server_nonce_, client_nonce_), frame.payload)) {
    return fail("the server at " + server_ + " does not know the secret", true);
  }
  const auto keys = session_keys(*key_, server_nonce_, client_nonce_);
  connection.seal(keys.client_to_server, keys.server_to_client);
  return HandshakeOutcome::ready;
}

}  // namespace nc::detail
