// libFuzzer: arbitrary bytes as a user's result, read through the portable archive: the
// containers users send (vectors, strings, maps, optionals, a grid) must fail cleanly.
#include <node_crunch/array2d.hpp>
#include <node_crunch/serialization.hpp>

#include <boost/serialization/map.hpp>
#include <cstddef>
#include <cstdint>
#include <map>

namespace {
struct Result {
  std::uint64_t chunk = 0;
  std::vector<double> values;
  std::vector<std::string> names;
  std::map<std::string, std::int32_t> table;
  std::optional<std::vector<std::uint16_t>> maybe;
  nc::Array2D<float> grid;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& chunk& values& names& table& maybe& grid;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)nc::from_bytes<Result>(nc::ByteSpan(reinterpret_cast<const std::byte*>(data), size));
  } catch (const nc::Error&) {
  }
  return 0;
}
