#pragma once
// Random 64-bit values that are never 0 (0 means "none" on the wire): server run instances and
// node tokens, which must not be guessed and must differ between runs.

#include <cstdint>

namespace nc::detail {

/// From the operating system's random source (getrandom); throws IoError if it has none.
[[nodiscard]] std::uint64_t random_nonzero_u64();

}  // namespace nc::detail
