#pragma once
// The bytes of a task or a result as the engines hand them on, and the buffers that received
// frames land in.
//
// A Payload either owns its bytes (what the user's serialisation made), or points into the
// frame it was decoded from and keeps that frame alive: decoding then copies nothing, and the
// user's deserialisation reads straight from the received bytes. Copying a Payload that owns
// its bytes copies them (and counts, copy_count.hpp); a view, or a Payload made by shared(),
// shares them instead.
//
// Thread safety: a Payload is a value; views of one frame may live in different threads
// (the frame is shared with an atomic count and never written once decoded).

#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <utility>

#include "core/copy_count.hpp"
#include "node_crunch/bytes.hpp"

namespace nc::detail {

class Payload {
 public:
  Payload() = default;
  /// Takes `bytes` over, without copying them.
  Payload(Bytes bytes) : owned_(std::move(bytes)) {}  // NOLINT(google-explicit-constructor)
  /// A view of `bytes`, which `owner` keeps alive.
  Payload(std::shared_ptr<const void> owner, ByteSpan bytes)
      : owner_(std::move(owner)), view_(bytes) {}
  /// Takes `bytes` over, so that copies of this Payload share them instead of copying.
  static Payload shared(Bytes bytes) {
    auto owner = std::make_shared<const Bytes>(std::move(bytes));
    const ByteSpan view(*owner);
    return Payload(std::move(owner), view);
  }

  Payload(const Payload& other) : owned_(other.owned_), owner_(other.owner_), view_(other.view_) {
    copy_count::add(owned_.size());
  }
  Payload& operator=(const Payload& other) {
    if (this != &other) {
      owned_ = other.owned_;
      owner_ = other.owner_;
      view_ = other.view_;
      copy_count::add(owned_.size());
    }
    return *this;
  }
  Payload(Payload&&) noexcept = default;
  Payload& operator=(Payload&&) noexcept = default;
  ~Payload() = default;

  [[nodiscard]] ByteSpan bytes() const { return owner_ ? view_ : ByteSpan(owned_); }
  operator ByteSpan() const { return bytes(); }  // NOLINT(google-explicit-constructor)
  [[nodiscard]] const std::byte* data() const { return bytes().data(); }
  [[nodiscard]] std::size_t size() const { return bytes().size(); }
  [[nodiscard]] bool empty() const { return size() == 0; }
  /// True if these bytes point into a buffer shared with others (a received frame).
  [[nodiscard]] bool is_view() const { return owner_ != nullptr; }

  bool operator==(const Payload& other) const { return std::ranges::equal(bytes(), other.bytes()); }

 private:
  Bytes owned_;                        // when it owns its bytes alone
  std::shared_ptr<const void> owner_;  // when it points into a shared buffer: keeps it alive
  ByteSpan view_;                      // the bytes, when owner_ is set
};

/// Memory for bytes that are about to be received: not zeroed first (the transport writes
/// every byte before anything reads them), and shared, so that the payloads decoded from it
/// can keep it alive.
class ReceiveBuffer {
 public:
  ReceiveBuffer() = default;
  explicit ReceiveBuffer(std::size_t size)
      : data_(std::make_shared_for_overwrite<std::byte[]>(size)), size_(size) {}

  [[nodiscard]] const std::byte* data() const { return data_.get(); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::span<std::byte> writable() { return {data_.get(), size_}; }
  [[nodiscard]] ByteSpan bytes() const { return {data_.get(), size_}; }
  [[nodiscard]] const std::byte* begin() const { return data_.get(); }
  [[nodiscard]] const std::byte* end() const { return data_.get() + size_; }
  const std::byte& operator[](std::size_t at) const { return data_[at]; }
  /// Keeps the first `size` bytes (after a seal's tag is checked and dropped).
  void shrink(std::size_t size) { size_ = std::min(size, size_); }
  /// What keeps the bytes alive, for views into them.
  [[nodiscard]] std::shared_ptr<const void> owner() const { return data_; }

 private:
  std::shared_ptr<std::byte[]> data_;
  std::size_t size_ = 0;
};

}  // namespace nc::detail
