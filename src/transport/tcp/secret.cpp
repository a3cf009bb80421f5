#include "transport/tcp/secret.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "node_crunch/build_config.hpp"
#include "node_crunch/error.hpp"
#include "transport/tcp/frame.hpp"

#if NC_HAVE_SODIUM
#include <sodium.h>
#endif

namespace nc::detail {
namespace {

constexpr std::size_t kShortestSecret = 16;

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

std::string read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read the secret file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return trim(text.str());
}

#if NC_HAVE_SODIUM
void ensure_sodium() {
  if (sodium_init() < 0) throw TransportError("libsodium could not be initialised");
}

// BLAKE2b keyed with `key` over a label and the two nonces.
Key keyed_hash(const Key& key, const char* label, const Nonce& server, const Nonce& client) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), 32);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(label),
                            std::strlen(label));
  crypto_generichash_update(&state, server.data(), server.size());
  crypto_generichash_update(&state, client.data(), client.size());
  Key out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

Proof hmac(const Key& key, const char* label, const Nonce& server, const Nonce& client) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(label),
                                std::strlen(label));
  crypto_auth_hmacsha256_update(&state, server.data(), server.size());
  crypto_auth_hmacsha256_update(&state, client.data(), client.size());
  Proof out{};
  crypto_auth_hmacsha256_final(&state, out.data());
  return out;
}

std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> counter_nonce(
    std::uint64_t counter) {
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  for (int i = 0; i < 8; ++i)
    nonce[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter >> (8 * i));
  return nonce;
}
#else
[[noreturn]] void no_crypto() {
  throw UsageError("this build has no libsodium: shared secrets and encryption are not available");
}
#endif

}  // namespace

bool crypto_available() {
  return NC_HAVE_SODIUM != 0;
}

Key key_from_secret(const std::string& secret) {
  if (secret.size() < kShortestSecret) {
    throw UsageError("the shared secret has " + std::to_string(secret.size()) +
                     " characters; use at least " + std::to_string(kShortestSecret) +
                     " (e.g. openssl rand -hex 32 > secret)");
  }
#if NC_HAVE_SODIUM
  ensure_sodium();
  Key key{};
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
  return key;
#else
  no_crypto();
#endif
}

// A variable that is set but empty is refused, not read as "no secret": it is what
// NC_SECRET=$(cat missing-file) gives, from someone who meant to have one.
std::optional<Key> load_secret(const Configuration& config) {
  if (!config.secret_file.empty()) return key_from_secret(read_secret_file(config.secret_file));
  if (const char* file = std::getenv("NC_SECRET_FILE"); file != nullptr) {
    if (*file == '\0') {
      throw UsageError(
          "NC_SECRET_FILE is set but empty: name the file that holds the shared secret, or unset "
          "NC_SECRET_FILE to run without a secret");
    }
    return key_from_secret(read_secret_file(file));
  }
  if (const char* secret = std::getenv("NC_SECRET"); secret != nullptr) {
    if (trim(secret).empty()) {
      throw UsageError(
          "NC_SECRET is set but empty: give it the shared secret, or unset NC_SECRET to run "
          "without a secret");
    }
    return key_from_secret(trim(secret));
  }
  return std::nullopt;
}

#if NC_HAVE_SODIUM
Nonce random_nonce() {
  ensure_sodium();
  Nonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return nonce;
}

Proof client_proof(const Key& key, const Nonce& server, const Nonce& client) {
  return hmac(key, "nc client", server, client);
}

std::string dashboard_token(const Key& key) {
  ensure_sodium();
  static constexpr std::string_view kLabel = "nc dashboard";
  std::array<unsigned char, 16> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(kLabel.data()), kLabel.size(),
                     key.data(), key.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (const unsigned char byte : digest) {
    token += kHex[byte >> 4];
    token += kHex[byte & 0xf];
  }
  return token;
}

Proof server_proof(const Key& key, const Nonce& server, const Nonce& client) {
  return hmac(key, "nc server", server, client);
}

bool proof_matches(const Proof& expected, ByteSpan received) {
  return received.size() == expected.size() &&
         sodium_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

SessionKeys session_keys(const Key& key, const Nonce& server, const Nonce& client) {
  return {keyed_hash(key, "nc c2s", server, client), keyed_hash(key, "nc s2c", server, client)};
}

void FrameSealer::seal(Bytes& frame) {
  const std::size_t payload = frame.size() - kFrameHeaderSize;
  frame.resize(frame.size() + kSealTagSize);
  auto* text = reinterpret_cast<unsigned char*>(frame.data() + kFrameHeaderSize);
  const auto nonce = counter_nonce(counter_++);
  unsigned long long tag_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
      text, text + payload, &tag_length, text, payload,
      reinterpret_cast<const unsigned char*>(frame.data()), kFrameHeaderSize, nullptr, nonce.data(),
      key_.data());
}

std::size_t FrameOpener::open(ByteSpan header, std::span<std::byte> payload) {
  if (payload.size() < kSealTagSize) throw ProtocolError("a sealed frame is shorter than its tag");
  const std::size_t length = payload.size() - kSealTagSize;
  auto* text = reinterpret_cast<unsigned char*>(payload.data());
  const auto nonce = counter_nonce(counter_++);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
          text, nullptr, text, length, text + length,
          reinterpret_cast<const unsigned char*>(header.data()), header.size(), nonce.data(),
          key_.data()) != 0) {
    throw ProtocolError(
        "a frame failed authentication (forged, altered, replayed or out of order)");
  }
  return length;
}
#else
Nonce random_nonce() {
  no_crypto();
}
Proof client_proof(const Key&, const Nonce&, const Nonce&) {
  no_crypto();
}
Proof server_proof(const Key&, const Nonce&, const Nonce&) {
  no_crypto();
}
std::string dashboard_token(const Key&) {
  no_crypto();
}
bool proof_matches(const Proof&, ByteSpan) {
  no_crypto();
}
SessionKeys session_keys(const Key&, const Nonce&, const Nonce&) {
  no_crypto();
}
void FrameSealer::seal(Bytes&) {
  no_crypto();
}
std::size_t FrameOpener::open(ByteSpan, std::span<std::byte>) {
  no_crypto();
}
#endif

}  // namespace nc::detail
