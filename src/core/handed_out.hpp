#pragma once
// One task handed out, as a server run records it next to its checkpoint: which attempt, for
// which chunk, to the node holding which token. A resumed run knows from these which results
// an earlier run's nodes may still bring, and from whom (the node proves it with the token).

#include <cstdint>

#include "node_crunch/ids.hpp"

namespace nc::detail {

struct HandedOut {
  AttemptID attempt;
  ChunkID chunk;
  std::uint64_t token = 0;
  bool operator==(const HandedOut&) const = default;
};

}  // namespace nc::detail
