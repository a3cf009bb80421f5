// The archive user types travel in: portable bytes (pinned here), a round trip for the types
// users send, and hostile input that must fail cleanly instead of allocating or crashing.
#include <catch2/catch.hpp>
#include <node_crunch/serialization.hpp>

#include <boost/serialization/map.hpp>
#include <boost/serialization/utility.hpp>
#include <limits>
#include <map>
#include "scratch.hpp"

namespace {

using test::hex;

struct Sample {
  std::uint32_t a = 42;
  double d = 1.0;
  std::string s = "hi";
  std::vector<std::uint16_t> v{1, 2};
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& a& d& s& v;
  }
};

struct Everything {
  bool flag = true;
  char c = 'x';
  signed char sc = -5;
  unsigned char uc = 250;
  short sh = -300;
  unsigned short ush = 60000;
  int i = -70000;
  unsigned u = 4000000000u;
  long l = -5000000000L;
  unsigned long ul = 9000000000UL;
  long long ll = std::numeric_limits<long long>::min();
  unsigned long long ull = std::numeric_limits<unsigned long long>::max();
  float f = -1.5f;
  double d = 3.141592653589793;
  std::string text = std::string("with\0nul", 8);
  std::vector<double> values{0.5, -0.25, 1e300};
  std::vector<std::string> words{"a", "", "bc"};
  std::map<std::string, int> table{{"x", 1}, {"y", -2}};
  std::optional<std::vector<int>> maybe = std::vector<int>{7, 8};
  std::optional<int> nothing;
  std::pair<int, std::string> pair{3, "three"};

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& flag& c& sc& uc& sh& ush& i& u& l& ul& ll& ull& f& d& text& values& words& table& maybe&
        nothing& pair;
  }
  bool operator==(const Everything&) const = default;
};

}  // namespace

TEST_CASE("the archive's bytes are fixed-width little-endian, the same on every machine",
          "[archive][golden]") {
  CHECK(hex(nc::to_bytes(std::uint32_t{42})) == "2a000000");
  CHECK(hex(nc::to_bytes(long{-2})) ==
        "feffffffffffffff");  // long is 64 bits on the wire everywhere
  CHECK(hex(nc::to_bytes(1.0)) == "000000000000f03f");
  // Boost's class header (tracking flag, version), then the members in order.
  CHECK(hex(nc::to_bytes(Sample{})) ==
        "00"
        "00000000"
        "2a000000"
        "000000000000f03f"
        "0200000000000000"
        "6869"
        "0200000000000000"
        "0100"
        "0200");
}

TEST_CASE("the types users send survive a round trip", "[archive]") {
  const Everything original;
  const auto copy = nc::from_bytes<Everything>(nc::to_bytes(original));
  CHECK(copy == original);
  Everything changed;
  changed.maybe.reset();
  changed.nothing = -1;
  CHECK(nc::from_bytes<Everything>(nc::to_bytes(changed)) == changed);
}

TEST_CASE("arrays of numbers travel as one block", "[archive]") {
  std::vector<std::uint32_t> pixels(100000);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<std::uint32_t>(i * 2654435761u);
  const auto bytes = nc::to_bytes(pixels);
  CHECK(bytes.size() == 8 + pixels.size() * 4);  // count + values, nothing per element
  CHECK(nc::from_bytes<std::vector<std::uint32_t>>(bytes) == pixels);
}

TEST_CASE("hostile bytes fail with ProtocolError, without allocating what they claim",
          "[archive]") {
  auto bytes = nc::to_bytes(Sample{});
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    const nc::ByteSpan part(bytes.data(), cut);
    CHECK_THROWS_AS(nc::from_bytes<Sample>(part), nc::ProtocolError);
  }
  auto longer = bytes;
  longer.push_back(std::byte{0});
  CHECK_THROWS_WITH(nc::from_bytes<Sample>(longer), Catch::Contains("left over"));

  // A vector that claims 2^62 elements: refused before any allocation.
  nc::Bytes claim;
  nc::put_le<std::uint64_t>(claim, std::uint64_t{1} << 62);
  CHECK_THROWS_WITH(nc::from_bytes<std::vector<double>>(claim),
                    Catch::Contains("more elements than there are bytes"));
  nc::Bytes long_string;
  nc::put_le<std::uint64_t>(long_string, 1000);
  long_string.push_back(std::byte{'a'});
  CHECK_THROWS_WITH(nc::from_bytes<std::string>(long_string),
                    Catch::Contains("longer than the bytes"));
  const nc::Bytes two{std::byte{2}};
  CHECK_THROWS_WITH(nc::from_bytes<bool>(two), Catch::Contains("neither 0 nor 1"));
}

TEST_CASE("a value too large for the reader's type is refused, not truncated", "[archive]") {
  CHECK(nc::detail::fits<int>(std::int64_t{-5}));
  CHECK_FALSE(nc::detail::fits<int>(std::int64_t{1} << 40));
  CHECK_FALSE(nc::detail::fits<unsigned>(std::int64_t{-1}));
  CHECK_FALSE(nc::detail::fits<int>(std::uint64_t{1} << 31));
  CHECK(nc::detail::fits<unsigned char>(std::uint8_t{255}));
}
