#include "scheduler/scheduler.h"

#include "market/payloads.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>

namespace cryptodash::scheduler {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::seconds;

namespace {

constexpr std::string_view dashboard_item = "dashboard";
constexpr std::chrono::milliseconds tick_slack{250};
constexpr auto recent_window = std::chrono::minutes(15);
constexpr std::size_t stats_items = 50;

// A number member of a JSON object's text, if present and numeric.
std::optional<double> number_of(std::string_view json_text, std::string_view name) {
  boost::system::error_code ec;
  auto v = json::parse(json_text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* m = v.as_object().if_contains(name);
  if (!m || !m->is_number()) return std::nullopt;
  return m->to_number<double>();
}

}  // namespace

scheduler::scheduler(market::data_service& data, upstream::upstreams& ups,
                     const config::settings_store& settings, const core::clock& clock,
                     publisher out, sources in)
    : data_(data),
      ups_(ups),
      settings_(settings),
      clock_(clock),
      out_(std::move(out)),
      in_(std::move(in)) {}

scheduler::~scheduler() { stop(); }

void scheduler::start() {
  asio::co_spawn(ioc_, loop(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

void scheduler::stop() {
  if (stopped_.exchange(true)) return;
  asio::post(ioc_, [this] { timer_.cancel(); });
  if (thread_.joinable()) thread_.join();
}

void scheduler::requested(std::string_view symbol) {
  thread_local std::string last;
  thread_local core::time_point last_at{};
  const auto now = clock_.now();
  if (symbol == last && now - last_at < seconds(1)) return;
  last.assign(symbol);
  last_at = now;
  std::lock_guard lock(mutex_);
  recent_[std::string(symbol)] = now;
}

asio::awaitable<void> scheduler::loop() {
  constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
  // Ticks on a fixed one-second cadence (not one second after each tick ends), so an item
  // due every n seconds is refreshed every n ticks; a tick that overruns is not caught up.
  auto next = asio::steady_timer::clock_type::now();
  while (!stopped_.load()) {
    try {
      co_await tick();
    } catch (const std::exception& e) {
      spdlog::error("scheduler: tick failed: {}", e.what());
    }
    next = std::max(next + seconds(1), asio::steady_timer::clock_type::now());
    timer_.expires_at(next);
    co_await timer_.async_wait(use_tuple);
  }
}

void scheduler::update_items(core::time_point now, const config::scheduler_settings& s,
                             std::vector<std::string> watched) {
  std::sort(watched.begin(), watched.end());
  std::lock_guard lock(mutex_);
  plan_.upsert(std::string(dashboard_item), priority::critical, now, s);
  std::vector<std::string> recent;
  for (auto it = recent_.begin(); it != recent_.end();) {
    if (now - it->second > recent_window) {
      it = recent_.erase(it);
      continue;
    }
    if (!std::binary_search(watched.begin(), watched.end(), it->first)) recent.push_back(it->first);
    ++it;
  }
  plan_.retain(priority::high, watched);
  plan_.retain(priority::medium, recent);
  for (const auto& w : watched) plan_.upsert(w, priority::high, now, s);
  for (const auto& r : recent) plan_.upsert(r, priority::medium, now, s);
}

asio::awaitable<double> scheduler::budget_used_pct() {
  auto stats = co_await ups_.stats_json();
  double highest = 0;
  for (const auto& [name, v] : stats) {
    const auto& o = v.as_object();
    const auto* used = o.if_contains("budget_used");
    const auto* limit = o.if_contains("budget_limit");
    if (!used || !limit || !used->is_number() || !limit->is_number()) continue;
    const double l = limit->to_number<double>();
    if (l > 0) highest = std::max(highest, 100.0 * used->to_number<double>() / l);
  }
  co_return highest;
}

void scheduler::note_summary(const market::summary& sum) {
  auto change = number_of(sum.json, "btc_change_24h_pct");
  std::lock_guard lock(mutex_);
  if (change) btc_change_pct_ = std::fabs(*change);
}

asio::awaitable<void> scheduler::tick() {
  const auto live = settings_.snapshot();
  const auto& s = live->scheduler;
  if (!s.enabled) co_return;
  const auto now = clock_.now();
  std::vector<std::string> watched;
  if (in_.watched) watched = co_await in_.watched();
  update_items(now, s, std::move(watched));
  const bool leader = in_.is_leader ? in_.is_leader() : true;
  {
    std::lock_guard lock(mutex_);
    leader_ = leader;
  }
  if (!leader) {
    warmed_ = false;  // a new leader reads the cache before fetching anything
    co_return;
  }

  const double budget = co_await budget_used_pct();
  strategy st;
  {
    std::lock_guard lock(mutex_);
    budget_pct_ = budget;
    st = selector_.update(s, budget, btc_change_pct_);
  }

  if (!warmed_) {
    // Pre-warm: what disk or L2 hold counts as refreshed if fresh; the rest comes from the
    // upstreams through the cache (in budget: the gateways' limits apply).
    warmed_ = true;
    auto sum = co_await data_.dashboard_summary();
    note_summary(sum);
    if (sum.all_fresh) {
      std::lock_guard lock(mutex_);
      plan_.report(std::string(dashboard_item), true, now, st, s);
    }
  }

  std::vector<refresh_plan::due_item> due;
  {
    std::lock_guard lock(mutex_);
    // Ticks wake a few ms late or early: an item due before the next tick is due now, or a
    // 1 s item would skip every tick that followed a late one.
    due = plan_.due(now + tick_slack, st);
  }
  std::vector<std::string> symbols;
  for (const auto& d : due) {
    if (d.name == dashboard_item) {
      co_await refresh_dashboard_from(now);
    } else {
      symbols.push_back(d.name);
    }
  }
  if (symbols.empty()) co_return;

  // Intervals run from the start of a refresh to the start of the next.
  auto results = co_await data_.refresh_markets(symbols);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const auto& r = results[i];
    const bool ok = r.value && !market::is_not_found(r.value->payload);
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    if (!ok) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("scheduler: refresh of {} failed: {}", symbols[i],
                    r.error ? r.error.message() : "unknown symbol");
    }
    {
      std::lock_guard lock(mutex_);
      if (r.value && market::is_not_found(r.value->payload)) {
        plan_.erase(symbols[i]);  // nothing to keep fresh
        recent_.erase(symbols[i]);
      } else {
        plan_.report(symbols[i], ok, now, st, s);
      }
    }
    if (ok && out_.market) out_.market(symbols[i], r.value->payload);
  }
}

asio::awaitable<market::summary> scheduler::refresh_dashboard() {
  co_return co_await refresh_dashboard_from(clock_.now());
}

asio::awaitable<market::summary> scheduler::refresh_dashboard_from(core::time_point started) {
  auto sum = co_await data_.refresh_summary();
  note_summary(sum);
  // A part that failed keeps its cached value; the refresh failed only if no part is fresh.
  const bool ok = std::any_of(sum.parts.begin(), sum.parts.end(),
                              [](const cache::lookup& l) { return l.value && l.fresh; });
  refreshes_.fetch_add(1, std::memory_order_relaxed);
  if (!ok) failures_.fetch_add(1, std::memory_order_relaxed);
  {
    const auto live = settings_.snapshot();
    std::lock_guard lock(mutex_);
    plan_.upsert(std::string(dashboard_item), priority::critical, started, live->scheduler);
    plan_.report(std::string(dashboard_item), ok, started, selector_.current(), live->scheduler);
  }
  if (out_.dashboard) out_.dashboard(sum.json);
  co_return sum;
}

strategy scheduler::current_strategy() const {
  std::lock_guard lock(mutex_);
  return selector_.current();
}

std::optional<int> scheduler::interval_of(std::string_view provider) const {
  const auto live = settings_.snapshot();
  if (!live->scheduler.enabled) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (!leader_) return std::nullopt;
  const auto st = selector_.current();
  auto dash = plan_.current_interval(std::string(dashboard_item), st, live->scheduler);
  if (!dash) return std::nullopt;
  if (provider == "coingecko") {
    // Market symbols come from CoinGecko too: the shortest interval of anything planned.
    auto shortest = dash->count();
    for (const auto& d : plan_.due(core::time_point::max(), st)) {
      if (auto i = plan_.current_interval(d.name, st, live->scheduler)) {
        shortest = std::min(shortest, i->count());
      }
    }
    return static_cast<int>(shortest);
  }
  if (provider == "taapi") {
    const auto& t = live->market.taapi_indicators;
    if (std::find(t.begin(), t.end(), "rsi") == t.end()) return std::nullopt;
  }
  if (provider == "fear_greed" || provider == "taapi" || provider == "binance") {
    return static_cast<int>(dash->count());
  }
  return std::nullopt;
}

json::object scheduler::stats() const {
  const auto live = settings_.snapshot();
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  const auto st = selector_.current();
  json::array items;
  for (const auto& d : plan_.due(core::time_point::max(), strategy::aggressive)) {
    if (items.size() >= stats_items) break;
    auto next = plan_.next_due(d.name);
    auto interval = plan_.current_interval(d.name, st, live->scheduler);
    items.push_back(json::object{
        {"name", d.name},
        {"class", to_string(d.cls)},
        {"interval_s", interval ? json::value(interval->count()) : json::value(nullptr)},
        {"due_in_s", next ? std::max<std::int64_t>(
                                0, std::chrono::duration_cast<seconds>(*next - now).count())
                          : 0},
        {"failures", d.failures}});
  }
  return json::object{
      {"enabled", live->scheduler.enabled},
      {"leader", leader_},
      {"strategy", to_string(st)},
      {"budget_used_pct", budget_pct_},
      {"btc_change_pct", btc_change_pct_ ? json::value(*btc_change_pct_) : json::value(nullptr)},
      {"refreshes", refreshes_.load(std::memory_order_relaxed)},
      {"failures", failures_.load(std::memory_order_relaxed)},
      {"items", std::move(items)}};
}

}  // namespace cryptodash::scheduler
