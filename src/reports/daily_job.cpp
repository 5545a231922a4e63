#include "reports/daily_job.h"

#include "core/clock.h"
#include "reports/generate.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace cryptodash::reports {

namespace asio = boost::asio;
using namespace std::chrono;

std::optional<int> parse_daily_at(std::string_view t) noexcept {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() != 5 || t[2] != ':' || !digit(t[0]) || !digit(t[1]) || !digit(t[3]) ||
      !digit(t[4])) {
    return std::nullopt;
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

core::time_point last_daily_slot(core::time_point now, int minute_of_day) noexcept {
  const auto day = floor<days>(now);
  auto slot = day + minutes(minute_of_day);
  if (slot > now) slot -= days(1);
  return time_point_cast<core::time_point::duration>(slot);
}

bool daily_report_due(core::time_point now, int minute_of_day,
                      std::optional<core::time_point> last_created) noexcept {
  return !last_created || *last_created < last_daily_slot(now, minute_of_day);
}

daily_reports::daily_reports(config::settings_store& settings, market::data_service& data,
                             report_cache& reports, const core::clock& clock,
                             std::function<bool()> is_leader)
    : settings_(settings),
      data_(data),
      reports_(reports),
      clock_(clock),
      is_leader_(std::move(is_leader)) {}

daily_reports::~daily_reports() {
  stop();
}

void daily_reports::start() {
  asio::co_spawn(ioc_, loop(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

void daily_reports::stop() {
  if (stopped_.exchange(true)) return;
  asio::post(ioc_, [this] { timer_.cancel(); });
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> daily_reports::loop() {
  constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
  timer_.expires_after(first_check);
  co_await timer_.async_wait(use_tuple);
  while (!stopped_.load()) {
    try {
      co_await run_due();
    } catch (const std::exception& e) {
      spdlog::error("daily reports: {}", e.what());
    }
    if (stopped_.load()) break;
    timer_.expires_after(check_interval);
    co_await timer_.async_wait(use_tuple);
  }
}

asio::awaitable<int> daily_reports::run_due() {
  const int written = co_await check_all();
  std::lock_guard lock(mutex_);
  last_check_ = clock_.now();
  co_return written;
}

asio::awaitable<int> daily_reports::check_all() {
  const auto settings = settings_.snapshot();
  const auto& cfg = settings->reports;
  const auto at = parse_daily_at(cfg.daily_at_utc);
  if (!settings->scheduler.enabled || !cfg.daily_enabled || !at || (is_leader_ && !is_leader_()))
    co_return 0;
  int written = 0;
  for (const auto& symbol : cfg.symbols) {
    for (const auto& timeframe : cfg.timeframes) {
      if (stopped_.load()) co_return written;
      auto latest = co_await reports_.latest(symbol, timeframe);
      if (!latest) {
        spdlog::warn("daily report {} {}: cannot read the latest: {}", symbol, timeframe,
                     latest.error().message());
        failed_.fetch_add(1);
        continue;
      }
      std::optional<core::time_point> created;
      if (*latest) created = (*latest)->created_at;
      if (!daily_report_due(clock_.now(), *at, created)) continue;
      auto made = co_await generate_report(data_, reports_, clock_, symbol, timeframe);
      if (!made) {
        spdlog::warn("daily report {} {} failed: {}", symbol, timeframe, made.error().message);
        failed_.fetch_add(1);
        continue;
      }
      spdlog::info("daily report {} {} written: #{}", symbol, timeframe, (*made)->id);
      generated_.fetch_add(1);
      ++written;
    }
  }
  co_return written;
}

boost::json::object daily_reports::stats() const {
  const auto settings = settings_.snapshot();
  boost::json::object o;
  o["enabled"] = settings->reports.daily_enabled;
  o["at_utc"] = settings->reports.daily_at_utc;
  o["generated"] = generated_.load();
  o["failed"] = failed_.load();
  std::lock_guard lock(mutex_);
  if (last_check_) {
    o["last_check"] = core::format_rfc3339(*last_check_);
  } else {
    o["last_check"] = nullptr;
  }
  return o;
}

}  // namespace cryptodash::reports
