#include "upstream/gateway.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <random>

#include "upstream/retry.h"

namespace cryptodash::upstream {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

core::result<gateway_settings> gateway_settings_of(const config::provider_settings& p) {
  auto base = parse_base_url(p.base_url);
  if (!base) return base.error();
  gateway_settings g;
  g.base = std::move(*base);
  g.limits.rate = {p.rate_per_minute, p.burst};
  g.limits.budget = {p.daily_budget, p.monthly_budget};
  g.breaker.failure_threshold = p.breaker_failure_threshold;
  g.breaker.failure_rate = p.breaker_failure_rate;
  g.breaker.window = std::chrono::seconds(p.breaker_window_seconds);
  g.breaker.min_calls = p.breaker_min_calls;
  g.breaker.open_for = std::chrono::seconds(p.breaker_open_seconds);
  g.breaker.half_open_probes = p.breaker_half_open_probes;
  g.timeout = milliseconds(p.timeout_ms);
  g.connect_timeout = milliseconds(p.connect_timeout_ms);
  g.max_retries = p.max_retries;
  g.retry_base_delay = milliseconds(p.retry_base_delay_ms);
  g.retry_max_delay = milliseconds(p.retry_max_delay_ms);
  g.rate_limited_backoff = std::chrono::seconds(p.rate_limited_backoff_seconds);
  g.max_response_bytes = static_cast<std::uint64_t>(p.max_response_bytes);
  return g;
}

gateway::gateway(std::string name, gateway_settings settings, http_client& client,
                 limit_store& limits, const core::clock& clock)
    : name_(std::move(name)),
      client_(client),
      limits_(limits),
      clock_(clock),
      settings_(std::move(settings)),
      breaker_(settings_.breaker) {}

void gateway::reconfigure(gateway_settings settings) {
  std::lock_guard lock(mutex_);
  breaker_.reconfigure(settings.breaker);
  settings_ = std::move(settings);
}

gateway_settings gateway::snapshot() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

budget_limits gateway::budget() const {
  std::lock_guard lock(mutex_);
  return settings_.limits.budget;
}

void gateway::note_breaker(breaker_state before, breaker_state after) {
  if (before == after) return;
  if (after == breaker_state::open) {
    spdlog::warn("upstream {}: circuit open; calls refused until probes succeed", name_);
  } else if (after == breaker_state::closed) {
    spdlog::info("upstream {}: circuit closed again", name_);
  } else {
    spdlog::info("upstream {}: circuit half-open, probing", name_);
  }
}

gateway_stats gateway::stats() const {
  gateway_stats s;
  {
    std::lock_guard lock(mutex_);
    s.breaker = breaker_.stats(clock_.now());
  }
  s.attempts = attempts_.load();
  s.successes = successes_.load();
  s.failures = failures_.load();
  s.client_errors = client_errors_.load();
  s.retries = retries_.load();
  s.throttled = throttled_.load();
  s.rate_limited = rate_limited_.load();
  s.budget_refused = budget_refused_.load();
  s.circuit_refused = circuit_refused_.load();
  s.used_weight_1m = used_weight_.load();
  return s;
}

asio::awaitable<budget_usage> gateway::usage() { co_return co_await limits_.usage(name_); }

namespace {

enum class outcome { success, neutral, failure };

double unit_random() {
  static thread_local std::mt19937_64 engine(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::optional<std::int64_t> header_number(const call_response& r, std::string_view name) {
  const auto v = r.header(name);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || end != v->data() + v->size()) return std::nullopt;
  return n;
}

}  // namespace

asio::awaitable<core::result<call_response>> gateway::call(call_request req,
                                                           steady::time_point deadline) {
  const auto settings = snapshot();
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  core::result<call_response> last = make_error_code(core::errc::timeout);

  for (int attempt = 0;; ++attempt) {
    // Giving up before sending: the first attempt reports why; a retry returns what the
    // previous attempt got, which says more.
    auto give_up = [&](core::errc why) -> core::result<call_response> {
      if (attempt == 0) return make_error_code(why);
      return last;
    };
    auto refuse_if_open = [&]() -> bool {
      std::lock_guard lock(mutex_);
      if (breaker_.state(clock_.now()) != breaker_state::open) return false;
      ++circuit_refused_;
      return true;
    };
    // An open circuit costs no permit and no budget.
    if (refuse_if_open()) {
      co_return give_up(core::errc::circuit_open);
    }

    // A permit that leaves the attempt too little time is no permit: ask only for one that
    // starts early enough to connect, and say "rate limited" (the cache serves stale).
    const auto min_attempt = std::min(settings.connect_timeout, settings.timeout);
    const auto max_wait = deadline - steady::now() - min_attempt;
    if (max_wait < steady::duration::zero()) {
      co_return give_up(core::errc::timeout);
    }
    const auto decision = co_await limits_.admit(name_, settings.limits, req.weight,
                                                 duration_cast<core::duration>(max_wait));
    if (decision.verdict != admission::go) {
      if (decision.verdict == admission::budget_exhausted) {
        ++budget_refused_;
        co_return make_error_code(core::errc::budget_exhausted);
      }
      ++rate_limited_;
      co_return give_up(core::errc::rate_limited);
    }
    if (decision.wait > core::duration::zero()) {
      timer.expires_after(decision.wait);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (steady::now() >= deadline) {
      ++rate_limited_;
      co_return give_up(core::errc::rate_limited);
    }

    // The breaker slot is taken only now, right before sending: its outcome then belongs to
    // this state of the breaker (an exchange is bounded by `timeout`, shorter than a cool-down).
    {
      std::lock_guard lock(mutex_);
      const auto now = clock_.now();
      const auto before = breaker_.state(now);
      const bool allowed = breaker_.try_acquire(now);
      note_breaker(before, breaker_.state(now));
      if (!allowed) {
        ++circuit_refused_;
        co_return give_up(core::errc::circuit_open);
      }
    }
    // Reports the attempt's outcome once; if none was reported (an exception, cancellation),
    // the slot is given back as neutral so a half-open breaker cannot stay stuck.
    struct slot {
      gateway& g;
      bool reported = false;
      void report(outcome o) {
        reported = true;
        std::lock_guard lock(g.mutex_);
        const auto now = g.clock_.now();
        const auto before = g.breaker_.state(now);
        if (o == outcome::success) g.breaker_.on_success(now);
        if (o == outcome::failure) g.breaker_.on_failure(now);
        if (o == outcome::neutral) g.breaker_.on_neutral(now);
        g.note_breaker(before, g.breaker_.state(now));
      }
      ~slot() {
        if (!reported) report(outcome::neutral);
      }
    } breaker_slot{*this};
    auto report = [&](outcome o) { breaker_slot.report(o); };

    ++attempts_;
    const bool callers_deadline_first = deadline < steady::now() + settings.timeout;
    const auto attempt_deadline = std::min(deadline, steady::now() + settings.timeout);
    last = co_await client_.request(
        settings.base, req, {settings.connect_timeout, attempt_deadline, settings.max_response_bytes});

    bool retry = false;
    if (!last && last.error() == core::errc::cancelled) {
      report(outcome::neutral);  // the caller went away: nothing learnt about the provider
      co_return last;
    } else if (!last) {
      // Out of time because the caller's deadline came before our own timeout: not the
      // provider's fault.
      const bool callers_deadline =
          last.error() == core::errc::timeout && callers_deadline_first;
      ++failures_;
      report(callers_deadline ? outcome::neutral : outcome::failure);
      spdlog::debug("upstream {}: {} failed: {}", name_, req.log_target, last.error().message());
      retry = last.error() == core::errc::timeout || last.error() == core::errc::unavailable;
    } else {
      if (const auto used = header_number(*last, "x-mbx-used-weight-1m")) {
        used_weight_ = *used;
        // The provider's own count says this minute is spent: wait for the next one.
        if (static_cast<double>(*used) >= settings.limits.rate.per_minute) {
          const auto now = clock_.now();
          const auto next_minute = std::chrono::floor<std::chrono::minutes>(now) +
                                   std::chrono::minutes(1);
          co_await limits_.cool_down(name_, next_minute - now);
        }
      }
      switch (classify_status(last->status)) {
        case attempt_class::success:
          ++successes_;
          report(outcome::success);
          co_return last;
        case attempt_class::client_error:
          ++client_errors_;
          report(outcome::success);  // the provider answered sensibly: it is up
          co_return last;
        case attempt_class::rate_limited: {
          ++throttled_;
          report(outcome::neutral);
          std::optional<core::duration> pause;
          if (const auto v = last->header("retry-after")) pause = parse_retry_after(*v, clock_.now());
          if (!pause) pause = settings.rate_limited_backoff;  // absent or malformed
          pause = std::max<core::duration>(*pause, std::chrono::seconds(1));
          spdlog::warn("upstream {}: {} answered {}; no calls for {} s", name_, req.log_target,
                       last->status, duration_cast<std::chrono::seconds>(*pause).count());
          co_await limits_.cool_down(name_, *pause);
          co_return last;
        }
        case attempt_class::retryable:
          ++failures_;
          report(outcome::failure);
          retry = true;
          break;
      }
    }
    if (!retry || attempt >= settings.max_retries) co_return last;
    const auto delay = full_jitter(attempt, settings.retry_base_delay, settings.retry_max_delay,
                                   unit_random());
    if (steady::now() + delay >= deadline) co_return last;
    ++retries_;
    timer.expires_after(delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace cryptodash::upstream
