#pragma once
/// Boost.Serialization for std::optional, which Boost learnt only in 1.84: a flag, then the
/// value if there is one. Included by serialization.hpp.

#include <boost/serialization/split_free.hpp>
#include <boost/version.hpp>
#include <optional>

#if BOOST_VERSION < 108400
namespace boost::serialization {

template <class Archive, class T>
void save(Archive& archive, const std::optional<T>& value, const unsigned int /*version*/) {
  const bool present = value.has_value();
  archive << present;
  if (present) archive << *value;
}

template <class Archive, class T>
void load(Archive& archive, std::optional<T>& value, const unsigned int /*version*/) {
  bool present = false;
  archive >> present;
  if (!present) {
    value.reset();
    return;
  }
  T inner{};
  archive >> inner;
  value = std::move(inner);
}

template <class Archive, class T>
void serialize(Archive& archive, std::optional<T>& value, const unsigned int version) {
  split_free(archive, value, version);
}

}  // namespace boost::serialization
#endif
