#include "node_crunch/ids.hpp"

#include "node_crunch/error.hpp"

namespace nc {

std::string to_string(NodeID id) {
  return "node " + std::to_string(id.value());
}
std::string to_string(ChunkID id) {
  return "chunk " + std::to_string(id.value());
}
std::string to_string(AttemptID id) {
  return "attempt " + std::to_string(id.value());
}

Error& Error::with_node(NodeID node) {
  node_ = node;
  rebuild();
  return *this;
}

Error& Error::with_chunk(ChunkID chunk) {
  chunk_ = chunk;
  rebuild();
  return *this;
}

void Error::rebuild() {
  std::string where;
  if (node_) where += to_string(*node_);
  if (chunk_) where += (where.empty() ? "" : ", ") + to_string(*chunk_);
  full_ = where.empty() ? message_ : message_ + " (" + where + ")";
}

}  // namespace nc
