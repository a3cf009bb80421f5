// The TCP handshake's cryptography: proofs, session keys, and sealed frames that cannot be
// forged, altered, replayed or reordered.
#include <catch2/catch.hpp>

#include "core/message.hpp"
#include "node_crunch/error.hpp"
#include "transport/tcp/frame.hpp"
#include "transport/tcp/secret.hpp"

using namespace nc::detail;

namespace {
nc::Bytes sealed_frame(FrameSealer& sealer, const Message& message) {
  nc::Bytes frame;
  nc::Bytes payload = encode(message);
  put_frame_header(frame, FrameHeader{static_cast<std::uint8_t>(type_of(message)), kFrameSealed,
                                      payload.size() + kSealTagSize});
  frame.insert(frame.end(), payload.begin(), payload.end());
  sealer.seal(frame);
  return frame;
}
Message open_frame(FrameOpener& opener, const nc::Bytes& frame) {
  nc::Bytes payload(frame.begin() + kFrameHeaderSize, frame.end());
  payload.resize(opener.open(nc::ByteSpan(frame).first(kFrameHeaderSize), payload));
  return decode(nc::ByteSpan(payload));
}
nc::ByteSpan view(const Proof& proof) {
  return nc::ByteSpan(reinterpret_cast<const std::byte*>(proof.data()), proof.size());
}
}  // namespace

TEST_CASE("both sides prove the secret to each other without sending it", "[tcp][crypto]") {
  REQUIRE(crypto_available());
  const Key key = key_from_secret("correct horse battery staple");
  const Key other = key_from_secret("incorrect horse battery staple");
  const Nonce s = random_nonce();
  const Nonce c = random_nonce();
  CHECK(s != c);
  CHECK(proof_matches(client_proof(key, s, c), view(client_proof(key, s, c))));
  CHECK_FALSE(proof_matches(client_proof(key, s, c), view(client_proof(other, s, c))));
  CHECK_FALSE(
      proof_matches(client_proof(key, s, c), view(server_proof(key, s, c))));  // roles differ
  CHECK_FALSE(proof_matches(client_proof(key, s, c), view(client_proof(key, c, s))));
  CHECK_FALSE(proof_matches(client_proof(key, s, c),
                            nc::ByteSpan(view(client_proof(key, s, c))).first(31)));
  const auto keys = session_keys(key, s, c);
  CHECK(keys.client_to_server != keys.server_to_client);
  CHECK_THROWS_WITH(key_from_secret("short"), Catch::Contains("at least 16"));
}

TEST_CASE("sealed frames open only once, in order, unaltered", "[tcp][crypto]") {
  const Key key = key_from_secret("0123456789abcdef0123456789abcdef");
  FrameSealer sealer(key);
  FrameOpener opener(key);
  const Message first = Request{3};
  const Message second = Abort{"over"};
  const auto f1 = sealed_frame(sealer, first);
  const auto f2 = sealed_frame(sealer, second);
  CHECK(nc::Bytes(f1.begin() + kFrameHeaderSize, f1.end() - kSealTagSize) !=
        encode(first));  // encrypted
  CHECK(open_frame(opener, f1) == first);
  CHECK(open_frame(opener, f2) == second);

  FrameOpener replay(key);
  CHECK(open_frame(replay, f1) == first);
  CHECK_THROWS_WITH(open_frame(replay, f1),
                    Catch::Contains("failed authentication"));  // the same frame again

  FrameOpener reorder(key);
  CHECK_THROWS_AS(open_frame(reorder, f2), nc::ProtocolError);

  for (const std::size_t at :
       {std::size_t{5}, kFrameHeaderSize, f1.size() - 1}) {  // header, payload, tag
    auto altered = f1;
    altered[at] ^= std::byte{1};
    FrameOpener fresh(key);
    CHECK_THROWS_AS(open_frame(fresh, altered), nc::ProtocolError);
  }
  FrameOpener wrong_key(key_from_secret("another secret that is long enough"));
  CHECK_THROWS_AS(open_frame(wrong_key, f1), nc::ProtocolError);
}
