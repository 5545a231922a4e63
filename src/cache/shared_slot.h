#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

namespace cryptodash::cache {

/// A std::shared_ptr<const T> that a writer replaces while readers copy it without a lock —
/// the value of an L1 entry that a put updates in place.
///
/// The pointer's two words (object, control block) are each stored atomically and guarded by a
/// sequence number (a seqlock): a writer makes the number odd, stores the words, makes it even
/// again; a reader reads the number, the words, and the number again, and retries if it
/// changed, so it never sees half of one pointer and half of another.
///
/// Contract:
/// - Writers are serialised by the caller (the L1 shard lock).
/// - A reader may still be adding a reference to the value a writer just replaced. So the
///   writer keeps the replaced pointer (exchange() returns it) alive until every reader that
///   could have seen it is done: the L1 tags it with the epoch and frees it two epochs later,
///   and readers read only inside an epoch::guard.
/// - The words are moved in and out of a std::shared_ptr's object representation, which
///   assumes the pointer is trivially relocatable (true of libstdc++ and libc++: two plain
///   pointers, no pointer to itself).
template <class T>
class shared_slot {
 public:
  using pointer = std::shared_ptr<const T>;
  static_assert(sizeof(pointer) == 2 * sizeof(std::uintptr_t), "shared_ptr is two words");

  explicit shared_slot(pointer p) noexcept { store_words(into_words(std::move(p))); }
  ~shared_slot() { (void)from_words(load_words()); }
  shared_slot(const shared_slot&) = delete;
  shared_slot& operator=(const shared_slot&) = delete;

  /// Installs `p`; returns the pointer it replaced (see the contract). Writers serialised.
  pointer exchange(pointer p) noexcept {
    const auto old = load_words();
    const std::uint32_t v = version_.load(std::memory_order_relaxed);
    version_.store(v + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    store_words(into_words(std::move(p)));
    version_.store(v + 2, std::memory_order_release);
    return from_words(old);
  }

  /// A new reference to the current value (one reference-count increment).
  [[gnu::always_inline]] pointer load() const noexcept {
    return read([](const pointer& view) { return view; });
  }

  /// `f(const pointer&)` on the current value without taking a reference: `f` must not keep
  /// the reference, and the object stays valid only inside the caller's epoch guard.
  template <class F>
  [[gnu::always_inline]] decltype(auto) read(F&& f) const {
    for (;;) {
      const std::uint32_t v1 = version_.load(std::memory_order_acquire);
      if ((v1 & 1) == 0) {
        const auto w = load_words();
        std::atomic_thread_fence(std::memory_order_acquire);
        if (version_.load(std::memory_order_relaxed) == v1) {
          alignas(pointer) unsigned char bytes[sizeof(pointer)];
          std::memcpy(bytes, w.data, sizeof(bytes));
          return f(*std::launder(reinterpret_cast<const pointer*>(bytes)));  // not destroyed
        }
      }
      spin();
    }
  }

  /// The object pointed to, in one load (no retry): valid only inside the caller's epoch guard,
  /// like read(). The object's address is the pointer's first word (libstdc++ and libc++
  /// alike; shared_slot_test checks it).
  const T* get() const noexcept {
    return reinterpret_cast<const T*>(words_[0].load(std::memory_order_acquire));
  }

 private:
  struct words {
    std::uintptr_t data[2];
  };

  // Moves `p` into its object representation; the words then own the reference.
  static words into_words(pointer p) noexcept {
    alignas(pointer) unsigned char bytes[sizeof(pointer)];
    new (bytes) pointer(std::move(p));  // never destroyed: the words own it now
    words w;
    std::memcpy(w.data, bytes, sizeof(bytes));
    return w;
  }

  // Takes the reference the words own back into a pointer.
  static pointer from_words(const words& w) noexcept {
    alignas(pointer) unsigned char bytes[sizeof(pointer)];
    std::memcpy(bytes, w.data, sizeof(bytes));
    auto* held = std::launder(reinterpret_cast<pointer*>(bytes));
    pointer p = std::move(*held);
    held->~pointer();  // empty after the move
    return p;
  }

  words load_words() const noexcept {
    return {{words_[0].load(std::memory_order_relaxed), words_[1].load(std::memory_order_relaxed)}};
  }
  // The object's address last, with release: get() reads it alone, with acquire.
  void store_words(const words& w) noexcept {
    words_[1].store(w.data[1], std::memory_order_relaxed);
    words_[0].store(w.data[0], std::memory_order_release);
  }

  static void spin() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  std::atomic<std::uint32_t> version_{0};
  std::atomic<std::uintptr_t> words_[2];  // [0]: the object's address, stored last
};

}  // namespace cryptodash::cache
