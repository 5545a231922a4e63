#include "scheduler/refresh_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <unordered_set>

namespace cryptodash::scheduler {
namespace {

using std::chrono::seconds;

/// base x factor, rounded to whole seconds, at least 1 s.
seconds scaled(seconds base, double factor) noexcept {
  const double v = std::round(static_cast<double>(base.count()) * factor);
  return seconds(std::max<std::int64_t>(static_cast<std::int64_t>(v), 1));
}

/// min(base x 2^failures, cap), at least 1 s; doubles step by step so it cannot overflow.
seconds backoff(seconds base, int failures, seconds cap) noexcept {
  std::int64_t v = std::max<std::int64_t>(base.count(), 1);
  const std::int64_t limit = std::max<std::int64_t>(cap.count(), 1);
  for (int i = 0; i < failures && v < limit; ++i) v *= 2;
  return seconds(std::min(v, limit));
}

seconds interval_of(priority cls, int failures, strategy st,
                    const config::scheduler_settings& s) noexcept {
  const seconds base = base_interval(s, cls);
  if (failures > 0) return backoff(base, failures, seconds(s.max_backoff_seconds));
  return scaled(base, interval_factor(st));
}

}  // namespace

const char* to_string(priority p) noexcept {
  switch (p) {
    case priority::critical: return "critical";
    case priority::high: return "high";
    case priority::medium: return "medium";
    case priority::low: return "low";
  }
  return "low";
}

seconds base_interval(const config::scheduler_settings& s, priority p) noexcept {
  const seconds market(s.market_interval_seconds);
  switch (p) {
    case priority::critical: return seconds(s.dashboard_interval_seconds);
    case priority::high: return market;
    case priority::medium: return 2 * market;
    case priority::low: return 4 * market;
  }
  return market;
}

bool refreshes(strategy st, priority p) noexcept {
  switch (st) {
    case strategy::aggressive:
    case strategy::normal: return true;
    case strategy::conservative: return p != priority::low;
    case strategy::minimal: return p == priority::critical || p == priority::high;
  }
  return true;
}

void refresh_plan::upsert(const std::string& name, priority p, core::time_point now,
                          const config::scheduler_settings& s) {
  const auto it = items_.find(name);
  if (it == items_.end()) {
    items_.emplace(name, item{p, now, 0});
    return;
  }
  item& i = it->second;
  if (i.cls == p) return;
  const bool shorter = base_interval(s, p) < base_interval(s, i.cls);
  i.cls = p;
  if (!shorter) return;
  // The interval in the new class before any strategy stretch (the strategy is not known here).
  const seconds interval =
      i.failures > 0 ? backoff(base_interval(s, p), i.failures, seconds(s.max_backoff_seconds))
                     : scaled(base_interval(s, p), 1.0);
  i.next_due = std::min(i.next_due, now + interval);
}

void refresh_plan::retain(priority p, const std::vector<std::string>& keep) {
  if (p == priority::critical) return;
  const std::unordered_set<std::string_view> kept(keep.begin(), keep.end());
  std::erase_if(items_, [&](const auto& kv) {
    return kv.second.cls == p && !kept.contains(std::string_view(kv.first));
  });
}

void refresh_plan::erase(const std::string& name) {
  items_.erase(name);
}

std::vector<refresh_plan::due_item> refresh_plan::due(core::time_point now, strategy st) const {
  struct candidate {
    const std::string* name;
    const item* it;
  };
  std::vector<candidate> found;
  for (const auto& [name, i] : items_)
    if (i.next_due <= now && refreshes(st, i.cls)) found.push_back({&name, &i});
  std::sort(found.begin(), found.end(), [](const candidate& a, const candidate& b) {
    return std::tie(a.it->cls, a.it->next_due, *a.name) <
           std::tie(b.it->cls, b.it->next_due, *b.name);
  });
  std::vector<due_item> out;
  out.reserve(found.size());
  for (const auto& c : found) out.push_back({*c.name, c.it->cls, c.it->failures});
  return out;
}

void refresh_plan::report(const std::string& name, bool success, core::time_point now, strategy st,
                          const config::scheduler_settings& s) {
  const auto it = items_.find(name);
  if (it == items_.end()) return;
  item& i = it->second;
  if (success)
    i.failures = 0;
  else if (i.failures < std::numeric_limits<int>::max())
    ++i.failures;
  i.next_due = now + interval_of(i.cls, i.failures, st, s);
}

std::optional<seconds> refresh_plan::current_interval(const std::string& name, strategy st,
                                                      const config::scheduler_settings& s) const {
  const auto it = items_.find(name);
  if (it == items_.end()) return std::nullopt;
  return interval_of(it->second.cls, it->second.failures, st, s);
}

std::optional<core::time_point> refresh_plan::next_due(const std::string& name) const {
  const auto it = items_.find(name);
  if (it == items_.end()) return std::nullopt;
  return it->second.next_due;
}

std::size_t refresh_plan::size() const noexcept {
  return items_.size();
}

}  // namespace cryptodash::scheduler
