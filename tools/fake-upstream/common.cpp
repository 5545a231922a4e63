#include "common.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace cryptodash::fake {

std::string_view name(provider p) {
  switch (p) {
    case provider::coingecko: return "coingecko";
    case provider::fear_greed: return "fear_greed";
    case provider::taapi: return "taapi";
    case provider::binance: return "binance";
    case provider::none: break;
  }
  return "none";
}

provider provider_of(std::string_view path) {
  for (provider p : all_providers) {
    auto n = name(p);
    if (path.size() < n.size() + 1 || path[0] != '/' || path.substr(1, n.size()) != n) continue;
    if (path.size() == n.size() + 1 || path[n.size() + 1] == '/') return p;
  }
  return provider::none;
}

void reply::set(std::string_view name, std::string value) {
  for (auto& [k, v] : headers) {
    if (iequals(k, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

const std::string* reply::find(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}

std::string_view api_request::get(std::string_view key, std::string_view fallback) const {
  auto it = query.find(key);
  return it == query.end() ? fallback : std::string_view(it->second);
}

bool api_request::flag(std::string_view key, bool fallback) const {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  return iequals(it->second, "true");
}

namespace {

void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\u%04x", c);
          out += buf.data();
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: out += std::to_string(v.get_int64()); break;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case json::kind::double_: out += number_text(v.get_double()); break;
    case json::kind::string: append_string(out, v.get_string()); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, e);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        append_string(out, kv.key());
        out += ':';
        append(out, kv.value());
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string number_text(double v) {
  if (!std::isfinite(v)) return "null";
  // Like JavaScript: plain digits from 1e-6 up to 1e21 ("38200000000", "0.00001076"), the
  // exponent form outside ("6.88313e-7").
  const double a = std::fabs(v);
  const auto format =
      a == 0 || (a >= 1e-6 && a < 1e21) ? std::chars_format::fixed : std::chars_format::scientific;
  std::array<char, 400> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, format);
  std::string s(buf.data(), ec == std::errc() ? end : buf.data());
  // "6.88313e-07" → "6.88313e-7", as JavaScript and the captures write it.
  auto e = s.find('e');
  if (e != std::string::npos) {
    std::size_t digits = e + 1;
    if (digits < s.size() && s[digits] == '+') s.erase(digits, 1);
    if (digits < s.size() && s[digits] == '-') ++digits;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
  }
  return s;
}

std::string to_text(const json::value& v) {
  std::string out;
  append(out, v);
  return out;
}

reply json_reply(unsigned status, const json::value& body) {
  return raw_json_reply(status, to_text(body));
}

reply raw_json_reply(unsigned status, std::string body) {
  reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string fixed(double v, int decimals) {
  std::array<char, 64> buf{};
  if (!std::isfinite(v)) v = 0;
  std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
  return buf.data();
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

std::tm utc(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::string iso8601_ms(std::int64_t unix_ms) {
  std::tm tm = utc(unix_ms);
  std::array<char, 96> buf{};  // room for any int fields: -O2 checks the bound
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf.data();
}

std::string http_date(std::int64_t unix_ms) {
  std::tm tm = utc(unix_ms);
  std::array<char, 40> buf{};
  std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf.data();
}

std::uint64_t hash64(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

double unit(std::uint64_t h) {
  h += 0x9E3779B97F4A7C15ULL;
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);
}

std::string pseudo_hex(std::uint64_t n, int digits) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  std::uint64_t h = n;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) h = hash64(std::to_string(n), static_cast<std::uint64_t>(i) + 7);
    out += hex[h & 0xF];
    h >>= 4;
  }
  return out;
}

std::string pseudo_uuid(std::uint64_t n) {
  std::string h = pseudo_hex(n, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) +
         "-" + h.substr(20, 12);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto pos = s.find(sep);
    auto part = s.substr(0, pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

}  // namespace cryptodash::fake
