#pragma once
/// Byte buffers and fixed-width little-endian encoding, the wire format's atoms.
///
///   nc::Bytes out;  nc::put_le<std::uint32_t>(out, 42);   // 2a 00 00 00 on every machine
///   auto v = nc::load_le<std::uint32_t>(out.data());      // 42 on every machine
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Thread safety: free functions on caller-owned memory.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace nc {

using Bytes = std::vector<std::byte>;
using ByteSpan = std::span<const std::byte>;

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "node_crunch needs a little- or big-endian machine");

namespace detail {
template <class U>
constexpr U byteswap(U value) {
  static_assert(std::is_unsigned_v<U>);
  if constexpr (sizeof(U) == 1) {
    return value;
  } else {
    U out = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) {
      out = static_cast<U>((out << 8) | ((value >> (8 * i)) & 0xffu));
    }
    return out;
  }
}

template <std::size_t N>
struct UnsignedOfSize;
template <>
struct UnsignedOfSize<1> {
  using type = std::uint8_t;
};
template <>
struct UnsignedOfSize<2> {
  using type = std::uint16_t;
};
template <>
struct UnsignedOfSize<4> {
  using type = std::uint32_t;
};
template <>
struct UnsignedOfSize<8> {
  using type = std::uint64_t;
};
}  // namespace detail

/// Writes `value` (an integer or an IEEE-754 float) as sizeof(T) little-endian bytes at `out`.
template <class T>
void store_le(std::byte* out, T value) {
  static_assert(std::is_arithmetic_v<T>);
  using U = typename detail::UnsignedOfSize<sizeof(T)>::type;
  auto bits = std::bit_cast<U>(value);
  if constexpr (std::endian::native == std::endian::big) bits = detail::byteswap(bits);
  std::memcpy(out, &bits, sizeof(T));
}

/// Reads a sizeof(T)-byte little-endian value from `in`.
template <class T>
[[nodiscard]] T load_le(const std::byte* in) {
  static_assert(std::is_arithmetic_v<T>);
  using U = typename detail::UnsignedOfSize<sizeof(T)>::type;
  U bits;
  std::memcpy(&bits, in, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) bits = detail::byteswap(bits);
  return std::bit_cast<T>(bits);
}

/// Appends `value` to `out` as little-endian bytes.
template <class T>
void put_le(Bytes& out, T value) {
  const auto at = out.size();
  out.resize(at + sizeof(T));
  store_le(out.data() + at, value);
}

}  // namespace nc
