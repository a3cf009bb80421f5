#pragma once
/// Turning the user's types into bytes and back, the same way on every machine.
///
///   nc::Bytes bytes = nc::to_bytes(task);
///   auto copy = nc::from_bytes<Task>(bytes);   // throws nc::ProtocolError on bad bytes
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// A type is serialisable if Boost.Serialization knows it: a member
/// `template <class Archive> void serialize(Archive&, unsigned)` or a free function, plus the
/// boost/serialization/*.hpp headers for the standard containers it uses.
/// Thread safety: free functions, no shared state.

// Boost 1.74's optional.hpp uses version.hpp without including it: keep this block first.
#include <boost/serialization/version.hpp>

#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/optional.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <string>

#include "node_crunch/bytes.hpp"
#include "node_crunch/error.hpp"
#include "node_crunch/portable_archive.hpp"
#include "node_crunch/std_optional.hpp"

namespace nc {

/// Appends the portable encoding of `value` to `out`.
template <class T>
void append_bytes(Bytes& out, const T& value) {
  portable_oarchive archive(out);
  archive << value;
}

template <class T>
[[nodiscard]] Bytes to_bytes(const T& value) {
  Bytes out;
  append_bytes(out, value);
  return out;
}

/// Reads a `T` that must use all of `bytes`.
template <class T>
void from_bytes(ByteSpan bytes, T& value) {
  try {
    portable_iarchive archive(bytes);
    archive >> value;
    if (archive.remaining() != 0) {
      throw ProtocolError("malformed data: " + std::to_string(archive.remaining()) +
                          " bytes left over after the value");
    }
  } catch (const boost::archive::archive_exception& e) {
    throw ProtocolError(std::string("malformed data: ") + e.what());
  }
}

template <class T>
[[nodiscard]] T from_bytes(ByteSpan bytes) {
  T value{};
  from_bytes(bytes, value);
  return value;
}

}  // namespace nc
