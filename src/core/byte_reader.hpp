#pragma once
// Reads the fixed-width little-endian fields of a message; every read is bounds-checked, and
// lengths are checked against what is left before anything is allocated.

#include <cstdint>
#include <string>

#include "core/copy_count.hpp"
#include "node_crunch/bytes.hpp"
#include "node_crunch/error.hpp"

namespace nc::detail {

class ByteReader {
 public:
  explicit ByteReader(ByteSpan bytes) : bytes_(bytes) {}

  template <class T>
  T get() {
    return load_le<T>(take(sizeof(T)));
  }
  /// A length-prefixed (u64) byte string, where it is in the bytes read.
  ByteSpan get_span() {
    const auto size = get<std::uint64_t>();
    if (size > remaining())
      throw ProtocolError("a byte field claims " + std::to_string(size) + " bytes, " +
                          std::to_string(remaining()) + " are left");
    return {take(static_cast<std::size_t>(size)), static_cast<std::size_t>(size)};
  }
  /// A length-prefixed (u64) byte string, copied.
  Bytes get_bytes() {
    const ByteSpan bytes = get_span();
    copy_count::add(bytes.size());
    return Bytes(bytes.begin(), bytes.end());
  }
  /// A length-prefixed (u32) text.
  std::string get_string() {
    const auto size = get<std::uint32_t>();
    if (size > remaining())
      throw ProtocolError("a text field claims " + std::to_string(size) + " bytes, " +
                          std::to_string(remaining()) + " are left");
    const std::byte* at = take(size);
    return std::string(reinterpret_cast<const char*>(at), size);
  }
  /// A u32 element count, checked against the smallest size an element can have.
  std::uint32_t get_count(std::size_t min_element_bytes) {
    const auto count = get<std::uint32_t>();
    if (min_element_bytes != 0 && count > remaining() / min_element_bytes) {
      throw ProtocolError("a list claims " + std::to_string(count) +
                          " elements, too many for the " + std::to_string(remaining()) +
                          " bytes left");
    }
    return count;
  }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - at_; }
  void expect_end() const {
    if (remaining() != 0)
      throw ProtocolError(std::to_string(remaining()) +
                          " unexpected bytes at the end of a message");
  }

 private:
  const std::byte* take(std::size_t count) {
    if (count > remaining())
      throw ProtocolError("a message ends early (wants " + std::to_string(count) + " more bytes, " +
                          std::to_string(remaining()) + " are left)");
    const std::byte* at = bytes_.data() + at_;
    at_ += count;
    return at;
  }

  ByteSpan bytes_;
  std::size_t at_ = 0;
};

inline void put_bytes(Bytes& out, ByteSpan bytes) {
  put_le<std::uint64_t>(out, bytes.size());
  copy_count::add(bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}
inline void put_string(Bytes& out, const std::string& text) {
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(text.size()));
  const auto* begin = reinterpret_cast<const std::byte*>(text.data());
  out.insert(out.end(), begin, begin + text.size());
}

}  // namespace nc::detail
