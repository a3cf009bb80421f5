#pragma once
// The memory that frames still arriving may hold across all of a server's connections. A frame's
// payload is allocated when its header arrives, before its bytes do: without a common bound, a
// thousand peers announcing large frames and sending them a byte at a time would make the server
// hold a thousand large buffers.
//
// A connection whose next frame does not fit waits (it stops reading: TCP holds the sender back)
// until enough of the budget comes back, first come first served. Waiting rather than closing:
// a burst of honest nodes sending large results at once is served in turn instead of being cut
// off and sending everything again, and a peer that announces a frame and never finishes it is
// bounded in time anyway (its heartbeats are stuck behind its own frame, so the engine's timeout
// closes it). The budget is never smaller than one largest frame, so the first waiter always fits
// once the others are done.
//
// Thread safety: the event loop's thread only. Lifetime: shared_ptr; each lease keeps it alive.
//
//   auto budget = ReceiveBudget::make(64 << 20);
//   if (auto lease = budget->try_take(n)) ... else budget->wait(n, on_granted);

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace nc::detail {

class ReceiveBudget : public std::enable_shared_from_this<ReceiveBudget> {
 public:
  /// Bytes of the budget held by one frame; given back when it is reset or destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease(Lease&& other) noexcept { *this = std::move(other); }
    Lease& operator=(Lease&& other) noexcept;
    ~Lease() { reset(); }
    void reset();
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

   private:
    friend class ReceiveBudget;
    Lease(std::shared_ptr<ReceiveBudget> budget, std::uint64_t bytes)
        : budget_(std::move(budget)), bytes_(bytes) {}
    std::shared_ptr<ReceiveBudget> budget_;
    std::uint64_t bytes_ = 0;
  };
  /// Called once with the lease when the bytes asked for are free.
  using OnGranted = std::function<void(Lease)>;
  using WaitID = std::uint64_t;

  [[nodiscard]] static std::shared_ptr<ReceiveBudget> make(std::uint64_t capacity) {
    return std::shared_ptr<ReceiveBudget>(new ReceiveBudget(capacity));
  }

  /// A lease on `bytes` if they are free and nobody waits before; nullopt otherwise.
  /// `bytes` is at most capacity().
  [[nodiscard]] std::optional<Lease> try_take(std::uint64_t bytes);
  /// Queues a request for `bytes` (at most capacity()); `granted` is called from the give-back
  /// that frees them, so it must not re-enter its caller: it should post what it has to do.
  /// Cancel the request if the waiter goes first.
  WaitID wait(std::uint64_t bytes, OnGranted granted);
  void cancel(WaitID id);

  [[nodiscard]] std::uint64_t capacity() const { return capacity_; }
  [[nodiscard]] std::uint64_t in_use() const { return in_use_; }
  [[nodiscard]] std::size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter {
    WaitID id;
    std::uint64_t bytes;
    OnGranted granted;
  };
  explicit ReceiveBudget(std::uint64_t capacity) : capacity_(capacity) {}
  void give_back(std::uint64_t bytes);
  void grant_waiters();

  std::uint64_t capacity_;
  std::uint64_t in_use_ = 0;
  std::deque<Waiter> waiters_;
  WaitID next_id_ = 1;
  bool granting_ = false;
};

}  // namespace nc::detail
