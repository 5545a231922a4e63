#pragma once

// Member definitions of l1_cache (included by l1_cache.h).

namespace cryptodash::cache {

#define CRYPTODASH_L1 template <class Key, class Value, class Hash, class KeyEqual>
#define CRYPTODASH_L1_T l1_cache<Key, Value, Hash, KeyEqual>

CRYPTODASH_L1
typename CRYPTODASH_L1_T::table* CRYPTODASH_L1_T::table::create(std::size_t capacity) {
  void* mem = ::operator new(sizeof(table) + capacity * sizeof(std::atomic<std::uint64_t>),
                             std::align_val_t{64});
  auto* t = new (mem) table{capacity - 1};
  for (std::size_t i = 0; i < capacity; ++i) new (&t->slots()[i]) std::atomic<std::uint64_t>(0);
  return t;
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::table::destroy(void* t) noexcept {
  ::operator delete(t, std::align_val_t{64});
}

CRYPTODASH_L1
CRYPTODASH_L1_T::l1_cache(options opts)
    : clock_(opts.clock),
      weighted_(opts.max_weight > 0),
      maximum_(opts.max_weight > 0 ? opts.max_weight
                                   : std::max<std::uint64_t>(opts.max_entries, 1)),
      seed_(std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32)),
      listener_(std::move(opts.listener)),
      shards_(std::make_unique<shard[]>(shard_count)),
      writes_(std::make_unique<write_stripe[]>(write_stripes)),
      policy_(opts.policy, maximum_,
              weighted_ ? std::clamp<std::uint64_t>(opts.max_weight / 1024, 1024, 1 << 20)
                        : maximum_,
              now_ns(), [this](policy_node* p, removal_cause c) { evict_from_index(p, c); }) {
  // Room for the expected entries at a load of at most 1/2 before the first growth.
  std::uint64_t expected = weighted_ ? 1024 : maximum_;
  std::size_t per_shard = std::bit_ceil<std::size_t>(
      std::max<std::size_t>(16, static_cast<std::size_t>(expected / shard_count) * 2));
  for (std::size_t i = 0; i < shard_count; ++i) shards_[i].tab.store(table::create(per_shard));
}

CRYPTODASH_L1
CRYPTODASH_L1_T::~l1_cache() {
  // No one else may use the cache now. Replay what is queued so every unlinked node is in
  // limbo, then free limbo, the index's nodes and the tables.
  {
    std::lock_guard lock(policy_mutex_);
    for (std::size_t i = 0; i < write_stripes; ++i) {
      for (const auto& e : writes_[i].events) apply(e);
      writes_[i].events.clear();
    }
  }
  for (auto& [n, tag] : limbo_) destroy(n);
  for (node* n : unlinked_) destroy(n);
  for (std::size_t i = 0; i < shard_count; ++i) {
    table* t = shards_[i].tab.load();
    for (std::size_t j = 0; j <= t->mask; ++j) {
      std::uint64_t v = t->slots()[j].load(std::memory_order_relaxed);
      if (v != 0 && v != tombstone) destroy(reinterpret_cast<node*>(v & pointer_mask));
    }
    table::destroy(t);
  }
}

CRYPTODASH_L1
typename CRYPTODASH_L1_T::node* CRYPTODASH_L1_T::find(shard& s, std::uint64_t h,
                                                      const Key& key) const noexcept {
  table* t = s.tab.load(std::memory_order_acquire);
  const std::uint64_t tag = h >> 48;
  std::size_t i = h & t->mask;
  for (;;) {
    std::uint64_t v = t->slots()[i].load(std::memory_order_acquire);
    if (v == 0) return nullptr;
    if ((v >> 48) == tag && v != tombstone) {
      auto* n = reinterpret_cast<node*>(v & pointer_mask);
      if (KeyEqual{}(n->key, key)) return n;
    }
    i = (i + 1) & t->mask;
  }
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::rebuild_locked(shard& s, std::size_t capacity) {
  table* old = s.tab.load(std::memory_order_relaxed);
  table* t = table::create(capacity);
  for (std::size_t j = 0; j <= old->mask; ++j) {
    std::uint64_t v = old->slots()[j].load(std::memory_order_relaxed);
    if (v == 0 || v == tombstone) continue;
    auto* n = reinterpret_cast<node*>(v & pointer_mask);
    std::size_t i = n->hash & t->mask;
    while (t->slots()[i].load(std::memory_order_relaxed) != 0) i = (i + 1) & t->mask;
    t->slots()[i].store(v, std::memory_order_relaxed);
    ++t->live;
  }
  t->used = t->live;
  s.tab.store(t, std::memory_order_release);
  epoch::retire(old, &table::destroy);  // readers may still be probing it
}

CRYPTODASH_L1
typename CRYPTODASH_L1_T::node* CRYPTODASH_L1_T::insert_locked(shard& s, node* fresh) {
  const std::uint64_t h = fresh->hash;
  const std::uint64_t packed = ((h >> 48) << 48) | reinterpret_cast<std::uint64_t>(fresh);
  table* t = s.tab.load(std::memory_order_relaxed);
  std::size_t i = h & t->mask;
  std::size_t free_slot = SIZE_MAX;
  for (;;) {
    std::uint64_t v = t->slots()[i].load(std::memory_order_relaxed);
    if (v == 0) break;
    if (v == tombstone) {
      if (free_slot == SIZE_MAX) free_slot = i;
    } else if ((v >> 48) == (h >> 48)) {
      auto* n = reinterpret_cast<node*>(v & pointer_mask);
      if (KeyEqual{}(n->key, fresh->key)) {
        t->slots()[i].store(packed, std::memory_order_release);
        n->set_state(node_state::retired, std::memory_order_relaxed);
        return n;
      }
    }
    i = (i + 1) & t->mask;
  }
  if (free_slot == SIZE_MAX) {
    free_slot = i;
    ++t->used;
  }
  t->slots()[free_slot].store(packed, std::memory_order_release);
  ++t->live;
  s.live.fetch_add(1, std::memory_order_relaxed);
  // Keep the load (live + tombstones) under 3/4: grow when half is live, else just sweep.
  std::size_t capacity = t->mask + 1;
  if (t->used * 4 >= capacity * 3) {
    rebuild_locked(s, t->live * 2 >= capacity ? capacity * 2 : capacity);
  }
  return nullptr;
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::remove_slot_locked(shard& s, std::uint64_t h, node* n) {
  table* t = s.tab.load(std::memory_order_relaxed);
  const std::uint64_t packed = ((h >> 48) << 48) | reinterpret_cast<std::uint64_t>(n);
  for (std::size_t i = h & t->mask;; i = (i + 1) & t->mask) {
    std::uint64_t v = t->slots()[i].load(std::memory_order_relaxed);
    if (v == 0) return;
    if (v == packed) {
      t->slots()[i].store(tombstone, std::memory_order_release);
      --t->live;
      s.live.fetch_sub(1, std::memory_order_relaxed);
      n->set_state(node_state::retired, std::memory_order_relaxed);
      return;
    }
  }
}

CRYPTODASH_L1
typename CRYPTODASH_L1_T::value_ptr CRYPTODASH_L1_T::get(const Key& key, core::time_point now) {
  const std::uint64_t h = hash_of(key);
  value_ptr result;
  node* hit = nullptr;
  {
    epoch::guard guard;
    node* n = find(shard_for(h), h, key);
    if (n != nullptr &&
        (n->expiry_ns == never_expires ||
         (now == core::time_point::min() ? now_ns() : to_ns(now)) < n->expiry_ns)) {
      result = share(n);
      hit = n;
      record_read(n, true);
    }
  }
  if (hit == nullptr) record_read(nullptr, false);
  return result;
}

CRYPTODASH_L1
typename CRYPTODASH_L1_T::value_ptr CRYPTODASH_L1_T::peek(const Key& key, core::time_point now) {
  const std::uint64_t h = hash_of(key);
  epoch::guard guard;
  node* n = find(shard_for(h), h, key);
  if (n == nullptr) return nullptr;
  if (n->expiry_ns != never_expires &&
      (now == core::time_point::min() ? now_ns() : to_ns(now)) >= n->expiry_ns) {
    return nullptr;
  }
  return n->value.load();
}

CRYPTODASH_L1
thread_local std::array<typename CRYPTODASH_L1_T::held_value, CRYPTODASH_L1_T::held_slots>
    CRYPTODASH_L1_T::held_;

CRYPTODASH_L1
typename CRYPTODASH_L1_T::value_ptr CRYPTODASH_L1_T::share(node* n) {
  // Only the object's address is needed to know that a value this thread holds is still the
  // entry's (the thread's reference keeps that address from being reused).
  const Value* raw = n->value.get();
  auto mixed = reinterpret_cast<std::uintptr_t>(n);
  held_value& slot = held_[((mixed >> 7) ^ (mixed >> 17)) & (held_slots - 1)];
  if (slot.entry == n && slot.cache == this && slot.value == raw) {
    slot.recent = true;
    if (slot.local) return std::static_pointer_cast<const Value>(slot.local);
    // Seen again by this thread: from now on through this thread's own count.
    return n->value.read([&slot, raw](const value_ptr& value) -> value_ptr {
      if (value.get() != raw) return value;  // replaced meanwhile
      slot.local = std::shared_ptr<const void>(std::make_shared<value_ptr>(value), raw);
      return std::static_pointer_cast<const Value>(slot.local);
    });
  }
  if (slot.recent) {
    slot.recent = false;  // second chance for the value in the slot
  } else {
    slot.cache = this;
    slot.entry = n;
    slot.value = raw;
    slot.local.reset();
  }
  return n->value.load();
}

CRYPTODASH_L1
thread_local typename CRYPTODASH_L1_T::replaced_values CRYPTODASH_L1_T::replaced_;

CRYPTODASH_L1
void CRYPTODASH_L1_T::retire_value(value_ptr old) noexcept {
  auto& items = replaced_.items;
  const std::uint64_t now = epoch::current();
  items.emplace_back(std::move(old), now);  // out of memory: terminate, never free it early
  // What the epoch has made safe goes at once; a full batch advances the epoch to free more.
  const std::uint64_t safe =
      items.size() >= replaced_batch && items.front().second + 2 > now ? epoch::advance() : now;
  std::size_t done = 0;
  while (done < items.size() && items[done].second + 2 <= safe) ++done;
  if (done > 0) items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(done));
}

CRYPTODASH_L1
template <class Visitor>
bool CRYPTODASH_L1_T::visit(const Key& key, Visitor&& visitor) {
  const std::uint64_t h = hash_of(key);
  bool found = false;
  {
    epoch::guard guard;
    node* n = find(shard_for(h), h, key);
    if (n != nullptr && (n->expiry_ns == never_expires || now_ns() < n->expiry_ns)) {
      visitor(*n->value.get());
      found = true;
      record_read(n, true);
    }
  }
  if (!found) record_read(nullptr, false);
  return found;
}

// Counts the read and queues a hit for the policy; drains the buffers when they fill. Called
// inside the lookup's guard for a hit (the buffer then holds `n`), outside it for a miss.
CRYPTODASH_L1
void CRYPTODASH_L1_T::record_read(node* n, bool hit) noexcept {
  read_buffer::stripe& stripe = reads_.mine();
  if (!hit) {
    stripe.misses.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  stripe.hits.fetch_add(1, std::memory_order_relaxed);
  record_access(stripe, n);
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::record_update(node* n) noexcept {
  read_buffer::stripe& stripe = reads_.mine();
  stripe.updates.fetch_add(1, std::memory_order_relaxed);
  record_access(stripe, n);
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::record_access(read_buffer::stripe& stripe, node* n) noexcept {
  if (!read_buffer::sampled(stripe)) return;
  if (read_buffer::offer(stripe, n) != read_buffer::offer_result::full) return;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  const bool frequent =
      now - stripe.drained_at.load(std::memory_order_relaxed) < crowded_drain_ns;
  const long foreign = maintain(lock_mode::try_only, &stripe);
  if (foreign >= 0) stripe.drained_at.store(now, std::memory_order_relaxed);
  read_buffer::adapt(stripe, foreign < 0 || (frequent && foreign > 0));
}

CRYPTODASH_L1
typename CRYPTODASH_L1_T::write_stripe& CRYPTODASH_L1_T::push_event(const write_event& e) {
  write_stripe& w = writes_[thread_stripe() & (write_stripes - 1)];
  std::lock_guard lock(w.mutex);
  w.events.push_back(e);
  w.size.store(w.events.size(), std::memory_order_relaxed);
  return w;
}

// Maintains when the caller's batch is full: blocking if the queue is long (writers must not
// outrun the policy), else only if the policy is free.
CRYPTODASH_L1
void CRYPTODASH_L1_T::after_write(write_stripe& w) {
  const std::size_t pending = w.size.load(std::memory_order_relaxed);
  if (pending >= max_pending_events) {
    maintain(lock_mode::block);
    return;
  }
  const std::uint32_t batch = w.batch.load(std::memory_order_relaxed);
  if (pending < batch) return;
  const long foreign = maintain(lock_mode::try_only, &reads_.mine());
  // Busy policy, or other threads' reads or writes in the run: let events pile up longer.
  std::uint32_t next = foreign != 0 ? std::min(batch * 2, max_write_batch)
                                    : std::max<std::uint32_t>(batch / 2, 1);
  w.batch.store(next, std::memory_order_relaxed);
}

CRYPTODASH_L1
template <class V>
bool CRYPTODASH_L1_T::update_in_place(const Key& key, std::uint64_t h, V&& value,
                                      std::int64_t expires, std::uint32_t weight) {
  value_ptr old;
  {
    epoch::guard guard;  // the buffer may hold `n` after the lock is released
    shard& s = shard_for(h);
    // A look without the lock first: a put of a new key (or one with another expiry) pays no
    // second locking. The weight is on the policy's line: read only when it can differ.
    node* n = find(s, h, key);
    if (n == nullptr || n->expiry_ns != expires || (weighted_ && n->weight != weight)) {
      return false;
    }
    if (n->value.get() == value.get()) {
      // The value it holds: nothing to write, nothing replaced; an access for the policy.
      // Ordered before any put or removal racing it.
      record_access(reads_.mine(), n);
      return true;
    }
    {
      std::lock_guard lock(s.mutex);
      if (find(s, h, key) != n) return false;  // replaced or removed meanwhile
      old = n->value.exchange(std::forward<V>(value));
    }
    record_update(n);
  }
  // Retired before the listener runs: if it throws, a reader may still be copying `old`.
  value_ptr told = listener_ ? old : value_ptr();
  retire_value(std::move(old));
  if (listener_) listener_(key, told, removal_cause::replaced);
  return true;
}

CRYPTODASH_L1
template <class V>
void CRYPTODASH_L1_T::put_value(const Key& key, V&& value, core::time_point expires_at,
                                std::uint32_t weight) {
  const std::uint64_t h = hash_of(key);
  const std::int64_t expires = to_ns(expires_at);
  weight = weighted_ ? std::max<std::uint32_t>(weight, 1) : 1;
  if (update_in_place(key, h, std::forward<V>(value), expires, weight)) return;
  node* fresh = make_node(key, std::forward<V>(value), expires, weight, h);
  std::optional<notification> note;
  write_stripe* stripe;
  {
    epoch::guard guard;  // keeps `old` alive until its event is queued
    shard& s = shard_for(h);
    node* old;
    {
      std::lock_guard lock(s.mutex);
      old = insert_locked(s, fresh);
    }
    if (old != nullptr) {
      evictions_[static_cast<int>(removal_cause::replaced)].fetch_add(1,
                                                                      std::memory_order_relaxed);
      stripe = &push_event({write_event::replace, old, fresh});
      if (listener_) note = notification{old->key, old->value.load(), removal_cause::replaced};
    } else {
      stripe = &push_event({write_event::add, fresh, nullptr});
    }
  }
  if (note) listener_(note->key, note->value, note->cause);
  after_write(*stripe);
}

CRYPTODASH_L1
bool CRYPTODASH_L1_T::invalidate(const Key& key) {
  const std::uint64_t h = hash_of(key);
  std::optional<notification> note;
  {
    epoch::guard guard;
    shard& s = shard_for(h);
    node* n;
    {
      std::lock_guard lock(s.mutex);
      n = find(s, h, key);
      if (n != nullptr) remove_slot_locked(s, h, n);
    }
    if (n == nullptr) return false;
    push_event({write_event::remove, n, nullptr});
    note = notification{n->key, n->value.load(), removal_cause::invalidated};
  }
  evictions_[static_cast<int>(removal_cause::invalidated)].fetch_add(1, std::memory_order_relaxed);
  if (listener_) listener_(note->key, note->value, note->cause);
  maintain(lock_mode::try_only);
  return true;
}

CRYPTODASH_L1
std::size_t CRYPTODASH_L1_T::invalidate_if(const std::function<bool(const Key&)>& pred) {
  std::vector<notification> notes;
  std::size_t removed = 0;
  {
    epoch::guard guard;
    for (std::size_t i = 0; i < shard_count; ++i) {
      shard& s = shards_[i];
      std::vector<node*> victims;
      {
        std::lock_guard lock(s.mutex);
        table* t = s.tab.load(std::memory_order_relaxed);
        for (std::size_t j = 0; j <= t->mask; ++j) {
          std::uint64_t v = t->slots()[j].load(std::memory_order_relaxed);
          if (v == 0 || v == tombstone) continue;
          auto* n = reinterpret_cast<node*>(v & pointer_mask);
          if (!pred(n->key)) continue;
          t->slots()[j].store(tombstone, std::memory_order_release);
          --t->live;
          s.live.fetch_sub(1, std::memory_order_relaxed);
          n->set_state(node_state::retired, std::memory_order_relaxed);
          victims.push_back(n);
        }
      }
      for (node* n : victims) {
        push_event({write_event::remove, n, nullptr});
        if (listener_) notes.push_back({n->key, n->value.load(), removal_cause::invalidated});
      }
      removed += victims.size();
    }
  }
  evictions_[static_cast<int>(removal_cause::invalidated)].fetch_add(removed,
                                                                     std::memory_order_relaxed);
  notify(notes);
  maintain(lock_mode::block);
  return removed;
}

CRYPTODASH_L1
long CRYPTODASH_L1_T::maintain(lock_mode mode, const read_buffer::stripe* mine) {
  std::vector<notification> notes;
  long foreign = 0;
  {
    std::unique_lock lock(policy_mutex_, std::defer_lock);
    if (mode == lock_mode::block) {
      lock.lock();
    } else if (maintaining_.load(std::memory_order_relaxed) || !lock.try_lock()) {
      return -1;  // someone else is maintaining; they will see our events
    }
    maintaining_.store(true, std::memory_order_relaxed);
    foreign = static_cast<long>(maintain_locked(notes, mine));
    maintaining_.store(false, std::memory_order_relaxed);
  }
  notify(notes);
  return foreign;
}

CRYPTODASH_L1
std::size_t CRYPTODASH_L1_T::maintain_locked(std::vector<notification>& notes,
                                             const read_buffer::stripe* mine) {
  pending_notes_ = &notes;
  // Nodes unlinked two epochs before this point can no longer be in any buffer once the
  // buffers below are drained (they were queued inside guards that have all closed).
  // Advancing the epoch writes a line every reader reads: do it only when limbo is worth it.
  std::uint64_t safe = 0;
  if (!limbo_.empty() && (limbo_.size() >= 256 || ++limbo_checked_ >= 16)) {
    safe = epoch::advance();
    limbo_checked_ = 0;
  }

  const std::size_t foreign_reads = reads_.drain(
      [this](policy_node* p) {
        if (p->queue != queue_id::none &&
            owner_of(p)->state(std::memory_order_relaxed) == node_state::alive) {
          policy_.on_access(p);
        }
      },
      mine);

  std::size_t foreign_events = 0;
  for (std::size_t i = 0; i < write_stripes; ++i) {
    write_stripe& w = writes_[i];
    if (w.size.load(std::memory_order_relaxed) == 0) continue;
    {
      std::lock_guard lock(w.mutex);
      draining_.swap(w.events);
      w.size.store(0, std::memory_order_relaxed);
    }
    if (&w != &writes_[thread_stripe() & (write_stripes - 1)]) foreign_events += draining_.size();
    for (const auto& e : draining_) apply(e);
    draining_.clear();
  }

  if (policy_.scheduled() > 0) policy_.expire(now_ns());
  policy_.evict_if_needed();
  policy_.climb();
  weighted_size_.store(policy_.weighted_size(), std::memory_order_relaxed);

  // What was unlinked during this run is tagged with an epoch read after all the unlinking.
  if (!unlinked_.empty()) {
    const std::uint64_t tag = epoch::current();
    for (node* n : unlinked_) limbo_.emplace_back(n, tag);
    unlinked_.clear();
  }
  // Free what has been unlinked long enough (limbo is in epoch order).
  std::size_t freed = 0;
  while (freed < limbo_.size() && limbo_[freed].second + 2 <= safe) destroy(limbo_[freed++].first);
  if (freed > 0) limbo_.erase(limbo_.begin(), limbo_.begin() + static_cast<std::ptrdiff_t>(freed));
  if (epoch::pending() > 0) epoch::collect();  // old tables
  pending_notes_ = nullptr;
  return foreign_reads + foreign_events;
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::apply(const write_event& e) {
  auto alive = [](node* n) {
    return n->state(std::memory_order_relaxed) == node_state::alive;
  };
  auto in_policy = [](node* n) { return n->queue != queue_id::none; };
  switch (e.kind) {
    case write_event::add:
      // A node already unlinked again is left to the event that reports its unlinking.
      if (alive(e.a) && !in_policy(e.a)) policy_.on_add(e.a);
      break;
    case write_event::replace:
      if (in_policy(e.a)) {
        if (alive(e.b) && !in_policy(e.b)) {
          policy_.on_replace(e.a, e.b);
        } else {
          policy_.on_remove(e.a);
        }
      } else if (alive(e.b) && !in_policy(e.b)) {
        policy_.on_add(e.b);
      }
      to_limbo(e.a);
      break;
    case write_event::remove:
      if (in_policy(e.a)) policy_.on_remove(e.a);
      to_limbo(e.a);
      break;
  }
}

CRYPTODASH_L1
typename CRYPTODASH_L1_T::node* CRYPTODASH_L1_T::make_node(const Key& k, value_ptr v,
                                                           std::int64_t expires, std::uint32_t w,
                                                           std::uint64_t h) {
  void* mem = pool_.allocate();
  try {
    return new (mem) node(k, std::move(v), expires, w, h);
  } catch (...) {
    pool_.deallocate(mem);
    throw;
  }
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::to_limbo(node* n) {
  n->set_state(node_state::dead, std::memory_order_relaxed);
  unlinked_.push_back(n);
}

// Called by the policy (under policy_mutex_) for an entry it gives up.
CRYPTODASH_L1
void CRYPTODASH_L1_T::evict_from_index(policy_node* p, removal_cause cause) {
  node* n = owner_of(p);
  shard& s = shard_for(p->hash);
  bool was_mapped = false;
  {
    std::lock_guard lock(s.mutex);
    if (n->state(std::memory_order_relaxed) == node_state::alive) {
      remove_slot_locked(s, p->hash, n);
      was_mapped = true;
    }
  }
  // If a writer unlinked it first, its pending event will put it in limbo.
  if (!was_mapped) return;
  to_limbo(n);
  evictions_[static_cast<int>(cause)].fetch_add(1, std::memory_order_relaxed);
  if (listener_ && pending_notes_ != nullptr) {
    pending_notes_->push_back({n->key, n->value.load(), cause});
  }
}

CRYPTODASH_L1
void CRYPTODASH_L1_T::notify(std::vector<notification>& notes) {
  if (!listener_) return;
  for (const auto& n : notes) listener_(n.key, n.value, n.cause);
}

CRYPTODASH_L1
std::uint64_t CRYPTODASH_L1_T::size() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < shard_count; ++i) {
    total += shards_[i].live.load(std::memory_order_relaxed);
  }
  return total;
}

CRYPTODASH_L1
l1_stats CRYPTODASH_L1_T::stats() const noexcept {
  l1_stats s;
  s.hits = reads_.hits();
  s.misses = reads_.misses();
  for (int i = 0; i < removal_cause_count; ++i) {
    s.evictions[i] = evictions_[i].load(std::memory_order_relaxed);
  }
  s.evictions[static_cast<int>(removal_cause::replaced)] += reads_.updates();
  s.entry_count = size();
  s.weighted_size = weighted_ ? weighted_size_.load(std::memory_order_relaxed) : s.entry_count;
  s.maximum = maximum_;
  return s;
}

#undef CRYPTODASH_L1
#undef CRYPTODASH_L1_T

}  // namespace cryptodash::cache
