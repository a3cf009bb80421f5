#include "core/confirmations.hpp"

#include <algorithm>

namespace nc::detail {

void Confirmations::received(NodeID node, std::uint64_t number, std::uint64_t needed) {
  Node& record = nodes_[node];
  if (record.waiting.empty() && needed <= durable_) {
    // A node that comes back sends again what was not confirmed: numbers may repeat.
    record.confirmed = std::max(record.confirmed, number);
    return;
  }
  if (!record.waiting.empty() && needed <= record.waiting.back().needed) {
    Waiting& last = record.waiting.back();
    last.number = std::max(last.number, number);
    return;
  }
  record.waiting.push_back({needed, number});
  due_.emplace_back(needed, node);
}

std::vector<NodeID> Confirmations::durable(std::uint64_t count) {
  durable_ = std::max(durable_, count);
  std::vector<NodeID> moved;
  while (!due_.empty() && due_.front().first <= durable_) {
    const NodeID id = due_.front().second;
    due_.pop_front();
    const auto found = nodes_.find(id);
    if (found == nodes_.end()) continue;  // forgotten while it waited
    Node& record = found->second;
    bool grew = false;
    while (!record.waiting.empty() && record.waiting.front().needed <= durable_) {
      record.confirmed = std::max(record.confirmed, record.waiting.front().number);
      record.waiting.pop_front();
      grew = true;
    }
    if (grew) moved.push_back(id);  // its later entries in due_ find nothing left to pop
  }
  return moved;
}

void Confirmations::forget(NodeID node) {
  nodes_.erase(node);
}

std::uint64_t Confirmations::confirmed(NodeID node) const {
  const auto it = nodes_.find(node);
  return it == nodes_.end() ? 0 : it->second.confirmed;
}

}  // namespace nc::detail
