#include <catch2/catch.hpp>
#include <node_crunch/bytes.hpp>

namespace {
std::vector<int> as_ints(const nc::Bytes& bytes) {
  std::vector<int> out;
  for (auto b : bytes)
    out.push_back(std::to_integer<int>(b));
  return out;
}
}  // namespace

TEST_CASE("integers and floats are written little-endian, whatever the machine", "[bytes]") {
  nc::Bytes out;
  nc::put_le<std::uint32_t>(out, 0x01020304u);
  nc::put_le<std::int16_t>(out, -2);
  nc::put_le<double>(out, 1.0);
  CHECK(as_ints(out) == std::vector<int>{4, 3, 2, 1, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f});
  CHECK(nc::load_le<std::uint32_t>(out.data()) == 0x01020304u);
  CHECK(nc::load_le<std::int16_t>(out.data() + 4) == -2);
  CHECK(nc::load_le<double>(out.data() + 6) == 1.0);
}

TEST_CASE("byteswap reverses the bytes of an unsigned integer", "[bytes]") {
  CHECK(nc::detail::byteswap<std::uint16_t>(0x1234) == 0x3412);
  CHECK(nc::detail::byteswap<std::uint64_t>(0x0102030405060708ull) == 0x0807060504030201ull);
}
