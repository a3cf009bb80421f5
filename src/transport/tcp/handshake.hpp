#pragma once
// Both sides of the TCP handshake (see secret.hpp for the protocol). Without a secret the
// handshake only agrees on that; with one, each side proves it knows it and the connection is
// sealed. A node with a secret refuses a server that does not ask for one: it would hand its
// work to whoever listens on that address.

#include <optional>
#include <string>

#include "transport/tcp/connection.hpp"
#include "transport/tcp/secret.hpp"

namespace nc::detail {

enum class HandshakeOutcome { pending, ready, failed };

/// The server's side: greet, check the node's proof, prove back, seal.
class ServerHandshake {
 public:
  explicit ServerHandshake(const std::optional<Key>& key) : key_(key) {}
  /// Sends server_hello.
  void begin(TcpConnection& connection);
  HandshakeOutcome on_frame(TcpConnection& connection, const Frame& frame);
  /// Why it failed, for the log.
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  const std::optional<Key>& key_;
  Nonce server_nonce_{};
  std::string error_;
};

/// The node's (and the status client's) side: answer the greeting, check the server's proof.
class ClientHandshake {
 public:
  ClientHandshake(const std::optional<Key>& key, std::string server)
      : key_(key), server_(std::move(server)) {}
  HandshakeOutcome on_frame(TcpConnection& connection, const Frame& frame);
  [[nodiscard]] const std::string& error() const { return error_; }
  /// True if the failure will not go away by trying again (wrong or missing secret).
  [[nodiscard]] bool permanent() const { return permanent_; }

 private:
  HandshakeOutcome fail(const std::string& why, bool permanent);

  const std::optional<Key>& key_;
  std::string server_;
  Nonce server_nonce_{};
  Nonce client_nonce_{};
  bool greeted_ = false;
  std::string error_;
  bool permanent_ = false;
};

/// The largest frame either side accepts before the handshake is done (a proof is 64 bytes, a
/// refusal's text less than 100).
inline constexpr std::uint64_t kHandshakeFrameLimit = 256;
/// The largest frame a server accepts after the handshake and before a node has registered on
/// the connection: a hello (its names are at most 255 bytes each: about 550 bytes sealed) or a
/// status request. No more than the read buffer every connection has anyway.
inline constexpr std::uint64_t kRegistrationFrameLimit = 4096;

}  // namespace nc::detail
