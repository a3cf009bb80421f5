#pragma once
// The shared secret that TCP nodes and their server prove to each other, and the keys made
// from it. Everything cryptographic is libsodium's: BLAKE2b to derive keys, HMAC-SHA-256 for
// the challenge-response proofs, XChaCha20-Poly1305 to seal every frame.
//
// Handshake (the secret never crosses the wire):
//   server -> node   server_hello: a fresh random nonce S
//   node -> server   client_proof: a fresh random nonce C, HMAC(K, "nc client" S C)
//   server -> node   server_proof: HMAC(K, "nc server" S C)
// where K = BLAKE2b(secret). Each side checks the other's proof; then every frame is sealed
// with a key per direction, BLAKE2b_K("nc c2s" S C) and BLAKE2b_K("nc s2c" S C), and a nonce
// that counts the frames, so a frame cannot be forged, altered, replayed or reordered.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "node_crunch/bytes.hpp"
#include "node_crunch/configuration.hpp"

namespace nc::detail {

using Key = std::array<unsigned char, 32>;
using Nonce = std::array<unsigned char, 32>;
using Proof = std::array<unsigned char, 32>;

/// The secret from --secret-file, $NC_SECRET_FILE or $NC_SECRET (in that order); nullopt
/// if none is set. Throws UsageError if a file cannot be read, the secret is too short, or the
/// variable consulted is set but empty.
std::optional<Key> load_secret(const Configuration& config);
/// The key a secret stands for.
Key key_from_secret(const std::string& secret);

/// True if this build can authenticate and encrypt (libsodium).
bool crypto_available();

Nonce random_nonce();
Proof client_proof(const Key& key, const Nonce& server, const Nonce& client);
Proof server_proof(const Key& key, const Nonce& server, const Nonce& client);
/// Compares in constant time.
bool proof_matches(const Proof& expected, ByteSpan received);

struct SessionKeys {
  Key client_to_server;
  Key server_to_client;
};
SessionKeys session_keys(const Key& key, const Nonce& server, const Nonce& client);
/// The dashboard's access token for a job with this key (BLAKE2b_K("nc dashboard"), 32 hex
/// digits): whoever holds the secret can compute it; it gives away nothing of the key.
std::string dashboard_token(const Key& key);

/// Seals the frames of one direction: header and payload authenticated, payload encrypted.
class FrameSealer {
 public:
  explicit FrameSealer(const Key& key) : key_(key) {}
  /// Encrypts `frame`'s payload (after its 16-byte header, whose length field must already
  /// count the 16-byte tag) in place and appends the tag.
  void seal(Bytes& frame);

 private:
  Key key_;
  std::uint64_t counter_ = 0;
};

/// Opens the frames of one direction; throws ProtocolError on any forgery, change or replay.
class FrameOpener {
 public:
  explicit FrameOpener(const Key& key) : key_(key) {}
  /// Checks and decrypts `payload` (ciphertext and tag) in place; returns the length of the
  /// plain text at its start (the tag's 16 bytes shorter).
  [[nodiscard]] std::size_t open(ByteSpan header, std::span<std::byte> payload);

 private:
  Key key_;
  std::uint64_t counter_ = 0;
};

inline constexpr std::size_t kSealTagSize = 16;

}  // namespace nc::detail
