// Every message type: it survives a round trip, and its bytes are pinned (golden bytes), so a
// change of the wire format cannot pass unnoticed.
#include <catch2/catch.hpp>

#include <string>

#include "core/message.hpp"
#include "node_crunch/error.hpp"
#include "scratch.hpp"

using namespace nc::detail;

namespace {

using test::hex;
nc::Bytes text_bytes(const std::string& text) {
  nc::Bytes out;
  for (char c : text)
    out.push_back(static_cast<std::byte>(c));
  return out;
}

}  // namespace

TEST_CASE("message types keep their numbers", "[message]") {
  CHECK(type_of(Hello{}) == MessageType::hello);
  CHECK(type_of(StatusReply{}) == MessageType::status_reply);
  CHECK(static_cast<int>(type_of(Results{})) == 6);
  CHECK(std::string(name_of(MessageType::task_failed)) == "task_failed");
}

TEST_CASE("golden bytes of every message type", "[message][golden]") {
  Hello hello{1, "mandel", nc::NodeID{0x0102}, 2, "h", 9};
  CHECK(hex(encode(hello)) ==
        "01"
        "0100"
        "06000000"
        "6d616e64656c"
        "0201000000000000"
        "02000000"
        "01000000"
        "68"
        "09000000");
  // Protocol 2 adds the job's type fingerprint at the end.
  Hello hello2{2, "pi", nc::NodeID{0}, 1, "h", 9, 0x1122334455667788};
  CHECK(hex(encode(hello2)) ==
        "01"
        "0200"
        "02000000"
        "7069"
        "0000000000000000"
        "01000000"
        "01000000"
        "68"
        "09000000"
        "8877665544332211");
  // Protocol 3 adds the earlier server run and the token it gave.
  Hello hello3{3, "pi", nc::NodeID{4}, 1, "h", 9, 0x1122334455667788, 0x0a0b, 0x0c0d};
  CHECK(hex(encode(hello3)) ==
        "01"
        "0300"
        "02000000"
        "7069"
        "0400000000000000"
        "01000000"
        "01000000"
        "68"
        "09000000"
        "8877665544332211"
        "0b0a000000000000"
        "0d0c000000000000");
  Welcome welcome{nc::NodeID{3}, 1000, 5, true, text_bytes("ab"), 0x0a0b, 0x0c0d};
  CHECK(hex(encode(welcome)) ==
        "02"
        "0300000000000000"
        "e8030000"
        "0500000000000000"
        "01"
        "01"
        "0200000000000000"
        "6162"
        "0b0a000000000000"
        "0d0c000000000000");
  Welcome back{nc::NodeID{3}, 1000, 5, false, std::nullopt, 1, 2};
  CHECK(hex(encode(back)) ==
        "02"
        "0300000000000000"
        "e8030000"
        "0500000000000000"
        "00"
        "00"
        "0100000000000000"
        "0200000000000000");
  CHECK(hex(encode(Reject{"no"})) ==
        "03"
        "02000000"
        "6e6f");
  CHECK(hex(encode(Request{7})) ==
        "04"
        "07000000");
  Tasks tasks{4, {TaskItem{nc::AttemptID{8}, nc::ChunkID{3}, text_bytes("t")}}};
  CHECK(hex(encode(tasks)) ==
        "05"
        "0400000000000000"
        "01000000"
        "0800000000000000"
        "0300000000000000"  // the chunk
        "0100000000000000"
        "74");
  Results results{2, {ResultItem{nc::AttemptID{8}, std::nullopt, 300, text_bytes("r")}}};
  CHECK(hex(encode(results)) ==
        "06"
        "02000000"
        "01000000"
        "0800000000000000"
        "ffffffffffffffff"  // no chunk
        "2c01000000000000"
        "0100000000000000"
        "72");
  CHECK(hex(encode(Heartbeat{})) == "07");
  CHECK(hex(encode(Finish{})) == "08");
  CHECK(hex(encode(Abort{"x", true})) ==
        "09"
        "01000000"
        "78"
        "01");
  CHECK(hex(encode(TaskFailed{nc::AttemptID{1}, "e"})) ==
        "0a"
        "0100000000000000"
        "01000000"
        "65");
  CHECK(hex(encode(Bye{})) == "0b");
  CHECK(hex(encode(StatusRequest{})) == "0c");
  CHECK(hex(encode(StatusReply{"{}"})) ==
        "0d"
        "02000000"
        "7b7d");
}

TEST_CASE("every message type survives a round trip", "[message]") {
  const std::vector<Message> messages{
      Hello{1, "job", nc::NodeID{7}, 4, "host", 1234},
      Hello{2, "job", nc::NodeID{7}, 4, "host", 1234, 0xfeedULL},
      Hello{3, "job", nc::NodeID{7}, 4, "host", 1234, 0xfeedULL, 0xabcULL, 0xdefULL},
      Welcome{nc::NodeID{2}, 500, 3, true, text_bytes("initial"), 11, 12},
      Welcome{nc::NodeID{2}, 500, 3, false, std::nullopt, 11, 12},
      Reject{"why"},
      Request{64},
      Tasks{9,
            {TaskItem{nc::AttemptID{1}, std::nullopt, text_bytes("a")},
             TaskItem{nc::AttemptID{2}, std::nullopt, {}}}},
      Results{3, {ResultItem{nc::AttemptID{1}, std::nullopt, 17, text_bytes("res")}}},
      Heartbeat{},
      Finish{},
      Abort{"over", false},
      Abort{"stopped", true},
      TaskFailed{nc::AttemptID{5}, "boom"},
      Bye{},
      StatusRequest{},
      StatusReply{R"({"ok":true})"},
  };
  for (const auto& message : messages) {
    CHECK(decode(encode(message)) == message);
    // The buffer is allocated once, at its size.
    const auto bytes = encode(message);
    CHECK(bytes.size() == encoded_size(message));
    CHECK(bytes.capacity() == bytes.size());
  }
}

TEST_CASE("malformed messages are refused with a clear error, never allocated from", "[message]") {
  CHECK_THROWS_WITH(decode(nc::ByteSpan{}), Catch::Contains("ends early"));
  CHECK_THROWS_WITH(decode(nc::Bytes{std::byte{0}}), Catch::Contains("unknown message type 0"));
  CHECK_THROWS_WITH(decode(nc::Bytes{std::byte{200}}), Catch::Contains("unknown message type 200"));
  auto request = encode(Request{1});
  request.pop_back();
  CHECK_THROWS_AS(decode(request), nc::ProtocolError);
  auto finish = encode(Finish{});
  finish.push_back(std::byte{0});
  CHECK_THROWS_WITH(decode(finish), Catch::Contains("unexpected bytes"));
  // A task list claiming four billion entries in a few bytes.
  nc::Bytes lying{std::byte{5}};
  for (int i = 0; i < 8; ++i)
    lying.push_back(std::byte{0});
  for (int i = 0; i < 4; ++i)
    lying.push_back(std::byte{0xff});
  CHECK_THROWS_WITH(decode(lying), Catch::Contains("too many"));
  // A byte string claiming an exabyte.
  nc::Bytes huge{std::byte{2}};
  for (int i = 0; i < 8; ++i)
    huge.push_back(std::byte{1});
  for (int i = 0; i < 4; ++i)
    huge.push_back(std::byte{0});
  for (int i = 0; i < 8; ++i)
    huge.push_back(std::byte{0});
  huge.push_back(std::byte{1});
  huge.push_back(std::byte{1});
  for (int i = 0; i < 8; ++i)
    huge.push_back(std::byte{0xff});
  CHECK_THROWS_WITH(decode(huge), Catch::Contains("claims"));
  nc::Bytes bad_flag = encode(Welcome{nc::NodeID{1}, 1, 1, true, std::nullopt});
  bad_flag[1 + 8 + 4 + 8] = std::byte{7};
  CHECK_THROWS_WITH(decode(bad_flag), Catch::Contains("neither 0 nor 1"));
  // A Hello of this protocol ends where its fields end; one of a newer protocol may go on.
  auto longer = encode(Hello{kProtocolVersion, "job", nc::NodeID{1}, 1, "h", 1, 2, 3, 4});
  longer.push_back(std::byte{0});
  CHECK_THROWS_WITH(decode(longer), Catch::Contains("unexpected bytes"));
  auto newer = encode(Hello{kProtocolVersion + 1, "job", nc::NodeID{1}, 1, "h", 1, 2, 3, 4});
  newer.push_back(std::byte{0});
  CHECK(std::get<Hello>(decode(newer)).protocol == kProtocolVersion + 1);
}

TEST_CASE("a frame decoded in place lends its payloads and a span decoded is copied from",
          "[message]") {
  const Message tasks = Tasks{1, {TaskItem{nc::AttemptID{1}, std::nullopt, text_bytes("work")}}};
  nc::Bytes wire = encode(tasks);
  const Message copied = decode(nc::ByteSpan(wire));
  CHECK_FALSE(std::get<Tasks>(copied).items.at(0).payload.is_view());
  const std::byte* frame = wire.data();
  const std::size_t size = wire.size();
  const Message in_place = decode(std::move(wire));
  CHECK(in_place == tasks);
  CHECK(copied == tasks);
  const auto& payload = std::get<Tasks>(in_place).items.at(0).payload;
  CHECK(payload.is_view());
  CHECK(payload.data() == frame + size - payload.size());  // the last field of the frame
  // A copy of the message shares the frame; the frame lives as long as any of them.
  Message copy = in_place;
  CHECK(std::get<Tasks>(copy).items.at(0).payload.data() == payload.data());
  // Messages without payloads do not keep their frame.
  CHECK(decode(encode(Request{3})) == Message{Request{3}});
}
