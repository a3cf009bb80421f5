#pragma once
// A tally of the payload bytes the library copies from one buffer into another, so that tests
// can hold every path to its budget: a payload is written into the frame once, and read
// straight out of it (tests/unit/test_payload_copies.cpp). Kernel and MPI transfers are not copies
// of ours and are not counted.
//
// Compiled in only when the build says NC_COUNT_COPIES (the CMake option of that name, on
// where the tests are built); otherwise add() is an empty inline function.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "node_crunch/build_config.hpp"

namespace nc::detail::copy_count {

#if NC_COUNT_COPIES
/// Payload bytes copied so far, by every thread of the process.
inline std::atomic<std::uint64_t> copied{0};
inline void add(std::size_t bytes) {
  copied.fetch_add(bytes, std::memory_order_relaxed);
}
/// The payload bytes copied while `action` ran, in copies of `size` bytes (for the tests).
template <class F>
double copies_of(std::size_t size, F&& action) {
  const auto before = copied.load();
  std::forward<F>(action)();
  return static_cast<double>(copied.load() - before) / static_cast<double>(size);
}
#else
inline void add(std::size_t /*bytes*/) {}
#endif

}  // namespace nc::detail::copy_count
