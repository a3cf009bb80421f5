// The job's types as one number: the same types give the same number; a field added, removed
// or resized, or a type of another size in a place, gives another.
#include <boost/serialization/vector.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "node_crunch/detail/type_fingerprint.hpp"

namespace fingerprint_v1 {
struct Result {
  std::uint64_t chunk = 0;
  std::vector<std::uint32_t> values;
  template <class Archive>
  void serialize(Archive& ar, const unsigned) {
    ar& chunk& values;
  }
};
}  // namespace fingerprint_v1

namespace fingerprint_v2 {
struct Result {  // the same name once namespaces are set aside, one more field
  std::uint64_t chunk = 0;
  std::vector<std::uint32_t> values;
  std::uint32_t extra = 0;
  template <class Archive>
  void serialize(Archive& ar, const unsigned) {
    ar& chunk& values& extra;
  }
};
struct Narrow {  // chunk as 32 bits
  std::uint32_t chunk = 0;
  std::vector<std::uint32_t> values;
  template <class Archive>
  void serialize(Archive& ar, const unsigned) {
    ar& chunk& values;
  }
};
}  // namespace fingerprint_v2

using nc::detail::type_fingerprint;

TEST_CASE("a job's type fingerprint is stable and never 0", "[type_fingerprint]") {
  const auto once = type_fingerprint<double, std::string, fingerprint_v1::Result>();
  CHECK(once == type_fingerprint<double, std::string, fingerprint_v1::Result>());
  CHECK(once != 0);
}

TEST_CASE("another field, a resized field or a type of another size changes the fingerprint",
          "[type_fingerprint]") {
  const auto v1 = type_fingerprint<double, std::string, fingerprint_v1::Result>();
  CHECK(v1 != type_fingerprint<double, std::string, fingerprint_v2::Result>());
  CHECK(v1 != type_fingerprint<double, std::string, fingerprint_v2::Narrow>());
  CHECK(v1 != type_fingerprint<float, std::string, fingerprint_v1::Result>());
  CHECK(v1 != type_fingerprint<std::uint8_t, std::string, fingerprint_v1::Result>());
}

TEST_CASE("the fingerprint sees a field added to a type of the same name", "[type_fingerprint]") {
  // Only the serialised bytes differ between these two: the name part is made equal.
  nc::detail::Fnv1a64 a;
  nc::detail::Fnv1a64 b;
  a.add(nc::ByteSpan(nc::to_bytes(fingerprint_v1::Result{})));
  b.add(nc::ByteSpan(nc::to_bytes(fingerprint_v2::Result{})));
  CHECK(a.value() != b.value());
}
