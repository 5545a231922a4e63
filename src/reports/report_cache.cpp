#include "reports/report_cache.h"

#include "core/keys.h"
#include "market/payloads.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <set>

namespace cryptodash::reports {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;

namespace {

// The latest id as the tiered cache keeps it: {"id":123}.
std::string pointer_payload(std::int64_t id) {
  return fmt::format(R"({{"id":{}}})", id);
}

std::optional<std::int64_t> pointer_id(std::string_view payload) {
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* id = v.as_object().if_contains("id");
  if (id == nullptr || !id->is_int64() || id->as_int64() < 1) return std::nullopt;
  return id->as_int64();
}

std::string none_yet_payload(std::string_view symbol, std::string_view timeframe) {
  return market::not_found_payload(fmt::format("no {} {} report yet", symbol, timeframe));
}

std::string floor_key(std::string_view symbol, std::string_view timeframe) {
  return fmt::format("{}:{}", symbol, timeframe);
}

}  // namespace

report_cache::report_cache(async_report_store& store, cache::tiered_cache& cache, options opts)
    : store_(store),
      cache_(cache),
      opts_(opts),
      by_id_({.max_entries = 0,
              .max_weight = std::max<std::uint64_t>(opts.max_bytes, 1),
              .clock = opts.clock}) {}

report_ptr report_cache::remember(stored_report report) {
  raise_floor(report);
  const auto id = report.id;
  // Reports never change: one already held stays (a put would only swap in an equal copy).
  if (auto held = by_id_.get(id)) return held;
  const auto weight = static_cast<std::uint32_t>(
      std::min<std::size_t>(report.body.size() + report.symbol.size() + 64, UINT32_MAX));
  auto ptr = std::make_shared<const stored_report>(std::move(report));
  by_id_.put(id, ptr, core::time_point::max(), weight);
  return ptr;
}

void report_cache::raise_floor(const stored_report& r) {
  {
    std::lock_guard lock(mutex_);
    auto& f = floors_[floor_key(r.symbol, r.timeframe)];
    f = std::max(f, r.id);
  }
  auto seen = highest_.load(std::memory_order_relaxed);
  while (seen < r.id && !highest_.compare_exchange_weak(seen, r.id)) {
  }
}

std::int64_t report_cache::floor_of(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = floors_.find(key);
  return it == floors_.end() ? 0 : it->second;
}

void report_cache::count(bool hit) noexcept {
  (hit ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
}

asio::awaitable<core::result<report_ptr>> report_cache::get(std::int64_t id) {
  if (id < 1) co_return report_ptr();
  if (auto hit = by_id_.get(id)) {
    count(true);
    co_return hit;
  }
  auto r = co_await load(id);
  count(r.result && !r.from_store);
  co_return std::move(r.result);
}

asio::awaitable<report_cache::read> report_cache::load(std::int64_t id) {
  bool from_store = false;  // runs only in this call, while it waits below
  auto read_store = [this, id, &from_store]() -> asio::awaitable<core::result<report_ptr>> {
    // Another reader's load may have ended between this one's miss and its flight.
    if (auto hit = by_id_.get(id)) co_return hit;
    from_store = true;
    auto found = co_await store_.get(id);
    if (!found) co_return found.error();
    if (!*found) co_return report_ptr();
    co_return remember(std::move(**found));
  };
  auto out = co_await loads_.run(id, std::move(read_store));
  co_return read{std::move(out.result), from_store};
}

asio::awaitable<core::result<report_ptr>> report_cache::latest(std::string symbol,
                                                               std::string timeframe) {
  auto key = core::cache_key::report(symbol, timeframe);
  if (!key) co_return key.error();
  auto sym = core::normalize_symbol(symbol);
  auto tf = core::normalize_timeframe(timeframe);
  if (!sym || !tf) co_return make_error_code(errc::invalid_argument);

  // Whether the compute ran for this call (it may also run later, in the background, after
  // this read returned: hence shared).
  auto went_to_store = std::make_shared<std::atomic<bool>>(false);
  cache::compute_fn compute = [this, s = *sym, t = *tf,
                               went_to_store]() -> asio::awaitable<core::result<cache::computed>> {
    went_to_store->store(true);
    auto found = co_await store_.latest(s, t);
    if (!found) co_return found.error();
    if (!*found) co_return cache::computed(none_yet_payload(s, t), cache::ttl_class::not_found);
    auto ptr = remember(std::move(**found));
    co_return cache::computed(pointer_payload(ptr->id));
  };
  auto found = co_await cache_.get_or_compute(*key, cache::ttl_class::reports, std::move(compute));
  // A stale id served while a background refresh reads the database is not this read's miss.
  const bool from_store = found.from == cache::source::computed && went_to_store->load();
  const auto floor = floor_of(floor_key(*sym, *tf));
  std::int64_t id = floor;
  if (found.value) {
    if (auto p = pointer_id(found.value->payload)) id = std::max(id, *p);
  } else if (floor == 0) {
    count(false);
    co_return found.error ? found.error : make_error_code(errc::unavailable);
  }
  if (id == 0) {
    count(!from_store);
    co_return report_ptr();  // a cached "none yet"
  }
  if (auto hit = by_id_.get(id)) {
    count(!from_store);
    co_return hit;
  }
  auto r = co_await load(id);
  if (!r.result || *r.result) {
    count(r.result && !from_store && !r.from_store);
    co_return std::move(r.result);
  }
  // The id a tier held is not in the database (a database replaced under a cache that
  // outlived it): ask the database, and put its answer in place of the bad id.
  auto fixed = co_await latest_from_store(*sym, *tf);
  count(false);
  co_return fixed;
}

asio::awaitable<core::result<report_ptr>> report_cache::latest_from_store(std::string symbol,
                                                                          std::string timeframe) {
  auto found = co_await store_.latest(symbol, timeframe);
  if (!found) co_return found.error();
  if (!*found) {
    auto key = core::cache_key::report(symbol, timeframe);
    co_await cache_.put(*key, none_yet_payload(symbol, timeframe), cache::ttl_class::not_found);
    co_return report_ptr();
  }
  auto ptr = remember(std::move(**found));
  co_await publish(ptr);
  co_return ptr;
}

asio::awaitable<void> report_cache::publish(report_ptr ptr) {
  auto key = core::cache_key::report(ptr->symbol, ptr->timeframe);
  if (!key) co_return;
  for (;;) {
    co_await cache_.put(*key, pointer_payload(ptr->id), cache::ttl_class::reports);
    // Newer than what was just written: another instance inserted it meanwhile, and may have
    // written its id before this write. A failed read leaves the tiers as written (the floor
    // keeps this instance right; others correct at the reports TTL).
    auto now = co_await store_.latest(ptr->symbol, ptr->timeframe);
    if (!now || !*now || (*now)->id <= ptr->id) co_return;
    ptr = remember(std::move(**now));
  }
}

asio::awaitable<core::result<report_ptr>> report_cache::insert(new_report report) {
  auto checked_key = checked(report);
  if (!checked_key) co_return checked_key.error();
  stored_report stored{0, checked_key->symbol, checked_key->timeframe,
                       from_unix_ms(to_unix_ms(report.created_at)), report.body};
  auto id = co_await store_.insert(std::move(report));
  if (!id) co_return id.error();
  stored.id = *id;
  auto ptr = remember(std::move(stored));
  co_await publish(ptr);
  co_return ptr;
}

asio::awaitable<core::result<report_page>> report_cache::list(page_request page) {
  co_return co_await store_.list(std::move(page));
}

asio::awaitable<core::result<std::size_t>> report_cache::prime() {
  page_request newest;
  newest.limit = max_page_limit;
  auto page = co_await store_.list(newest);
  if (!page) co_return page.error();
  std::set<std::pair<std::string, std::string>> seen;
  std::size_t loaded = 0;
  for (const auto& item : page->items) {
    if (!seen.emplace(item.symbol, item.timeframe).second) continue;
    auto r = co_await latest(item.symbol, item.timeframe);
    if (!r) co_return r.error();
    if (*r) ++loaded;
  }
  co_return loaded;
}

report_cache_stats report_cache::stats() const {
  report_cache_stats s;
  s.entry_count = by_id_.size();
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  const auto total = s.hits + s.misses;
  s.hit_rate_percent = total == 0 ? 0.0 : 100.0 * static_cast<double>(s.hits) / total;
  if (auto h = highest_.load(std::memory_order_relaxed); h > 0) s.latest_report_id = h;
  return s;
}

}  // namespace cryptodash::reports
