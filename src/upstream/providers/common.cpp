#include "upstream/providers/common.h"

#include "core/keys.h"
#include "upstream/providers/json_read.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace cryptodash::upstream {
namespace {

using namespace std::chrono;

// 2009-01-01T00:00:00Z.
constexpr std::int64_t earliest_unix_seconds = 1230768000;

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

core::result<void> check_status(unsigned status) {
  if (status >= 200 && status < 300) return {};
  switch (status) {
    case 404: return make_error_code(core::errc::not_found);
    case 401:
    case 403: return make_error_code(core::errc::unauthorized);
    case 451: return make_error_code(core::errc::forbidden);
    case 418:
    case 429: return make_error_code(core::errc::rate_limited);
    default: return make_error_code(core::errc::upstream_error);
  }
}

core::result<boost::json::value> parse_body(const call_response& r) {
  if (auto s = check_status(r.status); !s) return s.error();
  return parse_json(r.body);
}

std::string percent_encode(std::string_view value) {
  return boost::urls::encode(boost::urls::string_view(value.data(), value.size()),
                             boost::urls::unreserved_chars);
}

target_builder::target_builder(std::string_view path) : target_(path), log_target_(path) {}

void target_builder::separator() {
  char c = has_query_ ? '&' : '?';
  has_query_ = true;
  target_ += c;
  log_target_ += c;
}

target_builder& target_builder::add(std::string_view key, std::string_view value) {
  return add_encoded(key, percent_encode(value));
}

target_builder& target_builder::add_encoded(std::string_view key, std::string_view encoded_value) {
  separator();
  for (std::string* s : {&target_, &log_target_}) {
    s->append(key);
    *s += '=';
    s->append(encoded_value);
  }
  return *this;
}

target_builder& target_builder::add_secret(std::string_view key, std::string_view value) {
  separator();
  target_.append(key);
  target_ += '=';
  target_ += percent_encode(value);
  log_target_.append(key);
  log_target_ += "=***";
  return *this;
}

call_request target_builder::get(std::string_view endpoint, int weight) const {
  call_request c;
  c.method = "GET";
  c.target = target_;
  c.log_target = log_target_;
  c.weight = weight;
  c.endpoint = endpoint;
  return c;
}

core::time_point earliest_plausible_time() noexcept {
  return core::time_point(seconds(earliest_unix_seconds));
}

bool plausible_time(core::time_point t, core::time_point now) noexcept {
  return t >= earliest_plausible_time() && t <= now + hours(24);
}

std::optional<core::time_point> plausible_unix_seconds(std::int64_t s,
                                                       core::time_point now) noexcept {
  auto latest = duration_cast<seconds>((now + hours(24)).time_since_epoch()).count();
  if (s < earliest_unix_seconds || s > latest) return std::nullopt;
  return core::time_point(seconds(s));
}

std::optional<core::time_point> plausible_unix_millis(std::int64_t ms,
                                                      core::time_point now) noexcept {
  auto latest = duration_cast<milliseconds>((now + hours(24)).time_since_epoch()).count();
  if (ms < earliest_unix_seconds * 1000 || ms > latest) return std::nullopt;
  return core::time_point(milliseconds(ms));
}

std::optional<core::time_point> parse_iso8601(std::string_view s) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.f+]Z
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (s[pos] == '.') {
    ++pos;
    std::size_t first = pos;
    std::int64_t scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += nanoseconds((s[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  // Years are bounded so that nanoseconds since 1970 cannot overflow (their limit is 2262).
  if (y < 1970 || y > 2200 || !date.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  auto t = sys_days(date) + hours(h) + minutes(mi) + seconds(sec) + fraction;
  return time_point_cast<core::duration>(t);
}

core::result<std::string> trading_pair(std::string_view symbol, std::string_view quote,
                                       std::string_view separator) {
  auto base = core::normalize_symbol(symbol);
  auto q = core::normalize_symbol(quote);
  if (!base || !q) return make_error_code(core::errc::invalid_argument);
  std::string pair = *base + std::string(separator) + *q;
  std::transform(pair.begin(), pair.end(), pair.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  return pair;
}

}  // namespace cryptodash::upstream
