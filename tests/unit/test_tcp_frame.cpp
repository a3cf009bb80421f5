// The TCP frame: its header bytes are pinned, and the reader cuts any byte stream into frames
// while refusing bad headers before allocating anything for them.
#include <catch2/catch.hpp>

#include <string>

#include "core/message.hpp"
#include "node_crunch/error.hpp"
#include "scratch.hpp"
#include "transport/tcp/frame.hpp"

using namespace nc::detail;

namespace {
using test::hex;
nc::Bytes frame_of(const Message& message) {
  nc::Bytes payload = encode(message);
  nc::Bytes frame;
  put_frame_header(frame,
                   FrameHeader{static_cast<std::uint8_t>(type_of(message)), 0, payload.size()});
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}
}  // namespace

TEST_CASE("golden bytes of a frame header", "[tcp][golden]") {
  nc::Bytes out;
  put_frame_header(out, FrameHeader{4, 1, 0x0102});
  CHECK(hex(out) ==
        "4e43524e"
        "01"
        "04"
        "0100"
        "0201000000000000");
  CHECK(hex(frame_of(Request{7})) ==
        "4e43524e"
        "01"
        "04"
        "0000"
        "0500000000000000"
        "04"
        "07000000");
}

TEST_CASE("a stream cut anywhere gives back the same frames", "[tcp]") {
  nc::Bytes stream;
  const std::vector<Message> messages{
      Hello{1, "job", nc::NodeID{0}, 2, "h", 3}, Request{5}, Heartbeat{},
      Results{1, {ResultItem{nc::AttemptID{9}, std::nullopt, 4, nc::Bytes(3000, std::byte{7})}}}};
  for (const auto& m : messages) {
    const auto frame = frame_of(m);
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  for (const std::size_t piece :
       {std::size_t{1}, std::size_t{7}, std::size_t{16}, std::size_t{1000}, stream.size()}) {
    FrameReader reader(1 << 20);
    std::vector<Message> got;
    for (std::size_t at = 0; at < stream.size(); at += piece) {
      auto rest = nc::ByteSpan(stream).subspan(at, std::min(piece, stream.size() - at));
      for (;;) {  // the reader stops after each whole frame until it is taken
        rest = rest.subspan(reader.feed(rest));
        auto frame = reader.next();
        if (!frame) break;
        got.push_back(decode(frame->payload));
      }
      CHECK(rest.empty());
    }
    CHECK(got == messages);
    CHECK_FALSE(reader.in_frame());
  }
}

TEST_CASE("bad headers are refused before anything is allocated", "[tcp]") {
  FrameReader reader(1024);
  nc::Bytes junk{std::byte{'G'}, std::byte{'E'}, std::byte{'T'}, std::byte{' '}};
  junk.resize(16, std::byte{'/'});
  CHECK_THROWS_WITH(reader.feed(junk), Catch::Contains("wrong magic"));

  auto wrong_version = frame_of(Heartbeat{});
  wrong_version[4] = std::byte{9};
  CHECK_THROWS_WITH(FrameReader(1024).feed(wrong_version), Catch::Contains("frame version 9"));

  nc::Bytes huge;
  put_frame_header(huge, FrameHeader{5, 0, std::uint64_t{4} << 30});  // 4 GiB
  CHECK_THROWS_WITH(FrameReader(1024).feed(huge), Catch::Contains("above the limit"));

  nc::Bytes unknown;
  put_frame_header(unknown, FrameHeader{99, 0, 0});
  CHECK_THROWS_WITH(FrameReader(1024).feed(unknown), Catch::Contains("unknown frame kind 99"));
  nc::Bytes flags;
  put_frame_header(flags, FrameHeader{7, 6, 0});
  CHECK_THROWS_WITH(FrameReader(1024).feed(flags), Catch::Contains("unknown frame flags"));

  FrameReader cut(1024);
  const auto frame = frame_of(Request{1});
  cut.feed(nc::ByteSpan(frame).first(frame.size() - 1));
  CHECK_FALSE(cut.next());
  CHECK(cut.in_frame());  // a frame cut in the middle waits; the connection's deadline ends it
}
