// Writes the seed corpus: one valid example of every message, alone and framed, and a user
// result. Run once; the files are kept in tests/fuzz/corpus/.
#include <node_crunch/array2d.hpp>
#include <node_crunch/serialization.hpp>

#include <boost/serialization/map.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "core/message.hpp"
#include "transport/tcp/frame.hpp"

using namespace nc::detail;
using nc::AttemptID;
using nc::NodeID;

namespace {
void write(const std::string& path, const nc::Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}
nc::Bytes text(const std::string& s) {
  return nc::Bytes(reinterpret_cast<const std::byte*>(s.data()),
                   reinterpret_cast<const std::byte*>(s.data()) + s.size());
}
struct Result {
  std::uint64_t chunk = 7;
  std::vector<double> values{1.5, -2.0};
  std::vector<std::string> names{"a", "bc"};
  std::map<std::string, std::int32_t> table{{"x", 1}};
  std::optional<std::vector<std::uint16_t>> maybe = std::vector<std::uint16_t>{3};
  nc::Array2D<float> grid{2, 2};
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& chunk& values& names& table& maybe& grid;
  }
};
}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  const std::vector<Message> messages{
      Hello{3, "mandel", NodeID{5}, 2, "host", 42, 0x1234, 0x5678, 0x9abc},
      Welcome{NodeID{3}, 1000, 0, true, text("initial"), 0x5678, 0x9abc},
      Reject{"why"},
      Request{4},
      Tasks{1,
            {TaskItem{AttemptID{1}, std::nullopt, text("task")},
             TaskItem{AttemptID{2}, std::nullopt, {}}}},
      Results{2, {ResultItem{AttemptID{1}, std::nullopt, 100, text("result")}}},
      Heartbeat{},
      Finish{},
      Abort{"over"},
      TaskFailed{AttemptID{1}, "boom"},
      Bye{},
      StatusRequest{},
      StatusReply{"{}"},
  };
  nc::Bytes stream;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto bytes = encode(messages[i]);
    write(dir + "/message/" + name_of(type_of(messages[i])), bytes);
    nc::Bytes frame;
    put_frame_header(frame,
                     FrameHeader{static_cast<std::uint8_t>(type_of(messages[i])), 0, bytes.size()});
    frame.insert(frame.end(), bytes.begin(), bytes.end());
    write(dir + "/frames/" + name_of(type_of(messages[i])), frame);
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  write(dir + "/frames/all", stream);
  write(dir + "/archive/result", nc::to_bytes(Result{}));
  std::puts("seeds written");
  return 0;
}
