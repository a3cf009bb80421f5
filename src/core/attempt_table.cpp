#include "core/attempt_table.hpp"

#include <algorithm>

namespace nc::detail {
namespace {
// Late attempts kept at most when nothing says which are obsolete (a job with its own chunks).
constexpr std::size_t kMaxLate = std::size_t{1} << 20;
}  // namespace

AttemptID AttemptTable::issue(NodeID node, std::optional<ChunkID> chunk) {
  const AttemptID id{next_++};
  live_.emplace(id, Attempt{node, chunk});
  by_node_[node].push_back(id);
  return id;
}

void AttemptTable::adopt(AttemptID id, NodeID node, ChunkID chunk) {
  if (id.value() == 0 || id.value() >= first_ || live_.contains(id) || late_.contains(id)) return;
  live_.emplace(id, Attempt{node, chunk});
  by_node_[node].push_back(id);
}

std::optional<AttemptTable::Attempt> AttemptTable::take(NodeID node, AttemptID id) {
  if (const auto it = live_.find(id); it != live_.end() && it->second.node == node) {
    const Attempt attempt = it->second;
    live_.erase(it);
    auto& held = by_node_[node];
    if (const auto pos = std::find(held.begin(), held.end(), id); pos != held.end()) {
      *pos = held.back();
      held.pop_back();
    }
    if (held.empty()) by_node_.erase(node);
    return attempt;
  }
  if (const auto it = late_.find(id); it != late_.end() && it->second.node == node) {
    const Attempt attempt = it->second;
    late_.erase(it);
    forget_late(node);
    return attempt;
  }
  return std::nullopt;
}

AttemptTable::Unknown AttemptTable::classify(AttemptID id) const {
  const bool issued = id.value() >= first_ && id.value() < next_;
  return issued && !live_.contains(id) && !late_.contains(id) ? Unknown::answered
                                                              : Unknown::foreign;
}

void AttemptTable::start_at(std::uint64_t first) {
  if (next_ != first_ || first == 0) return;  // only before the first issue
  first_ = next_ = first;
}

std::optional<AttemptTable::Attempt> AttemptTable::find(AttemptID id) const {
  if (const auto it = live_.find(id); it != live_.end()) return it->second;
  return std::nullopt;
}

std::size_t AttemptTable::lose(NodeID node) {
  const auto held = by_node_.find(node);
  if (held == by_node_.end()) return 0;
  const std::size_t count = held->second.size();
  for (const AttemptID id : held->second) {
    if (const auto it = live_.find(id); it != live_.end()) {
      late_.emplace(id, it->second);
      ++late_by_node_[node];
      live_.erase(it);
    }
  }
  by_node_.erase(held);
  return count;
}

void AttemptTable::prune_late(const std::function<bool(const Attempt&)>& obsolete) {
  if (late_.size() <= pruned_at_ * 2 + 1024) return;  // amortised: O(1) per attempt lost
  std::erase_if(late_, [&](const auto& entry) {
    if (!obsolete(entry.second)) return false;
    forget_late(entry.second.node);
    return true;
  });
  if (late_.size() > kMaxLate) {
    std::vector<AttemptID> ids;
    ids.reserve(late_.size());
    for (const auto& entry : late_)
      ids.push_back(entry.first);
    std::sort(ids.begin(), ids.end());
    for (std::size_t i = 0; i + kMaxLate < ids.size(); ++i) {  // the oldest go first
      forget_late(late_.at(ids[i]).node);
      late_.erase(ids[i]);
    }
  }
  pruned_at_ = late_.size();
}

std::size_t AttemptTable::held_by(NodeID node) const {
  const auto it = by_node_.find(node);
  return it == by_node_.end() ? 0 : it->second.size();
}

std::vector<std::pair<AttemptID, AttemptTable::Attempt>> AttemptTable::held(NodeID node) const {
  std::vector<std::pair<AttemptID, Attempt>> out;
  if (const auto it = by_node_.find(node); it != by_node_.end()) {
    out.reserve(it->second.size());
    for (const AttemptID id : it->second)
      out.emplace_back(id, live_.at(id));
  }
  // Ids are issued in order: sorted by id is the order they were handed out.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::size_t AttemptTable::late_of(NodeID node) const {
  const auto it = late_by_node_.find(node);
  return it == late_by_node_.end() ? 0 : it->second;
}

void AttemptTable::forget_late(NodeID node) {
  const auto it = late_by_node_.find(node);
  if (it == late_by_node_.end()) return;
  if (--it->second == 0) late_by_node_.erase(it);
}

}  // namespace nc::detail
