#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace cryptodash::cache {

/// Epoch-based reclamation: lets readers follow pointers to shared objects without locks or
/// reference counts, while writers unlink objects and free them only once no reader can still
/// hold them.
///
/// A reader wraps its access in an epoch::guard. A writer that unlinks an object calls
/// retire(); the object is freed by a later collect() once every guard that was open when it was
/// retired has closed (the global epoch has moved on twice).
///
/// One process-wide domain. Guards are cheap (one full fence on entry, a store on exit) and may
/// nest. Thread-safe throughout.
class epoch {
 public:
  /// Marks the calling thread as reading shared objects until destruction.
  class guard {
   public:
    guard() noexcept;
    ~guard();
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
  };

  /// Queues `deleter(object)` to run once no guard open now can still see `object`.
  /// `object` must already be unreachable for new readers.
  static void retire(void* object, void (*deleter)(void*));

  template <class T>
  static void retire(T* object) {
    retire(object, [](void* p) { delete static_cast<T*>(p); });
  }

  /// Tries to advance the epoch, then frees what has become safe. Returns how many objects it
  /// freed. Cheap when there is nothing to do; call it from maintenance paths.
  static std::size_t collect();

  /// The current epoch, read after a full fence: an object unlinked before this call and
  /// tagged with the result is safe to free once advance() returns at least tag + 2.
  static std::uint64_t current();

  /// Tries to advance the epoch and returns its value (for owners that keep their own lists of
  /// unlinked objects, like the L1 cache).
  static std::uint64_t advance();

  /// Objects retired and not yet freed (for tests and stats).
  static std::size_t pending();

  /// Advances as far as possible and frees everything that is safe; used by tests and at
  /// shutdown. Must not be called inside a guard.
  static void drain();
};

}  // namespace cryptodash::cache
