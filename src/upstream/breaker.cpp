#include "upstream/breaker.h"

#include <algorithm>

namespace cryptodash::upstream {

std::string_view to_string(breaker_state s) noexcept {
  switch (s) {
    case breaker_state::closed: return "closed";
    case breaker_state::open: return "open";
    case breaker_state::half_open: return "half_open";
  }
  return "closed";
}

circuit_breaker::circuit_breaker(breaker_settings s) noexcept : settings_(s) {}

void circuit_breaker::reconfigure(const breaker_settings& s) noexcept { settings_ = s; }

bool circuit_breaker::try_acquire(core::time_point now) noexcept {
  if (state_ == breaker_state::open) {
    if (now < open_until_) {
      ++rejected_;
      return false;
    }
    state_ = breaker_state::half_open;
    probes_in_flight_ = 0;
    probe_successes_ = 0;
  }
  if (state_ == breaker_state::half_open) {
    if (probes_in_flight_ >= std::max(settings_.half_open_probes, 1)) {
      ++rejected_;
      return false;
    }
    ++probes_in_flight_;
  }
  return true;
}

void circuit_breaker::on_success(core::time_point now) noexcept {
  consecutive_failures_ = 0;
  if (state_ == breaker_state::half_open) {
    probes_in_flight_ = std::max(probes_in_flight_ - 1, 0);
    if (++probe_successes_ >= std::max(settings_.half_open_probes, 1)) close();
    return;
  }
  if (state_ == breaker_state::closed) record(now, false);
}

void circuit_breaker::on_failure(core::time_point now) noexcept {
  if (state_ == breaker_state::half_open) {
    open(now);
    return;
  }
  if (state_ != breaker_state::closed) return;  // a straggler from before it opened
  ++consecutive_failures_;
  record(now, true);
  if (consecutive_failures_ >= std::max(settings_.failure_threshold, 1)) {
    open(now);
    return;
  }
  const auto [calls, failures] = window_totals(now);
  if (calls >= std::max(settings_.min_calls, 1) &&
      static_cast<double>(failures) >= settings_.failure_rate * static_cast<double>(calls))
    open(now);
}

void circuit_breaker::on_neutral(core::time_point) noexcept {
  if (state_ == breaker_state::half_open) probes_in_flight_ = std::max(probes_in_flight_ - 1, 0);
}

breaker_state circuit_breaker::state(core::time_point now) const noexcept {
  if (state_ == breaker_state::open && now >= open_until_) return breaker_state::half_open;
  return state_;
}

breaker_stats circuit_breaker::stats(core::time_point now) const noexcept {
  const auto [calls, failures] = window_totals(now);
  return {state(now), consecutive_failures_, calls, failures, opened_, rejected_,
          state_ == breaker_state::open ? open_until_ : core::time_point{}};
}

void circuit_breaker::open(core::time_point now) noexcept {
  state_ = breaker_state::open;
  open_until_ = now + settings_.open_for;
  probes_in_flight_ = 0;
  probe_successes_ = 0;
  ++opened_;
}

void circuit_breaker::close() noexcept {
  state_ = breaker_state::closed;
  consecutive_failures_ = 0;
  window_ = {};  // the failures that opened it are history now
}

std::int64_t circuit_breaker::slice_of(core::time_point now) const noexcept {
  const auto slice = std::max<core::duration::rep>(settings_.window.count() / buckets, 1);
  return now.time_since_epoch().count() / slice;
}

void circuit_breaker::record(core::time_point now, bool failed) noexcept {
  const auto index = slice_of(now);
  auto& b = window_[static_cast<std::size_t>(index % buckets)];
  if (b.index != index) b = {index, 0, 0};
  ++b.calls;
  if (failed) ++b.failures;
}

std::pair<std::int64_t, std::int64_t> circuit_breaker::window_totals(
    core::time_point now) const noexcept {
  const auto index = slice_of(now);
  std::int64_t calls = 0, failures = 0;
  for (const auto& b : window_) {
    if (b.index > index - buckets && b.index <= index) {
      calls += b.calls;
      failures += b.failures;
    }
  }
  return {calls, failures};
}

}  // namespace cryptodash::upstream
