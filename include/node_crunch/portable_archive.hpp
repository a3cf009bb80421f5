#pragma once
/// A Boost.Serialization archive whose bytes mean the same on every machine.
///
/// Boost's native binary archive writes integers in the machine's byte order and width,
/// so a big-endian peer reads nonsense. This one writes every integer with a fixed width
/// (long and size_t as 64 bits) in little-endian order and every float as IEEE-754,
/// and copies arrays of numbers with one memcpy where the machine is little-endian.
/// Reading checks every length against the bytes that are left before it allocates, so a
/// hostile or broken peer cannot make it allocate more than a small multiple of its input.
///
///   nc::Bytes bytes;  { nc::portable_oarchive out(bytes); out << value; }
///   nc::portable_iarchive in(bytes);  in >> copy;
/// This example is compiled and run in tests/unit/test_header_examples.cpp: change both together.
/// Usually through nc::to_bytes / nc::from_bytes (serialization.hpp).
/// Thread safety: one archive per thread.

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/basic_archive.hpp>
#include <boost/archive/detail/common_iarchive.hpp>
#include <boost/archive/detail/common_oarchive.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/mpl/bool.hpp>
#include <boost/serialization/array_optimization.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/item_version_type.hpp>
#include <boost/serialization/library_version_type.hpp>
#include <cstring>
#include <limits>
#include <string>

#include "node_crunch/bytes.hpp"
#include "node_crunch/error.hpp"

namespace nc {

namespace detail {
// Integers travel with a width fixed by the type's role, not by this machine's ABI.
template <class T>
constexpr std::size_t wire_width() {
  if constexpr (std::is_same_v<T, bool>)
    return 1;
  else if constexpr (std::is_floating_point_v<T>)
    return sizeof(T);
  else if constexpr (std::is_same_v<T, wchar_t>)
    return 4;
  else if constexpr (sizeof(T) >= 8)
    return 8;
  else if constexpr (std::is_same_v<T, long> || std::is_same_v<T, unsigned long>)
    return 8;
  else
    return sizeof(T);
}

template <class T>
using wire_int_t =
    std::conditional_t<std::is_signed_v<T>,
                       typename std::make_signed_t<typename UnsignedOfSize<wire_width<T>()>::type>,
                       typename UnsignedOfSize<wire_width<T>()>::type>;

// Numbers whose in-memory bytes equal their wire bytes on a little-endian machine.
template <class T>
constexpr bool is_wire_bitwise() {
  return std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, long double> &&
         wire_width<T>() == sizeof(T);
}

// True if `wire` (a value read off the wire) can be held by a T on this machine.
template <class T, class W>
constexpr bool fits(W wire) {
  using Common = std::conditional_t<std::is_signed_v<W>, long long, unsigned long long>;
  const auto value = static_cast<Common>(wire);
  if constexpr (std::is_signed_v<T> == std::is_signed_v<W>) {
    return value >= static_cast<Common>(std::numeric_limits<T>::min()) &&
           value <= static_cast<Common>(std::numeric_limits<T>::max());
  } else if constexpr (std::is_signed_v<W>) {  // signed on the wire, unsigned here
    return wire >= 0 && static_cast<unsigned long long>(wire) <= std::numeric_limits<T>::max();
  } else {  // unsigned on the wire, signed here
    return static_cast<unsigned long long>(wire) <=
           static_cast<unsigned long long>(std::numeric_limits<T>::max());
  }
}

// Boost's own bookkeeping integers (versions, class and object ids, sizes) and the width
// each travels with. Their underlying typedefs are private, so they are listed here.
template <class T>
struct BoostInteger {
  using type = void;
};
#define NC_BOOST_INTEGER(T, WIRE) \
  template <>                     \
  struct BoostInteger<T> {        \
    using type = WIRE;            \
  };
NC_BOOST_INTEGER(boost::archive::version_type, std::uint32_t)
NC_BOOST_INTEGER(boost::archive::class_id_type, std::int16_t)
NC_BOOST_INTEGER(boost::archive::class_id_reference_type, std::int16_t)
NC_BOOST_INTEGER(boost::archive::class_id_optional_type, std::int16_t)
NC_BOOST_INTEGER(boost::archive::object_id_type, std::uint32_t)
NC_BOOST_INTEGER(boost::archive::object_reference_type, std::uint32_t)
NC_BOOST_INTEGER(boost::serialization::item_version_type, std::uint32_t)
NC_BOOST_INTEGER(boost::serialization::library_version_type, std::uint16_t)
#undef NC_BOOST_INTEGER

template <class T>
concept boost_strong_integer = !std::is_void_v<typename BoostInteger<T>::type>;

// Builds a bookkeeping integer from its wire value (the reference types wrap their base).
template <class T>
T make_boost_integer(typename BoostInteger<T>::type raw) {
  if constexpr (std::is_same_v<T, boost::archive::class_id_reference_type> ||
                std::is_same_v<T, boost::archive::class_id_optional_type>) {
    return T(boost::archive::class_id_type(static_cast<int>(raw)));
  } else if constexpr (std::is_same_v<T, boost::archive::object_reference_type>) {
    return T(boost::archive::object_id_type(static_cast<std::size_t>(raw)));
  } else if constexpr (std::is_same_v<T, boost::archive::class_id_type>) {
    return T(static_cast<int>(raw));
  } else if constexpr (std::is_same_v<T, boost::archive::object_id_type>) {
    return T(static_cast<std::size_t>(raw));
  } else {
    return T(static_cast<unsigned int>(raw));
  }
}

static_assert(std::numeric_limits<double>::is_iec559 && std::numeric_limits<float>::is_iec559,
              "node_crunch's wire format needs IEEE-754 floating point");
}  // namespace detail

class portable_oarchive : public boost::archive::detail::common_oarchive<portable_oarchive> {
 public:
  /// Appends to `out`. Without a header: both ends run node_crunch's own format.
  explicit portable_oarchive(Bytes& out)
      : boost::archive::detail::common_oarchive<portable_oarchive>(boost::archive::no_header),
        out_(out) {}

  void save_binary(const void* address, std::size_t count) {
    const auto at = out_.size();
    out_.resize(at + count);
    if (count != 0) std::memcpy(out_.data() + at, address, count);
  }

  struct use_array_optimization {
    template <class T>
    struct apply : boost::mpl::bool_<detail::is_wire_bitwise<T>()> {};
  };

  template <class T>
  void save_array(const boost::serialization::array_wrapper<T>& array, unsigned int /*version*/) {
    if constexpr (std::endian::native == std::endian::little) {
      save_binary(array.address(), array.count() * sizeof(T));
    } else {
      for (std::size_t i = 0; i < array.count(); ++i)
        save(array.address()[i]);
    }
  }

  // Primitives, Boost's bookkeeping integers and strings; called by Boost's dispatch.
  template <class T>
  void save(const T& value) {
    if constexpr (std::is_same_v<T, boost::archive::tracking_type>) {
      save(static_cast<bool>(value));
    } else if constexpr (std::is_same_v<T, boost::serialization::collection_size_type>) {
      save(static_cast<std::uint64_t>(static_cast<std::size_t>(value)));
    } else if constexpr (detail::boost_strong_integer<T>) {
      using Wire = typename detail::BoostInteger<T>::type;
      if constexpr (std::is_same_v<T, boost::archive::object_reference_type>) {
        save(static_cast<Wire>(static_cast<const boost::archive::object_id_type&>(value)));
      } else if constexpr (std::is_same_v<T, boost::archive::class_id_reference_type> ||
                           std::is_same_v<T, boost::archive::class_id_optional_type>) {
        save(static_cast<Wire>(static_cast<const boost::archive::class_id_type&>(value)));
      } else {
        save(static_cast<Wire>(value));
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      out_.push_back(std::byte{value ? std::uint8_t{1} : std::uint8_t{0}});
    } else if constexpr (std::is_floating_point_v<T>) {
      static_assert(!std::is_same_v<T, long double>, "long double has no portable encoding");
      put_le(out_, value);
    } else {
      static_assert(std::is_integral_v<T>, "no portable encoding for this type");
      put_le(out_, static_cast<detail::wire_int_t<T>>(value));
    }
  }
  void save(const std::string& text) {
    save(static_cast<std::uint64_t>(text.size()));
    save_binary(text.data(), text.size());
  }
  void save(const std::wstring& text) {
    save(static_cast<std::uint64_t>(text.size()));
    for (wchar_t c : text)
      save(c);
  }

  template <class T>
  void save_override(const T& value) {
    boost::archive::detail::common_oarchive<portable_oarchive>::save_override(value);
  }
  void save_override(const boost::archive::class_id_optional_type& /*unused*/) {}
  void save_override(const boost::archive::class_name_type& name) { save(std::string(name)); }

 private:
  Bytes& out_;
};

class portable_iarchive : public boost::archive::detail::common_iarchive<portable_iarchive> {
 public:
  /// Reads from `in`, which must outlive the archive.
  explicit portable_iarchive(ByteSpan in)
      : boost::archive::detail::common_iarchive<portable_iarchive>(boost::archive::no_header),
        in_(in) {}

  /// Bytes not read yet.
  [[nodiscard]] std::size_t remaining() const { return in_.size() - at_; }

  void load_binary(void* address, std::size_t count) {
    if (count > remaining()) fail("wants more bytes than are left");
    if (count != 0) std::memcpy(address, in_.data() + at_, count);
    at_ += count;
  }

  struct use_array_optimization {
    template <class T>
    struct apply : boost::mpl::bool_<detail::is_wire_bitwise<T>()> {};
  };

  template <class T>
  void load_array(boost::serialization::array_wrapper<T>& array, unsigned int /*version*/) {
    if constexpr (std::endian::native == std::endian::little) {
      load_binary(array.address(), array.count() * sizeof(T));
    } else {
      for (std::size_t i = 0; i < array.count(); ++i)
        load(array.address()[i]);
    }
  }

  template <class T>
  void load(T& value) {
    if constexpr (std::is_same_v<T, boost::archive::tracking_type>) {
      bool flag = false;
      load(flag);
      value = boost::archive::tracking_type(flag);
    } else if constexpr (std::is_same_v<T, boost::serialization::collection_size_type>) {
      std::uint64_t count = 0;
      load(count);
      // Each element takes at least one byte, so a count beyond what is left is a lie.
      if (count > remaining()) fail("a collection claims more elements than there are bytes");
      value = boost::serialization::collection_size_type(static_cast<std::size_t>(count));
    } else if constexpr (detail::boost_strong_integer<T>) {
      typename detail::BoostInteger<T>::type raw{};
      load(raw);
      value = detail::make_boost_integer<T>(raw);
    } else if constexpr (std::is_same_v<T, bool>) {
      std::uint8_t raw = 0;
      load_binary(&raw, 1);
      if (raw > 1) fail("a bool is neither 0 nor 1");
      value = raw == 1;
    } else if constexpr (std::is_floating_point_v<T>) {
      value = load_le<T>(take(sizeof(T)));
    } else {
      static_assert(std::is_integral_v<T>, "no portable encoding for this type");
      using Wire = detail::wire_int_t<T>;
      const auto wire = load_le<Wire>(take(sizeof(Wire)));
      if (!detail::fits<T>(wire)) fail("an integer does not fit its type on this machine");
      value = static_cast<T>(wire);
    }
  }
  void load(std::string& text) {
    std::uint64_t size = 0;
    load(size);
    if (size > remaining()) fail("a string is longer than the bytes that are left");
    text.assign(reinterpret_cast<const char*>(take(static_cast<std::size_t>(size))),
                static_cast<std::size_t>(size));
  }
  void load(std::wstring& text) {
    std::uint64_t size = 0;
    load(size);
    if (size > remaining() / 4) fail("a wide string is longer than the bytes that are left");
    text.resize(static_cast<std::size_t>(size));
    for (wchar_t& c : text)
      load(c);
  }

  template <class T>
  void load_override(T& value) {
    boost::archive::detail::common_iarchive<portable_iarchive>::load_override(value);
  }
  void load_override(boost::archive::class_id_optional_type& /*unused*/) {}
  void load_override(boost::archive::class_name_type& name) {
    std::string text;
    load(text);
    if (text.size() > BOOST_SERIALIZATION_MAX_KEY_SIZE - 1) fail("a class name is too long");
    std::memcpy(name, text.data(), text.size());
    name.t[text.size()] = '\0';
  }

 private:
  const std::byte* take(std::size_t count) {
    if (count > remaining()) fail("wants more bytes than are left");
    const std::byte* at = in_.data() + at_;
    at_ += count;
    return at;
  }
  [[noreturn]] static void fail(const char* why) {
    throw ProtocolError(std::string("malformed data: ") + why);
  }

  ByteSpan in_;
  std::size_t at_ = 0;
};

}  // namespace nc

BOOST_SERIALIZATION_REGISTER_ARCHIVE(nc::portable_oarchive)
BOOST_SERIALIZATION_REGISTER_ARCHIVE(nc::portable_iarchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(nc::portable_oarchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(nc::portable_iarchive)
