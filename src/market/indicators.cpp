#include "market/indicators.h"

#include "core/keys.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace cryptodash::market::indicators {
namespace {

bool valid_period(int period) noexcept {
  return period >= core::min_indicator_period && period <= core::max_indicator_period;
}

/// The checks every indicator makes: the period bounds and finite inputs.
bool valid_input(std::span<const double> x, int period) noexcept {
  return valid_period(period) &&
         std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}

/// The mean of a non-empty window, summed as offsets from its first value: nearby prices give
/// small, exactly computed offsets (Sterbenz), and a constant window gives its value exactly.
double mean(std::span<const double> window) noexcept {
  const double base = window.front();
  double offsets = 0;
  for (double v : window) offsets += v - base;
  return base + offsets / static_cast<double>(window.size());
}

}  // namespace

core::result<series> sma(std::span<const double> x, int period) {
  if (!valid_input(x, period)) return core::errc::invalid_argument;
  const auto p = static_cast<std::size_t>(period);
  series out(x.size());
  for (std::size_t i = p - 1; i < x.size(); ++i) out[i] = mean(x.subspan(i + 1 - p, p));
  return out;
}

core::result<series> ema(std::span<const double> x, int period) {
  if (!valid_input(x, period)) return core::errc::invalid_argument;
  const auto p = static_cast<std::size_t>(period);
  const double alpha = 2.0 / (period + 1.0);
  series out(x.size());
  if (x.size() < p) return out;
  double e = mean(x.first(p));
  out[p - 1] = e;
  for (std::size_t i = p; i < x.size(); ++i) {
    e += alpha * (x[i] - e);  // = alpha·x + (1-alpha)·e, and exact for a constant input
    out[i] = e;
  }
  return out;
}

core::result<series> rsi(std::span<const double> x, int period) {
  if (!valid_input(x, period)) return core::errc::invalid_argument;
  const auto p = static_cast<std::size_t>(period);
  series out(x.size());
  if (x.size() <= p) return out;
  double gain = 0;  // the sums of the first p gains and losses, then their Wilder averages
  double loss = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    const double d = x[i] - x[i - 1];
    const double up = d > 0 ? d : 0;
    const double down = d < 0 ? -d : 0;
    if (i < p) {
      gain += up;
      loss += down;
      continue;
    }
    if (i == p) {
      gain = (gain + up) / period;
      loss = (loss + down) / period;
    } else {
      gain = (gain * (period - 1) + up) / period;
      loss = (loss * (period - 1) + down) / period;
    }
    // 100·RS/(1+RS) without dividing by a zero loss; exactly 100 or 0 when one side is zero.
    const double total = gain + loss;
    out[i] = total == 0 ? 50.0 : 100.0 * (gain / total);
  }
  return out;
}

core::result<std::vector<std::optional<macd_value>>> macd(std::span<const double> x, int fast,
                                                          int slow, int signal) {
  if (!valid_input(x, fast) || !valid_period(slow) || !valid_period(signal) || fast >= slow) {
    return core::errc::invalid_argument;
  }
  const series fast_ema = *ema(x, fast);
  const series slow_ema = *ema(x, slow);
  std::vector<std::optional<macd_value>> out(x.size());
  const auto first = static_cast<std::size_t>(slow - 1);  // where the MACD line starts
  if (x.size() <= first) return out;

  std::vector<double> line;
  line.reserve(x.size() - first);
  for (std::size_t i = first; i < x.size(); ++i) line.push_back(*fast_ema[i] - *slow_ema[i]);
  const series signal_line = *ema(line, signal);
  for (std::size_t j = 0; j < line.size(); ++j) {
    if (!signal_line[j]) continue;
    out[first + j] = macd_value{line[j], *signal_line[j], line[j] - *signal_line[j]};
  }
  return out;
}

core::result<std::vector<std::optional<band_value>>> bbands(std::span<const double> x, int period,
                                                            double k) {
  if (!valid_input(x, period) || !std::isfinite(k) || k <= 0) return core::errc::invalid_argument;
  const auto p = static_cast<std::size_t>(period);
  std::vector<std::optional<band_value>> out(x.size());
  for (std::size_t i = p - 1; i < x.size(); ++i) {
    const auto window = x.subspan(i + 1 - p, p);
    const double middle = mean(window);
    double squares = 0;  // second pass: no cancellation, never negative
    for (double v : window) squares += (v - middle) * (v - middle);
    const double width = k * std::sqrt(squares / period);
    out[i] = band_value{middle + width, middle, middle - width};
  }
  return out;
}

}  // namespace cryptodash::market::indicators
