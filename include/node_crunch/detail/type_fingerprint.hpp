#pragma once
// A job's types as one number, which a node sends when it joins and the server compares with
// its own: a node built from other Task, Result or InitialData types (a stale build, another
// version of the job) is refused at once, instead of taking work whose results cannot decode.
// It covers, in order, each type's Boost.Serialization class version and the bytes of its
// value-initialised value, so that a field added, removed or resized changes it. It leaves out
// the compiler's type names (typeid), which differ between standard libraries and compilers
// for the same types and bytes on the wire. What it cannot see (a field retyped to one of the
// same size, what a field means, an element type inside an empty container) is caught when the
// results do not decode, and their sender quarantined.

#include <boost/serialization/version.hpp>

#include <cstdint>
#include <string_view>

#include "node_crunch/bytes.hpp"
#include "node_crunch/serialization.hpp"

namespace nc::detail {

class Fnv1a64 {
 public:
  void add(std::string_view text) {
    for (const char c : text)
      add_byte(static_cast<std::uint8_t>(c));
    add_byte(0);  // "ab" + "c" differs from "a" + "bc"
  }
  void add(ByteSpan bytes) {
    for (const auto b : bytes)
      add_byte(static_cast<std::uint8_t>(b));
    add_byte(0);
  }
  void add(std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8)
      add_byte(static_cast<std::uint8_t>(value >> shift));
  }
  [[nodiscard]] std::uint64_t value() const { return hash_; }

 private:
  void add_byte(std::uint8_t byte) {
    hash_ ^= byte;
    hash_ *= 0x100000001b3ULL;
  }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

template <class T>
void add_type(Fnv1a64& hash) {
  hash.add(static_cast<std::uint64_t>(boost::serialization::version<T>::value));
  try {
    hash.add(ByteSpan(to_bytes(T{})));
  } catch (...) {
    hash.add(std::string_view("(does not serialise when value-initialised)"));
  }
}

/// Never 0: 0 in a Hello means "not given". Computed once per program.
template <class... Types>
std::uint64_t type_fingerprint() {
  static const std::uint64_t value = [] {
    Fnv1a64 hash;
    (add_type<Types>(hash), ...);
    return hash.value() == 0 ? std::uint64_t{1} : hash.value();
  }();
  return value;
}

}  // namespace nc::detail
