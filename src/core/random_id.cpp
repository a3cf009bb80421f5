#include "core/random_id.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "node_crunch/error.hpp"

namespace nc::detail {

std::uint64_t random_nonzero_u64() {
  std::uint64_t value = 0;
  while (value == 0) {
    const auto got = getrandom(&value, sizeof(value), 0);
    if (got < 0 && errno != EINTR)
      throw IoError(std::string("no random source: ") + std::strerror(errno));
    if (got != static_cast<ssize_t>(sizeof(value))) value = 0;  // interrupted: again
  }
  return value;
}

}  // namespace nc::detail
