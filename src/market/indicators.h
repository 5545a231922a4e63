#pragma once

// Technical indicators over a price series, as pure functions: no I/O, no state, no clock, so
// any thread may call them at once. The data service computes them from candle closes.
//
// Conventions shared by every function here:
//   - `x` is oldest first. The result has x.size() elements; element i uses x[0..i] only (no
//     look-ahead), and is std::nullopt while the indicator is still warming up. A period longer
//     than the input leaves every element undefined; an empty input gives an empty result.
//   - Errors are errc::invalid_argument: a period outside core::min_indicator_period ..
//     core::max_indicator_period (1..1000), or any non-finite value (NaN, ±inf) in `x`.
//     Finite inputs are prices; magnitudes near the double's limit (~1e308) may overflow sums.
//   - The definitions follow TA-Lib's defaults (except the MACD's fast-EMA seed, see macd()),
//     written out at each function; tests/fixtures/indicators/reference.py computes the same
//     from these words in exact arithmetic, and the unit test holds this code to it.

#include "core/error.h"

#include <optional>
#include <span>
#include <vector>

namespace cryptodash::market::indicators {

using series = std::vector<std::optional<double>>;

/// Simple moving average: the mean of x[i-period+1..i]; defined from index period-1.
/// Each window is summed afresh (O(n·period)), so no rounding error carries from one window
/// to the next and a constant input gives exactly that constant.
core::result<series> sma(std::span<const double> x, int period);

/// Exponential moving average, alpha = 2/(period+1), seeded at index period-1 with the SMA of
/// the first `period` values (TA-Lib's convention), then e_i = e_{i-1} + alpha·(x_i - e_{i-1}).
/// Defined from index period-1; period 1 gives x itself.
core::result<series> ema(std::span<const double> x, int period);

/// Wilder's RSI over the changes d_i = x_i - x_{i-1}: the first average gain and loss are the
/// simple means of the first `period` gains max(d, 0) and losses max(-d, 0), defined at index
/// `period` (it needs period + 1 values); then avg = (avg·(period-1) + current)/period.
/// RSI = 100 - 100/(1 + avg_gain/avg_loss), computed as 100·avg_gain/(avg_gain + avg_loss):
/// 100 when only gains (avg_loss == 0), 0 when only losses, 50 when there is no change at all.
/// Always within [0, 100].
core::result<series> rsi(std::span<const double> x, int period);

struct macd_value {
  double macd = 0;       ///< ema(x, fast) - ema(x, slow)
  double signal = 0;     ///< the EMA of the MACD line
  double histogram = 0;  ///< macd - signal
};

/// MACD: line = ema(x, fast) - ema(x, slow), both exactly as ema() above over the whole of x,
/// so defined from index slow-1; signal = the EMA (signal period) of the line, seeded with the
/// SMA of its first `signal` defined values; histogram = macd - signal. An element is defined
/// where the signal is, from index slow + signal - 2.
/// Requires 1 <= fast < slow and signal >= 1 (each within the period bounds), else
/// errc::invalid_argument.
/// Note: TA-Lib's TA_MACD starts both EMAs at index slow-1, so its fast EMA has a different
/// seed; the two agree once the seed has decayed (a few dozen values for the defaults).
core::result<std::vector<std::optional<macd_value>>> macd(std::span<const double> x, int fast = 12,
                                                          int slow = 26, int signal = 9);

struct band_value {
  double upper = 0;   ///< middle + k·σ
  double middle = 0;  ///< sma(x, period)
  double lower = 0;   ///< middle - k·σ
};

/// Bollinger Bands: middle = the SMA of the window x[i-period+1..i]; σ = the population
/// standard deviation of the same window (divided by period, TA-Lib's default), computed in two
/// passes over the window, so it is never negative and exactly 0 for a constant window;
/// upper/lower = middle ± k·σ. Defined from index period-1. `k` must be finite and > 0, else
/// errc::invalid_argument. O(n·period).
core::result<std::vector<std::optional<band_value>>> bbands(std::span<const double> x,
                                                            int period = 20, double k = 2.0);

}  // namespace cryptodash::market::indicators
