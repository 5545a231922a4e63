#include "core/keys.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <vector>

namespace cryptodash::core {
namespace {

constexpr std::array intervals{"1m", "3m", "5m", "15m", "30m", "1h", "2h",
                               "4h", "6h", "8h", "12h", "1d",  "3d", "1w"};
constexpr std::array indicators{"rsi", "sma", "ema", "macd", "bbands"};
constexpr std::array timeframes{"1d", "1w"};

boost::system::error_code invalid() {
  return make_error_code(errc::invalid_argument);
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Lowercases ASCII letters; refuses text longer than max_len or holding bytes outside
// [A-Za-z0-9] and `extra`.
result<std::string> lowered(std::string_view text, std::size_t max_len, std::string_view extra) {
  if (text.empty() || text.size() > max_len) return invalid();
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!is_lower_alnum(c) && extra.find(c) == std::string_view::npos) return invalid();
  }
  return out;
}

template <std::size_t N>
result<std::string> one_of(std::string_view text, const std::array<const char*, N>& allowed) {
  auto low = lowered(text, 8, "");
  if (!low) return low.error();
  for (std::string_view a : allowed) {
    if (*low == a) return low;
  }
  return invalid();
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto pos = text.find(sep);
    parts.push_back(text.substr(0, pos));
    if (pos == std::string_view::npos) return parts;
    text.remove_prefix(pos + 1);
  }
}

// A decimal integer in canonical form (no sign, no leading zero), as the factories write it.
std::optional<int> canonical_int(std::string_view text) {
  if (text.empty() || text.size() > 9 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

result<std::string> normalize_symbol(std::string_view text) {
  return lowered(text, 15, "");
}

result<std::string> normalize_coin_id(std::string_view text) {
  return lowered(text, 64, "-");
}

result<std::string> normalize_interval(std::string_view text) {
  return one_of(text, intervals);
}

result<std::string> normalize_indicator(std::string_view text) {
  return one_of(text, indicators);
}

result<std::string> normalize_timeframe(std::string_view text) {
  return one_of(text, timeframes);
}

result<std::string> normalize_key_pattern(std::string_view text) {
  if (text.empty() || text.size() > 128) return invalid();
  bool star = text.back() == '*';
  if (star) text.remove_suffix(1);
  if (text.empty()) return star ? result<std::string>(std::string("*")) : invalid();
  auto low = lowered(text, 127, ":-");
  if (!low) return low.error();
  if (star) low->push_back('*');
  return low;
}

cache_key cache_key::dashboard_summary() {
  return cache_key("dashboard:summary");
}

cache_key cache_key::dashboard_global() { return cache_key("dashboard:global"); }

cache_key cache_key::dashboard_fear_greed() { return cache_key("dashboard:fear-greed"); }

result<cache_key> cache_key::market(std::string_view symbol) {
  auto s = normalize_symbol(symbol);
  if (!s) return s.error();
  return cache_key("market:" + *s);
}

result<cache_key> cache_key::indicator(std::string_view symbol, std::string_view name, int period,
                                       std::string_view interval) {
  auto s = normalize_symbol(symbol);
  auto n = normalize_indicator(name);
  auto i = normalize_interval(interval);
  if (!s || !n || !i || period < min_indicator_period || period > max_indicator_period) {
    return invalid();
  }
  std::string text = "indicator:" + *s + ":" + *n + ":" + std::to_string(period);
  if (*i != default_indicator_interval) text += ":" + *i;
  return cache_key(std::move(text));
}

result<cache_key> cache_key::candles(std::string_view symbol, std::string_view interval) {
  auto s = normalize_symbol(symbol);
  auto i = normalize_interval(interval);
  if (!s || !i) return invalid();
  return cache_key("candles:" + *s + ":" + *i);
}

result<cache_key> cache_key::tokenomics(std::string_view coin_id) {
  auto c = normalize_coin_id(coin_id);
  if (!c) return c.error();
  return cache_key("tokenomics:" + *c);
}

result<cache_key> cache_key::report(std::string_view symbol, std::string_view timeframe) {
  auto s = normalize_symbol(symbol);
  auto t = normalize_timeframe(timeframe);
  if (!s || !t) return invalid();
  return cache_key("report:" + *s + ":" + *t);
}

result<cache_key> cache_key::parse(std::string_view text) {
  auto parts = split(text, ':');
  auto type = parts[0];
  // Rebuild through the factory and demand the same text back: this refuses upper case,
  // non-canonical numbers and a spelled-out default interval in one place.
  auto same = [&](result<cache_key> k) -> result<cache_key> {
    if (!k || k->str() != text) return invalid();
    return k;
  };
  if (type == "dashboard" && parts.size() == 2 && parts[1] == "global") return dashboard_global();
  if (type == "dashboard" && parts.size() == 2 && parts[1] == "fear-greed") {
    return dashboard_fear_greed();
  }
  if (type == "dashboard" && parts.size() == 2 && parts[1] == "summary") {
    return dashboard_summary();
  }
  if (type == "market" && parts.size() == 2) return same(market(parts[1]));
  if (type == "tokenomics" && parts.size() == 2) return same(tokenomics(parts[1]));
  if (type == "candles" && parts.size() == 3) return same(candles(parts[1], parts[2]));
  if (type == "report" && parts.size() == 3) return same(report(parts[1], parts[2]));
  if (type == "indicator" && (parts.size() == 4 || parts.size() == 5)) {
    auto period = canonical_int(parts[3]);
    if (!period) return invalid();
    auto interval = parts.size() == 5 ? parts[4] : default_indicator_interval;
    return same(indicator(parts[1], parts[2], *period, interval));
  }
  return invalid();
}

std::string_view cache_key::type() const noexcept {
  return view().substr(0, view().find(':'));
}

}  // namespace cryptodash::core
