#include "market/indicators.h"

#include "core/keys.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace cryptodash::market::indicators {
namespace {

namespace json = boost::json;
using boost::system::error_code;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

template <class T>
error_code code_of(const core::result<T>& r) {
  return r ? error_code() : r.error();
}

// --- Hand-checkable cases ------------------------------------------------------------------

const std::vector<double> one_to_five = {1, 2, 3, 4, 5};

TEST(Sma, OfOneToFive) {
  auto r = sma(one_to_five, 3);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (series{std::nullopt, std::nullopt, 2.0, 3.0, 4.0}));
  EXPECT_EQ(*sma(one_to_five, 5),
            (series{std::nullopt, std::nullopt, std::nullopt, std::nullopt, 3.0}));
  EXPECT_EQ(*sma(one_to_five, 1), (series{1.0, 2.0, 3.0, 4.0, 5.0}));
}

TEST(Ema, SeededWithTheSmaThenSmoothed) {
  // alpha = 2/(3+1) = 0.5; seed mean(1,2,3) = 2 at index 2; 2 + 0.5·(4-2) = 3; 3 + 0.5·2 = 4.
  EXPECT_EQ(*ema(one_to_five, 3), (series{std::nullopt, std::nullopt, 2.0, 3.0, 4.0}));
  EXPECT_EQ(*ema(one_to_five, 1), (series{1.0, 2.0, 3.0, 4.0, 5.0}));
}

TEST(Ema, OfAConstantIsThatConstantExactly) {
  const std::vector<double> x(50, 64321.17);
  auto r = ema(x, 7);
  ASSERT_TRUE(r);
  for (std::size_t i = 6; i < x.size(); ++i) EXPECT_EQ((*r)[i], 64321.17) << i;
}

std::vector<double> ramp(int n, double start, double step) {
  std::vector<double> x;
  x.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) x.push_back(start + step * i);
  return x;
}

TEST(Rsi, AllUpIs100AllDownIs0FlatIs50) {
  const auto up = ramp(20, 100, 1.5);
  const auto down = ramp(20, 100, -1.5);
  const std::vector<double> flat(20, 42.0);
  for (const auto& [x, expected] : {std::pair{up, 100.0}, {down, 0.0}, {flat, 50.0}}) {
    auto r = rsi(x, 14);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), x.size());
    for (std::size_t i = 0; i < 14; ++i) EXPECT_FALSE((*r)[i]) << i;
    for (std::size_t i = 14; i < x.size(); ++i) EXPECT_EQ((*r)[i], expected) << i;
  }
}

TEST(Rsi, WilderSmoothingByHand) {
  // Changes +1, -1, +1. Index 2: gain 0.5, loss 0.5 → 50. Index 3: gain (0.5·1 + 1)/2 = 0.75,
  // loss (0.5·1 + 0)/2 = 0.25 → 100 - 100/(1 + 3) = 75.
  EXPECT_EQ(*rsi(std::vector<double>{1, 2, 1, 2}, 2),
            (series{std::nullopt, std::nullopt, 50.0, 75.0}));
  // Period 1: each change alone; no change is neither gain nor loss.
  EXPECT_EQ(*rsi(std::vector<double>{1, 2, 2, 1}, 1), (series{std::nullopt, 100.0, 50.0, 0.0}));
}

TEST(Macd, OfARampIsHalfThePeriodGap) {
  // An EMA seeded with the SMA tracks a ramp x_i = i with a constant lag of (period-1)/2, so
  // the MACD line and its signal are (slow-fast)/2 = 1 and the histogram 0.
  const auto x = ramp(12, 0, 1);
  auto r = macd(x, 3, 5, 2);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), x.size());
  for (std::size_t i = 0; i < 5; ++i) EXPECT_FALSE((*r)[i]) << i;  // from slow + signal - 2
  for (std::size_t i = 5; i < x.size(); ++i) {
    ASSERT_TRUE((*r)[i]) << i;
    EXPECT_NEAR((*r)[i]->macd, 1.0, 1e-12) << i;
    EXPECT_NEAR((*r)[i]->signal, 1.0, 1e-12) << i;
    EXPECT_NEAR((*r)[i]->histogram, 0.0, 1e-12) << i;
  }
}

TEST(Macd, RequiresFastBelowSlowAndPeriodsInRange) {
  const auto x = ramp(60, 100, 1);
  EXPECT_TRUE(macd(x));
  EXPECT_TRUE(macd(x, 1, 2, 1));
  EXPECT_EQ(code_of(macd(x, 26, 26, 9)), core::errc::invalid_argument);
  EXPECT_EQ(code_of(macd(x, 26, 12, 9)), core::errc::invalid_argument);
  EXPECT_EQ(code_of(macd(x, 0, 26, 9)), core::errc::invalid_argument);
  EXPECT_EQ(code_of(macd(x, 12, 1001, 9)), core::errc::invalid_argument);
  EXPECT_EQ(code_of(macd(x, 12, 26, 0)), core::errc::invalid_argument);
  EXPECT_EQ(code_of(macd(x, 12, 26, 1001)), core::errc::invalid_argument);
}

TEST(Macd, DefaultsAreDefinedFromIndex33) {
  auto r = macd(ramp(40, 100, 1));
  ASSERT_TRUE(r);
  EXPECT_FALSE((*r)[32]);
  EXPECT_TRUE((*r)[33]);
}

TEST(Bbands, ClassicPopulationSigma) {
  // Mean 5, population σ 2 (sample σ would be 2.14).
  const std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};
  auto r = bbands(x, 8, 2.0);
  ASSERT_TRUE(r);
  for (std::size_t i = 0; i < 7; ++i) EXPECT_FALSE((*r)[i]) << i;
  ASSERT_TRUE((*r)[7]);
  EXPECT_DOUBLE_EQ((*r)[7]->upper, 9.0);
  EXPECT_DOUBLE_EQ((*r)[7]->middle, 5.0);
  EXPECT_DOUBLE_EQ((*r)[7]->lower, 1.0);
}

TEST(Bbands, ConstantWindowHasZeroWidth) {
  const std::vector<double> x(30, 0.1);
  auto r = bbands(x, 20, 2.0);
  ASSERT_TRUE(r);
  for (std::size_t i = 19; i < x.size(); ++i) {
    ASSERT_TRUE((*r)[i]);
    EXPECT_EQ((*r)[i]->upper, (*r)[i]->middle) << i;
    EXPECT_EQ((*r)[i]->lower, (*r)[i]->middle) << i;
  }
}

TEST(Bbands, NoCancellationOnALargeOffset) {
  // Σx²/n - mean² would need 1e16-sized squares (ulp 2) and lose every digit of σ = √2.
  const auto x = ramp(5, 1e8 + 1, 1);
  auto r = bbands(x, 5, 1.0);
  ASSERT_TRUE(r);
  ASSERT_TRUE((*r)[4]);
  EXPECT_EQ((*r)[4]->middle, 1e8 + 3);
  EXPECT_NEAR((*r)[4]->upper - (*r)[4]->middle, std::sqrt(2.0), 1e-7);
  EXPECT_NEAR((*r)[4]->middle - (*r)[4]->lower, std::sqrt(2.0), 1e-7);
}

TEST(Bbands, KMustBeFiniteAndPositive) {
  const auto x = ramp(30, 1, 1);
  EXPECT_TRUE(bbands(x, 20, 0.5));
  for (double k : {0.0, -2.0, nan, inf, -inf}) {
    EXPECT_EQ(code_of(bbands(x, 20, k)), core::errc::invalid_argument) << k;
  }
}

// --- The rules every indicator shares ------------------------------------------------------

/// Each indicator with a single period argument, its output reduced to "defined or not".
struct indicator {
  const char* name;
  core::result<std::vector<bool>> (*defined)(std::span<const double>, int);
};

template <class T>
core::result<std::vector<bool>> defined_of(const core::result<std::vector<std::optional<T>>>& r) {
  if (!r) return r.error();
  std::vector<bool> out;
  for (const auto& v : *r) out.push_back(v.has_value());
  return out;
}

const indicator all_indicators[] = {
    {"sma", [](std::span<const double> x, int p) { return defined_of(sma(x, p)); }},
    {"ema", [](std::span<const double> x, int p) { return defined_of(ema(x, p)); }},
    {"rsi", [](std::span<const double> x, int p) { return defined_of(rsi(x, p)); }},
    {"macd(p, p+1, p)",
     [](std::span<const double> x, int p) { return defined_of(macd(x, p, p + 1, p)); }},
    {"bbands", [](std::span<const double> x, int p) { return defined_of(bbands(x, p, 2.0)); }},
};

TEST(AllIndicators, PeriodOutsideBoundsIsInvalidArgument) {
  const auto x = ramp(30, 1, 1);
  for (const auto& ind : all_indicators) {
    for (int p : {core::min_indicator_period - 1, -1, core::max_indicator_period + 1}) {
      if (std::string(ind.name).starts_with("macd") && p == core::max_indicator_period + 1) {
        continue;  // p + 1 is out of range too; the macd test covers its bounds
      }
      EXPECT_EQ(code_of(ind.defined(x, p)), core::errc::invalid_argument) << ind.name << " " << p;
    }
  }
  EXPECT_TRUE(sma(x, core::max_indicator_period));
  EXPECT_TRUE(bbands(x, core::max_indicator_period));
}

TEST(AllIndicators, PeriodLongerThanInputLeavesAllUndefined) {
  const auto x = ramp(30, 1, 1);
  for (const auto& ind : all_indicators) {
    auto r = ind.defined(x, 40);
    ASSERT_TRUE(r) << ind.name;
    EXPECT_EQ(*r, std::vector<bool>(x.size(), false)) << ind.name;
  }
}

TEST(AllIndicators, EmptyInputGivesEmptyOutput) {
  for (const auto& ind : all_indicators) {
    auto r = ind.defined({}, 3);
    ASSERT_TRUE(r) << ind.name;
    EXPECT_TRUE(r->empty()) << ind.name;
  }
}

TEST(AllIndicators, NonFiniteInputIsInvalidArgument) {
  for (const auto& ind : all_indicators) {
    for (double bad : {nan, inf, -inf}) {
      for (std::size_t at : {0u, 15u, 29u}) {
        auto x = ramp(30, 1, 1);
        x[at] = bad;
        EXPECT_EQ(code_of(ind.defined(x, 5)), core::errc::invalid_argument)
            << ind.name << " " << bad << " at " << at;
      }
    }
  }
}

// --- Against tests/fixtures/indicators/expected.json (reference.py, exact arithmetic) -------

std::string fixture(const std::string& name) {
  const std::string path = CRYPTODASH_SOURCE_DIR "/tests/fixtures/indicators/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing fixture " << path;
    return "{}";
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const json::value& expected() {
  static const json::value doc = json::parse(fixture("expected.json"));
  return doc;
}

const std::vector<double>& closes() {
  static const std::vector<double> x = [] {
    std::vector<double> out;
    const json::value doc = json::parse(fixture("closes.json"));
    for (const auto& v : doc.at("closes").as_array()) out.push_back(v.to_number<double>());
    return out;
  }();
  return x;
}

const json::array& cases(const char* indicator) {
  return expected().at(indicator).as_array();
}

int param(const json::value& c, const char* name) {
  return static_cast<int>(c.at(name).to_number<std::int64_t>());
}

/// Relative tolerance 1e-9, measured against max(|expected|, 1) so that values crossing zero
/// (the MACD histogram) are not held to more digits than the prices they come from carry.
void expect_close(double actual, const json::value& expected, const std::string& what) {
  const double e = expected.to_number<double>();
  EXPECT_LE(std::abs(actual - e), 1e-9 * std::max(std::abs(e), 1.0))
      << what << ": actual " << actual << ", expected " << e;
}

/// Compares a series element by element: null exactly where nullopt, else `check` compares the
/// value with its JSON counterpart.
template <class T, class Check>
void expect_series(const std::vector<std::optional<T>>& actual, const json::value& expected,
                   const std::string& what, Check check) {
  const auto& values = expected.as_array();
  ASSERT_EQ(actual.size(), values.size()) << what;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const std::string at = what + "[" + std::to_string(i) + "]";
    ASSERT_EQ(actual[i].has_value(), !values[i].is_null()) << at;
    if (actual[i]) check(*actual[i], values[i], at);
  }
}

TEST(Reference, FixtureIsThreeHundredCloses) {
  ASSERT_EQ(closes().size(), 300u);
  EXPECT_EQ(expected().at("count").to_number<std::int64_t>(), 300);
}

TEST(Reference, Sma) {
  ASSERT_FALSE(cases("sma").empty());
  for (const auto& c : cases("sma")) {
    const int p = param(c, "period");
    auto r = sma(closes(), p);
    ASSERT_TRUE(r);
    expect_series(
        *r, c.at("values"), "sma(" + std::to_string(p) + ")",
        [](double v, const json::value& e, const std::string& at) { expect_close(v, e, at); });
  }
}

TEST(Reference, Ema) {
  ASSERT_FALSE(cases("ema").empty());
  for (const auto& c : cases("ema")) {
    const int p = param(c, "period");
    auto r = ema(closes(), p);
    ASSERT_TRUE(r);
    expect_series(
        *r, c.at("values"), "ema(" + std::to_string(p) + ")",
        [](double v, const json::value& e, const std::string& at) { expect_close(v, e, at); });
  }
}

TEST(Reference, Rsi) {
  ASSERT_FALSE(cases("rsi").empty());
  for (const auto& c : cases("rsi")) {
    const int p = param(c, "period");
    auto r = rsi(closes(), p);
    ASSERT_TRUE(r);
    expect_series(*r, c.at("values"), "rsi(" + std::to_string(p) + ")",
                  [](double v, const json::value& e, const std::string& at) {
                    expect_close(v, e, at);
                    EXPECT_GE(v, 0.0) << at;
                    EXPECT_LE(v, 100.0) << at;
                  });
  }
}

TEST(Reference, Macd) {
  ASSERT_FALSE(cases("macd").empty());
  for (const auto& c : cases("macd")) {
    const int fast = param(c, "fast");
    const int slow = param(c, "slow");
    const int signal = param(c, "signal");
    auto r = macd(closes(), fast, slow, signal);
    ASSERT_TRUE(r);
    expect_series(*r, c.at("values"),
                  "macd(" + std::to_string(fast) + "," + std::to_string(slow) + "," +
                      std::to_string(signal) + ")",
                  [](const macd_value& v, const json::value& e, const std::string& at) {
                    expect_close(v.macd, e.at("macd"), at + ".macd");
                    expect_close(v.signal, e.at("signal"), at + ".signal");
                    expect_close(v.histogram, e.at("histogram"), at + ".histogram");
                  });
  }
}

TEST(Reference, Bbands) {
  ASSERT_FALSE(cases("bbands").empty());
  for (const auto& c : cases("bbands")) {
    const int p = param(c, "period");
    const double k = c.at("k").to_number<double>();
    auto r = bbands(closes(), p, k);
    ASSERT_TRUE(r);
    expect_series(*r, c.at("values"), "bbands(" + std::to_string(p) + "," + std::to_string(k) + ")",
                  [](const band_value& v, const json::value& e, const std::string& at) {
                    expect_close(v.upper, e.at("upper"), at + ".upper");
                    expect_close(v.middle, e.at("middle"), at + ".middle");
                    expect_close(v.lower, e.at("lower"), at + ".lower");
                    EXPECT_LE(v.lower, v.middle) << at;
                    EXPECT_LE(v.middle, v.upper) << at;
                  });
  }
}

TEST(Reference, NoLookAhead) {
  // Element i depends on x[0..i] only: a prefix gives the same values, bit for bit.
  const std::span<const double> all(closes());
  const auto full_rsi = *rsi(all, 14);
  const auto full_macd = *macd(all);
  const auto full_bands = *bbands(all);
  for (std::size_t n : {1u, 14u, 15u, 33u, 34u, 150u, 299u}) {
    const auto part = all.first(n);
    EXPECT_EQ(*rsi(part, 14), series(full_rsi.begin(), full_rsi.begin() + n)) << n;
    const auto part_macd = *macd(part);
    const auto part_bands = *bbands(part);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(part_macd[i].has_value(), full_macd[i].has_value()) << n << " " << i;
      if (part_macd[i]) {
        EXPECT_EQ(part_macd[i]->signal, full_macd[i]->signal) << n << " " << i;
      }
      ASSERT_EQ(part_bands[i].has_value(), full_bands[i].has_value()) << n << " " << i;
      if (part_bands[i]) {
        EXPECT_EQ(part_bands[i]->upper, full_bands[i]->upper) << n << " " << i;
      }
    }
  }
}

}  // namespace
}  // namespace cryptodash::market::indicators
