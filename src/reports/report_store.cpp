#include "reports/report_store.h"

#include "core/keys.h"

#include <chrono>

namespace cryptodash::reports {
namespace {

boost::system::error_code invalid() {
  return make_error_code(core::errc::invalid_argument);
}

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) with
// no NUL byte — what both backends can hold as text, byte for byte.
bool is_utf8_text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

core::result<std::string> checked_symbol(std::string_view symbol) {
  return core::normalize_symbol(symbol);
}

core::result<std::string> checked_timeframe(std::string_view timeframe) {
  return core::normalize_timeframe(timeframe);
}

core::result<report_key> checked(const new_report& report) {
  if (report.body.size() > max_body_bytes) return make_error_code(core::errc::too_large);
  if (report.body.empty() || !is_utf8_text(report.body)) return invalid();
  if (report.created_at <= core::time_point{}) return invalid();
  auto symbol = checked_symbol(report.symbol);
  if (!symbol) return symbol.error();
  auto timeframe = checked_timeframe(report.timeframe);
  if (!timeframe) return timeframe.error();
  return report_key{std::move(*symbol), std::move(*timeframe)};
}

core::result<page_request> checked(const page_request& page) {
  if (page.limit < 1 || page.limit > max_page_limit) return invalid();
  if (page.before_id && *page.before_id <= 0) return invalid();
  page_request out{page.limit, page.before_id, std::nullopt, std::nullopt};
  if (page.symbol) {
    auto s = checked_symbol(*page.symbol);
    if (!s) return s.error();
    out.symbol = std::move(*s);
  }
  if (page.timeframe) {
    auto t = checked_timeframe(*page.timeframe);
    if (!t) return t.error();
    out.timeframe = std::move(*t);
  }
  return out;
}

std::int64_t to_unix_ms(core::time_point t) noexcept {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::time_point from_unix_ms(std::int64_t ms) noexcept {
  return core::time_point(
      std::chrono::duration_cast<core::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace cryptodash::reports
