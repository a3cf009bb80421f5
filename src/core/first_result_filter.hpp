#pragma once
// Which chunks already have a result on record: the checkpoint keeps each chunk's first
// accepted result only, whoever sent it and however often it came back (speculative copies,
// late results of a lost node, resends after a reconnection, a checkpoint that lists a chunk
// twice).
//
//   FirstResultFilter filter;
//   if (filter.first(chunk)) record(chunk, result);   // true once per chunk
//
// Thread safety: none; the server engine's thread owns it.

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "node_crunch/ids.hpp"

namespace nc::detail {

class FirstResultFilter {
 public:
  /// True the first time `chunk` is named, false ever after.
  [[nodiscard]] bool first(ChunkID chunk);
  /// True if `chunk` was named before.
  [[nodiscard]] bool seen(ChunkID chunk) const;

 private:
  // Dense chunk numbers (the usual case) in a bitmap; a job with sparse, huge ones in a set,
  // so that one chunk numbered 2^40 costs a set entry, not a terabit of bitmap.
  static constexpr std::uint64_t kDense = std::uint64_t{1} << 26;
  std::vector<bool> dense_;
  std::unordered_set<std::uint64_t> sparse_;
};

}  // namespace nc::detail
