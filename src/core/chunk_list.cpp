#include "node_crunch/chunk_list.hpp"

#include <algorithm>
#include <string>

#include "node_crunch/error.hpp"

namespace nc {

namespace {
constexpr std::uint8_t kMaxCounter = 255;
// How far into the oldest hand-outs a speculative copy is looked for, and into the requeued
// chunks one the asking node did not fail: bounds, so that a request costs O(1) even when many
// chunks are out.
constexpr std::size_t kStragglerScan = 16;
constexpr std::size_t kRequeuedScan = 16;
}  // namespace

ChunkList::ChunkList(std::size_t count, Policy policy) : policy_(policy), slots_(count) {
  if (policy_.max_attempts == 0) throw Error("ChunkList: max_attempts must be at least 1");
  if (policy_.max_copies == 0) throw Error("ChunkList: max_copies must be at least 1");
  policy_.max_attempts = std::min<unsigned>(policy_.max_attempts, kMaxCounter);
  policy_.max_copies = std::min<unsigned>(policy_.max_copies, kMaxCounter);
}

std::uint64_t ChunkList::checked(ChunkID chunk) const {
  if (chunk.value() >= slots_.size()) {
    throw Error("ChunkList: there is no chunk " + std::to_string(chunk.value()) + " (" +
                std::to_string(slots_.size()) + " chunks)")
        .with_chunk(chunk);
  }
  return chunk.value();
}

void ChunkList::set_state(Slot& slot, ChunkState state) {
  auto count = [this](ChunkState s) -> std::size_t* {
    switch (s) {
      case ChunkState::done:
        return &done_;
      case ChunkState::failed:
        return &failed_;
      case ChunkState::processing:
        return &processing_;
      case ChunkState::free:
        return nullptr;
    }
    return nullptr;
  };
  if (auto* before = count(slot.state)) --*before;
  if (auto* after = count(state)) ++*after;
  slot.state = state;
  // A chunk that is over needs no memory of who failed it.
  if ((state == ChunkState::done || state == ChunkState::failed) && !failed_on_.empty())
    failed_on_.erase(static_cast<std::uint64_t>(&slot - slots_.data()));
}

std::optional<ChunkID> ChunkList::hand_out(NodeID node) {
  const auto now = clock_();
  if (const auto chunk = take_requeued(node, false)) return issue(*chunk, node, now);
  while (next_fresh_ < slots_.size() && slots_[next_fresh_].state != ChunkState::free)
    ++next_fresh_;  // restored
  if (next_fresh_ < slots_.size()) return issue(next_fresh_++, node, now);
  if (const auto copy = speculate(node, now)) return copy;
  // Only chunks it failed are left for this node. It gets one again only when no other node
  // holds work, and so none may come back to take it: a job with one node still ends.
  if (!failed_on_.empty() && !others_hold_work(node)) {
    if (const auto chunk = take_requeued(node, true)) return issue(*chunk, node, now);
  }
  return std::nullopt;
}

// The first free requeued chunk for `node` (one it did not fail, unless even_failed_on),
// dropping the requeued entries that are no longer free on the way.
std::optional<std::uint64_t> ChunkList::take_requeued(NodeID node, bool even_failed_on) {
  std::size_t scanned = 0;
  for (auto it = requeued_.begin(); it != requeued_.end() && scanned < kRequeuedScan;) {
    if (slots_[*it].state != ChunkState::free) {
      it = requeued_.erase(it);
      continue;
    }
    if (!even_failed_on && failed_on(node, *it)) {
      ++it;
      ++scanned;
      continue;
    }
    const std::uint64_t chunk = *it;
    requeued_.erase(it);
    return chunk;
  }
  return std::nullopt;
}

bool ChunkList::failed_on(NodeID node, std::uint64_t chunk) const {
  const auto it = failed_on_.find(chunk);
  return it != failed_on_.end() &&
         std::find(it->second.begin(), it->second.end(), node) != it->second.end();
}

// Holds on chunks done elsewhere do not count: a node that sits on its copies (a hoarder)
// must not keep a chunk from the one node left to take it.
bool ChunkList::others_hold_work(NodeID node) const {
  return std::any_of(held_.begin(), held_.end(), [this, node](const auto& entry) {
    return entry.first != node &&
           std::any_of(entry.second.begin(), entry.second.end(), [this](const Held& held) {
             return slots_[held.chunk].state == ChunkState::processing;
           });
  });
}

ChunkID ChunkList::issue(std::uint64_t chunk, NodeID node, Clock::time_point now) {
  Slot& slot = slots_[chunk];
  if (slot.state == ChunkState::free) set_state(slot, ChunkState::processing);
  if (slot.copies < kMaxCounter) ++slot.copies;
  held_[node].push_back({chunk, now});
  out_order_.push_back({chunk, now});
  if (out_order_.size() > 2 * processing_ + 64) prune_out_order();
  return ChunkID{chunk};
}

bool ChunkList::holds(NodeID node, std::uint64_t chunk) const {
  const auto it = held_.find(node);
  if (it == held_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [chunk](const Held& held) { return held.chunk == chunk; });
}

void ChunkList::prune_out_order() {
  std::erase_if(out_order_, [this](const Held& held) {
    return slots_[held.chunk].state != ChunkState::processing;
  });
}

std::optional<ChunkID> ChunkList::speculate(NodeID node, Clock::time_point now) {
  if (policy_.max_copies <= 1) return std::nullopt;
  while (!out_order_.empty() && slots_[out_order_.front().chunk].state != ChunkState::processing) {
    out_order_.pop_front();
  }
  // Before any result there is no mean: a chunk out for the first-straggler deadline is one,
  // so that a node that takes work and sits on it cannot hold the job before it has begun.
  const auto patience =
      have_mean_ ? std::chrono::duration<double>(policy_.straggler_factor * mean_seconds_)
                 : std::chrono::duration<double>(policy_.first_straggler_after);
  // A node that is a straggler itself gets no copy: it would only hold one more chunk back
  // (two hoarders would otherwise take the copies of each other's chunks, and no other node
  // could get one).
  if (const auto mine = held_.find(node); mine != held_.end()) {
    for (const Held& held : mine->second)
      if (now - held.since >= patience) return std::nullopt;
  }
  const std::size_t scan = std::min(out_order_.size(), kStragglerScan);
  for (std::size_t i = 0; i < scan; ++i) {
    const Held held = out_order_[i];
    const Slot& slot = slots_[held.chunk];
    if (slot.state != ChunkState::processing) continue;
    if (now - held.since < patience) break;  // hand-outs are in time order: the rest are younger
    if (slot.copies >= policy_.max_copies || holds(node, held.chunk) || failed_on(node, held.chunk))
      continue;
    return issue(held.chunk, node, now);
  }
  return std::nullopt;
}

bool ChunkList::complete(ChunkID chunk, NodeID node) {
  const auto index = checked(chunk);
  Slot& slot = slots_[index];
  const auto holder = held_.find(node);
  if (holder != held_.end()) {
    auto& list = holder->second;
    const auto it =
        std::find_if(list.begin(), list.end(), [index](const Held& h) { return h.chunk == index; });
    if (it != list.end()) {
      if (slot.state != ChunkState::done) {
        // The mean chunk time, for the straggler rule; only first results count.
        const double seconds = std::chrono::duration<double>(clock_() - it->since).count();
        mean_seconds_ = have_mean_ ? 0.9 * mean_seconds_ + 0.1 * seconds : seconds;
        have_mean_ = true;
      }
      if (slot.copies > 0) --slot.copies;
      *it = list.back();
      list.pop_back();
      if (list.empty()) held_.erase(holder);
    }
  }
  if (slot.state == ChunkState::done) return false;
  set_state(slot, ChunkState::done);
  return true;
}

std::vector<ChunkID> ChunkList::nodes_lost(const std::vector<NodeID>& nodes) {
  std::vector<ChunkID> failed_now;
  for (const NodeID node : nodes) {
    const auto holder = held_.find(node);
    if (holder == held_.end()) continue;
    for (const Held& held : holder->second) {
      if (lose_copy(held.chunk)) failed_now.emplace_back(held.chunk);
    }
    held_.erase(holder);
  }
  return failed_now;
}

bool ChunkList::lose_copy(std::uint64_t chunk, Loss loss) {
  Slot& slot = slots_[chunk];
  if (slot.state != ChunkState::processing) return false;
  if (slot.copies > 0) --slot.copies;
  if (loss == Loss::counted && slot.losses < kMaxCounter) ++slot.losses;
  if (loss == Loss::uncounted && slot.uncounted < kMaxCounter) ++slot.uncounted;
  const unsigned uncounted_limit =
      std::min<unsigned>(kMaxCounter, kUncountedLossFactor * policy_.max_attempts);
  if (slot.losses >= policy_.max_attempts || slot.uncounted >= uncounted_limit) {
    set_state(slot, ChunkState::failed);
    return true;
  }
  if (slot.copies == 0) {
    set_state(slot, ChunkState::free);
    requeued_.push_back(chunk);
  }
  return false;
}

bool ChunkList::drop_hold(NodeID node, std::uint64_t chunk) {
  const auto holder = held_.find(node);
  if (holder == held_.end()) return false;
  auto& list = holder->second;
  const auto it =
      std::find_if(list.begin(), list.end(), [chunk](const Held& h) { return h.chunk == chunk; });
  if (it == list.end()) return false;
  *it = list.back();
  list.pop_back();
  if (list.empty()) held_.erase(holder);
  return true;
}

bool ChunkList::reject(ChunkID chunk, NodeID node, Loss loss) {
  const auto index = checked(chunk);
  if (holds(node, index) && !failed_on(node, index)) failed_on_[index].push_back(node);
  return release(chunk, node, loss);
}

bool ChunkList::release(ChunkID chunk, NodeID node, Loss loss) {
  const auto index = checked(chunk);
  if (!drop_hold(node, index)) return false;
  return lose_copy(index, loss);
}

bool ChunkList::adopt(ChunkID chunk, NodeID node) {
  const auto index = checked(chunk);
  if (slots_[index].state != ChunkState::free) return false;
  (void)issue(index, node, clock_());  // hand_out skips it from now on: it is not free
  return true;
}

void ChunkList::mark_done(ChunkID chunk) {
  Slot& slot = slots_[checked(chunk)];
  if (slot.state != ChunkState::done) set_state(slot, ChunkState::done);
}

JobProgress ChunkList::progress() const {
  JobProgress progress;
  progress.total = slots_.size();
  progress.done = done_;
  progress.failed = failed_;
  progress.processing = processing_;
  return progress;
}

ChunkState ChunkList::state(ChunkID chunk) const {
  return slots_[checked(chunk)].state;
}

std::vector<ChunkID> ChunkList::failed_chunks() const {
  std::vector<ChunkID> failed;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].state == ChunkState::failed) failed.emplace_back(i);
  }
  return failed;
}

}  // namespace nc
