// The archive's serializer maps live in the library, once, as Boost's own archives do theirs:
// needed when a user serialises polymorphic types through pointers.
#include "node_crunch/portable_archive.hpp"

#include <boost/archive/impl/archive_serializer_map.ipp>

namespace boost::archive::detail {
template class archive_serializer_map<nc::portable_oarchive>;
template class archive_serializer_map<nc::portable_iarchive>;
}  // namespace boost::archive::detail
