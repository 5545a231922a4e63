#include "cache/slab_pool.h"

#include "cache/thread_stripe.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace cryptodash::cache {

slab_pool::slab_pool(std::size_t block_size)
    : block_size_((std::max<std::size_t>(block_size, sizeof(free_block)) + 63) & ~std::size_t{63}),
      stripes_(std::make_unique<stripe[]>(stripes)) {}

slab_pool::~slab_pool() {
  for (void* c : chunks_) std::free(c);
}

std::size_t slab_pool::reserved_bytes() const noexcept {
  std::lock_guard lock(shared_mutex_);
  return chunks_.size() * chunk_size;
}

void slab_pool::refill(stripe& s) {
  std::lock_guard lock(shared_mutex_);
  while (s.count < batch && shared_ != nullptr) {
    free_block* b = shared_;
    shared_ = b->next;
    b->next = s.head;
    s.head = b;
    ++s.count;
  }
  while (s.count < batch) {
    if (carve_ == nullptr || carve_ + block_size_ > carve_end_) {
      void* chunk = std::aligned_alloc(chunk_size, chunk_size);
      if (chunk == nullptr) {
        if (s.count > 0) return;
        throw std::bad_alloc();
      }
      ::madvise(chunk, chunk_size, MADV_HUGEPAGE);  // a hint: fine if refused
      chunks_.push_back(chunk);
      carve_ = static_cast<char*>(chunk);
      carve_end_ = carve_ + chunk_size;
    }
    auto* b = reinterpret_cast<free_block*>(carve_);
    carve_ += block_size_;
    b->next = s.head;
    s.head = b;
    ++s.count;
  }
}

void* slab_pool::allocate() {
  stripe& s = stripes_[thread_stripe() & (stripes - 1)];
  std::lock_guard lock(s.mutex);
  if (s.head == nullptr) refill(s);
  free_block* b = s.head;
  s.head = b->next;
  --s.count;
  return b;
}

void slab_pool::deallocate(void* block) noexcept {
  stripe& s = stripes_[thread_stripe() & (stripes - 1)];
  std::lock_guard lock(s.mutex);
  auto* b = static_cast<free_block*>(block);
  b->next = s.head;
  s.head = b;
  if (++s.count < 2 * batch) return;
  // Too many here: hand a batch back to the shared list for other stripes.
  free_block* first = s.head;
  free_block* last = first;
  for (std::size_t i = 1; i < batch; ++i) last = last->next;
  s.head = last->next;
  s.count -= batch;
  std::lock_guard shared_lock(shared_mutex_);
  last->next = shared_;
  shared_ = first;
}

}  // namespace cryptodash::cache
