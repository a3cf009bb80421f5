#pragma once
// An allocator for grids of numbers: memory comes from calloc, which for large blocks maps
// pages that the kernel zeroes only when first touched, and value-initialisation does
// nothing more. A 4096x4096 result grid then costs nothing until its chunks arrive.

#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace nc::detail {

template <class T>
class ZeroedAllocator {
 public:
  using value_type = T;

  ZeroedAllocator() = default;
  template <class U>
  ZeroedAllocator(const ZeroedAllocator<U>& /*other*/) {}  // NOLINT: allocators convert implicitly

  T* allocate(std::size_t count) {
    if (count > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    void* memory = std::calloc(count == 0 ? 1 : count, sizeof(T));
    if (memory == nullptr) throw std::bad_alloc();
    return static_cast<T*>(memory);
  }
  void deallocate(T* memory, std::size_t /*count*/) { std::free(memory); }

  /// Value-initialisation of numbers: calloc already zeroed them.
  template <class U>
  void construct(U* at) {
    if constexpr (!std::is_arithmetic_v<U>) ::new (static_cast<void*>(at)) U();
  }
  template <class U, class... Args>
  void construct(U* at, Args&&... args) {
    ::new (static_cast<void*>(at)) U(std::forward<Args>(args)...);
  }

  template <class U>
  bool operator==(const ZeroedAllocator<U>& /*other*/) const {
    return true;
  }
};

}  // namespace nc::detail
