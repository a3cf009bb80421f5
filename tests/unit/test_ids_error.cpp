#include <catch2/catch.hpp>
#include <node_crunch/error.hpp>
#include <node_crunch/ids.hpp>

#include <sstream>
#include <type_traits>

TEST_CASE("ids are distinct types that print what they are", "[ids]") {
  static_assert(!std::is_convertible_v<nc::NodeID, nc::ChunkID>);
  static_assert(!std::is_convertible_v<std::uint64_t, nc::NodeID>);
  CHECK(nc::to_string(nc::NodeID{3}) == "node 3");
  CHECK(nc::to_string(nc::ChunkID{7}) == "chunk 7");
  CHECK(nc::to_string(nc::AttemptID{9}) == "attempt 9");
  std::ostringstream out;
  out << nc::NodeID{5};
  CHECK(out.str() == "node 5");
  CHECK(nc::NodeID{1} < nc::NodeID{2});
  CHECK(std::hash<nc::NodeID>{}(nc::NodeID{1}) == std::hash<std::uint64_t>{}(1));
}

TEST_CASE("an error names the node and the chunk it concerns", "[error]") {
  nc::Error plain("the disk is full");
  CHECK(std::string(plain.what()) == "the disk is full");
  nc::Error located = nc::Error("bad result").with_node(nc::NodeID{2}).with_chunk(nc::ChunkID{17});
  CHECK(std::string(located.what()) == "bad result (node 2, chunk 17)");
  CHECK(located.node() == nc::NodeID{2});
  CHECK(located.chunk() == nc::ChunkID{17});
  CHECK_THROWS_AS(throw nc::UsageError("x"), nc::Error);
}
