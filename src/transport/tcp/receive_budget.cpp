#include "transport/tcp/receive_budget.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace nc::detail {

ReceiveBudget::Lease& ReceiveBudget::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    reset();
    budget_ = std::move(other.budget_);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void ReceiveBudget::Lease::reset() {
  if (!budget_) return;
  auto budget = std::move(budget_);
  budget_ = nullptr;
  budget->give_back(std::exchange(bytes_, 0));
}

std::optional<ReceiveBudget::Lease> ReceiveBudget::try_take(std::uint64_t bytes) {
  if (bytes > capacity_) throw std::length_error("more than the whole receive budget");
  if (!waiters_.empty() || in_use_ + bytes > capacity_) return std::nullopt;
  in_use_ += bytes;
  return Lease(shared_from_this(), bytes);
}

ReceiveBudget::WaitID ReceiveBudget::wait(std::uint64_t bytes, OnGranted granted) {
  if (bytes > capacity_) throw std::length_error("more than the whole receive budget");
  const WaitID id = next_id_++;
  waiters_.push_back(Waiter{id, bytes, std::move(granted)});
  grant_waiters();  // the budget may have room already (nobody waited before)
  return id;
}

void ReceiveBudget::cancel(WaitID id) {
  const auto found =
      std::find_if(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
  if (found == waiters_.end()) return;
  const bool first = found == waiters_.begin();
  waiters_.erase(found);
  if (first) grant_waiters();  // the next one may fit where the first did not
}

void ReceiveBudget::give_back(std::uint64_t bytes) {
  in_use_ -= std::min(bytes, in_use_);
  grant_waiters();
}

// First come, first served: a large frame at the head is not overtaken by small ones behind it,
// or it could wait for ever.
void ReceiveBudget::grant_waiters() {
  if (granting_) return;  // a lease given back from inside a grant: the loop below goes on
  granting_ = true;
  auto keep_alive = shared_from_this();
  while (!waiters_.empty() && in_use_ + waiters_.front().bytes <= capacity_) {
    Waiter waiter = std::move(waiters_.front());
    waiters_.pop_front();
    in_use_ += waiter.bytes;
    waiter.granted(Lease(keep_alive, waiter.bytes));
  }
  granting_ = false;
}

}  // namespace nc::detail
