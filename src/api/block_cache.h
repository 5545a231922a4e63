#pragma once

#include <cstddef>
#include <new>

namespace cryptodash::api {

namespace detail {
/// A block of at least `bytes`, from the calling thread's cache when it has one of that size
/// class (64-byte classes up to 1 KiB), else from operator new. Throws std::bad_alloc.
void* cached_allocate(std::size_t bytes);
/// Gives back a block of `bytes` from cached_allocate, on any thread: it joins that thread's
/// cache (up to 64 KiB of blocks per class; the rest, and large blocks, go to operator delete).
void cached_deallocate(void* block, std::size_t bytes) noexcept;
}  // namespace detail

/// An allocator for the many small, short-lived blocks of a request (the header fields of
/// requests and responses): per-thread free lists by size class, so that the blocks of one
/// response are reused by the next without malloc or a search. Stateless; a block may be freed
/// on another thread than the one that allocated it. Alignment: that of operator new.
template <class T>
struct block_cache_allocator {
  using value_type = T;
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "over-aligned types unsupported");

  block_cache_allocator() noexcept = default;
  template <class U>
  block_cache_allocator(const block_cache_allocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(detail::cached_allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { detail::cached_deallocate(p, n * sizeof(T)); }

  template <class U>
  bool operator==(const block_cache_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace cryptodash::api
