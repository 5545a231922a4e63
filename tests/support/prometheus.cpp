#include "support/prometheus.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <utility>

namespace cryptodash::test {
namespace {

struct parse_error {
  std::string message;
};

[[noreturn]] void fail(std::string message) {
  throw parse_error{std::move(message)};
}

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i < n || b(i + 1) < lo || b(i + 1) > hi) return false;
    for (std::size_t k = 2; k < n; ++k) {
      if (b(i + k) < 0x80 || b(i + k) > 0xBF) return false;
    }
    i += n;
  }
  return true;
}

// A float as Prometheus writes it: decimal (optionally signed, with exponent), +Inf, -Inf,
// Inf, NaN. Rejects what strtod would also take but Prometheus never writes (inf, nan, hex).
std::optional<double> parse_float(std::string_view t) {
  if (t == "+Inf" || t == "Inf") return std::numeric_limits<double>::infinity();
  if (t == "-Inf") return -std::numeric_limits<double>::infinity();
  if (t == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  std::size_t first = !t.empty() && t[0] == '-' ? 1 : 0;
  if (t.size() <= first || !(is_digit(t[first]) || t[first] == '.')) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

// Key of a label set, for duplicate and series detection.
std::string series_key(const std::map<std::string, std::string>& labels,
                       std::string_view skip = {}) {
  std::string k;
  for (const auto& [n, v] : labels) {
    if (n == skip) continue;
    k += n;
    k += '\0';
    k += v;
    k += '\0';
  }
  return k;
}

// The cursor over one line (without its '\n').
class line_reader {
 public:
  explicit line_reader(std::string_view s) : s_(s) {}

  bool at_end() const noexcept { return i_ == s_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : s_[i_]; }
  void skip_blanks() noexcept {
    while (!at_end() && is_blank(s_[i_])) ++i_;
  }
  // Skips at least one blank unless at the end of the line.
  void require_blank(std::string_view after) {
    if (!at_end() && !is_blank(s_[i_])) {
      fail("unexpected '" + std::string(1, s_[i_]) + "' after " + std::string(after));
    }
    skip_blanks();
  }
  void expect(char c, std::string_view where) {
    if (peek() != c) {
      fail("expected '" + std::string(1, c) + "' " + std::string(where) +
           (at_end() ? " at end of line" : ", found '" + std::string(1, s_[i_]) + "'"));
    }
    ++i_;
  }
  std::string_view token() noexcept {
    std::size_t b = i_;
    while (!at_end() && !is_blank(s_[i_])) ++i_;
    return s_.substr(b, i_ - b);
  }
  std::string_view rest() noexcept {
    auto r = s_.substr(i_);
    i_ = s_.size();
    return r;
  }

  // [a-zA-Z_:][a-zA-Z0-9_:]*
  std::string metric_name(std::string_view what) {
    std::size_t b = i_;
    while (!at_end() && (is_name_start(s_[i_]) || s_[i_] == ':' || is_digit(s_[i_]))) ++i_;
    std::string_view n = s_.substr(b, i_ - b);
    if (n.empty() || is_digit(n[0])) {
      fail("invalid metric name in " + std::string(what) + ": \"" + std::string(s_.substr(b)) +
           "\"");
    }
    return std::string(n);
  }
  // [a-zA-Z_][a-zA-Z0-9_]*
  std::string label_name() {
    std::size_t b = i_;
    while (!at_end() && (is_name_start(s_[i_]) || is_digit(s_[i_]))) ++i_;
    std::string_view n = s_.substr(b, i_ - b);
    if (n.empty() || is_digit(n[0])) {
      fail("invalid label name at \"" + std::string(s_.substr(b)) + "\"");
    }
    return std::string(n);
  }
  std::string label_value() {
    expect('"', "before a label value");
    std::string v;
    for (;;) {
      if (at_end()) fail("unterminated label value");
      char c = s_[i_++];
      if (c == '"') break;
      if (c != '\\') {
        v += c;
        continue;
      }
      if (at_end()) fail("unterminated label value");
      char e = s_[i_++];
      if (e == '\\' || e == '"') {
        v += e;
      } else if (e == 'n') {
        v += '\n';
      } else {
        fail("invalid escape \\" + std::string(1, e) + " in a label value");
      }
    }
    if (!valid_utf8(v)) fail("label value is not UTF-8");
    return v;
  }
  std::map<std::string, std::string> labels() {
    std::map<std::string, std::string> out;
    expect('{', "");
    skip_blanks();
    for (;;) {
      if (peek() == '}') {
        ++i_;
        return out;
      }
      if (at_end()) fail("unterminated label set");
      std::string n = label_name();
      skip_blanks();
      expect('=', "after label name " + n);
      skip_blanks();
      std::string v = label_value();
      if (!out.emplace(n, std::move(v)).second) fail("label " + n + " repeated");
      skip_blanks();
      if (at_end()) fail("unterminated label set");
      if (peek() == ',') {
        ++i_;
        skip_blanks();
      } else if (peek() != '}') {
        fail("expected ',' or '}' after label " + n + ", found '" + std::string(1, peek()) + "'");
      }
    }
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

struct histogram_series {
  std::string family;
  std::vector<std::pair<double, double>> buckets;  // (le, count) in the order written
  std::optional<double> sum, count;
};

class parser {
 public:
  parsed result;

  void line(std::string_view text) {
    line_reader r(text);
    r.skip_blanks();
    if (r.at_end()) return;
    if (r.peek() == '#') return comment(r);
    sample_line(r);
  }

  void finish() {
    for (const auto& [key, s] : series_) {
      std::string where = "histogram " + s.family + " (series " + printable(key) + ")";
      if (s.buckets.empty()) fail(where + ": no _bucket samples");
      if (!std::isinf(s.buckets.back().first)) fail(where + ": missing le=\"+Inf\" bucket");
      if (!s.count) fail(where + ": missing _count");
      if (!s.sum) fail(where + ": missing _sum");
      if (*s.count != s.buckets.back().second) {
        fail(where + ": +Inf bucket differs from _count");
      }
    }
  }

 private:
  static std::string printable(const std::string& key) {
    std::string out = "{";
    bool name = true;
    for (char c : key) {
      if (c == '\0') {
        out += name ? "=" : ",";
        name = !name;
      } else {
        out += c;
      }
    }
    if (out.size() > 1) out.pop_back();
    return out + "}";
  }

  std::string type_of(const std::string& family) const {
    auto it = result.types.find(family);
    return it == result.types.end() ? "untyped" : it->second;
  }

  void comment(line_reader& r) {
    r.expect('#', "");
    r.skip_blanks();
    std::string_view keyword = r.token();
    if (keyword != "HELP" && keyword != "TYPE") return;  // an ordinary comment
    r.skip_blanks();
    if (r.at_end()) fail(std::string(keyword) + " without a metric name");
    std::string name = r.metric_name(std::string(keyword));
    r.require_blank("the metric name");
    if (keyword == "HELP") {
      std::string help;
      std::string_view raw = r.rest();
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
          help += raw[i];
        } else if (i + 1 < raw.size() && raw[i + 1] == '\\') {
          help += '\\';
          ++i;
        } else if (i + 1 < raw.size() && raw[i + 1] == 'n') {
          help += '\n';
          ++i;
        } else {
          fail("invalid escape in HELP of " + name);
        }
      }
      if (!valid_utf8(help)) fail("HELP of " + name + " is not UTF-8");
      if (!result.helps.emplace(name, std::move(help)).second) fail("second HELP for " + name);
      return;
    }
    std::string type(r.token());
    r.skip_blanks();
    if (!r.at_end()) fail("unexpected text after TYPE " + name + " " + type);
    if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
        type != "untyped") {
      fail("unknown type \"" + type + "\" for " + name);
    }
    if (result.types.contains(name)) fail("second TYPE for " + name);
    std::vector<std::string> names{name};
    if (type == "histogram") names.push_back(name + "_bucket");
    if (type == "histogram" || type == "summary") {
      names.push_back(name + "_sum");
      names.push_back(name + "_count");
    }
    for (const auto& n : names) {
      if (sampled_.contains(n)) fail("TYPE for " + name + " after a sample of " + n);
    }
    result.types.emplace(name, std::move(type));
  }

  void sample_line(line_reader& r) {
    sample s;
    s.name = r.metric_name("a sample");
    if (r.peek() == '{') s.labels = r.labels();
    if (r.at_end()) fail("sample " + s.name + " without a value");
    r.require_blank("sample " + s.name);
    std::string_view value = r.token();
    auto v = parse_float(value);
    if (!v) fail("invalid value \"" + std::string(value) + "\" for " + s.name);
    s.value = *v;
    r.skip_blanks();
    if (!r.at_end()) {
      std::string_view ts = r.token();
      std::int64_t t = 0;
      auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
      if (ts.empty() || ec != std::errc() || ptr != ts.data() + ts.size()) {
        fail("invalid timestamp \"" + std::string(ts) + "\" for " + s.name);
      }
      r.skip_blanks();
      if (!r.at_end()) fail("unexpected text after the timestamp of " + s.name);
    }

    // Which family the sample belongs to.
    std::string family = s.name;
    std::string_view suffix;
    for (std::string_view sfx : {"_bucket", "_sum", "_count"}) {
      if (!s.name.ends_with(sfx)) continue;
      std::string base = s.name.substr(0, s.name.size() - sfx.size());
      std::string t = type_of(base);
      if (t == "histogram" || (t == "summary" && sfx != "_bucket")) {
        family = std::move(base);
        suffix = sfx;
      }
      break;
    }
    std::string type = type_of(family);
    if (type == "histogram" && suffix.empty()) {
      fail("histogram " + family + " sample without _bucket/_sum/_count suffix");
    }
    if (type == "summary" && suffix.empty() && !s.labels.contains("quantile")) {
      fail("summary " + family + " sample without a quantile label");
    }

    // Grouping and duplicates.
    if (family != current_family_) {
      if (closed_.contains(family)) fail("samples of " + family + " are not written together");
      if (!current_family_.empty()) closed_.insert(current_family_);
      current_family_ = family;
    }
    sampled_.insert(s.name);
    if (!series_seen_.insert(s.name + '\0' + series_key(s.labels)).second) {
      fail("sample " + s.name + " with these labels written twice");
    }

    // Values.
    bool must_count = type == "counter" || (type == "histogram" && suffix != "_sum") ||
                      (type == "summary" && suffix == "_count");
    if (must_count && !(s.value >= 0)) {
      fail("sample " + s.name + " must be a count >= 0, is " + std::string(value));
    }
    if (type == "histogram") histogram_sample(family, suffix, s);

    result.samples.push_back(std::move(s));
  }

  void histogram_sample(const std::string& family, std::string_view suffix, const sample& s) {
    auto le = s.labels.find("le");
    if (suffix != "_bucket") {
      if (le != s.labels.end()) fail(s.name + " must not have an le label");
      auto& series = series_[family + '\0' + series_key(s.labels)];
      series.family = family;
      (suffix == "_sum" ? series.sum : series.count) = s.value;
      return;
    }
    if (le == s.labels.end()) fail("bucket " + s.name + " without an le label");
    auto bound = parse_float(le->second);
    if (!bound || std::isnan(*bound)) fail("invalid le=\"" + le->second + "\" on " + s.name);
    auto& series = series_[family + '\0' + series_key(s.labels, "le")];
    series.family = family;
    if (series.count || series.sum) fail("bucket " + s.name + " after its _sum or _count");
    if (!series.buckets.empty()) {
      auto [prev_le, prev_count] = series.buckets.back();
      if (!(prev_le < *bound)) fail("buckets of " + s.name + " not in increasing le order");
      if (prev_count > s.value) {
        fail("bucket counts of " + s.name + " decrease at le=\"" + le->second + "\"");
      }
    }
    series.buckets.emplace_back(*bound, s.value);
  }

  std::string current_family_;
  std::set<std::string> closed_;       // families whose group of samples has ended
  std::set<std::string> sampled_;      // sample names seen
  std::set<std::string> series_seen_;  // name + labels
  std::map<std::string, histogram_series> series_;
};

}  // namespace

std::optional<parsed> parse_prometheus(std::string_view text, std::string* error) {
  parser p;
  std::size_t line_no = 0;
  try {
    if (!text.empty() && text.back() != '\n') {
      line_no = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
      fail("the last line does not end with a newline");
    }
    for (std::size_t start = 0; start < text.size();) {
      ++line_no;
      std::size_t nl = text.find('\n', start);
      p.line(text.substr(start, nl - start));
      start = nl + 1;
    }
    line_no = 0;
    p.finish();
  } catch (const parse_error& e) {
    if (error != nullptr) {
      *error = line_no > 0 ? "line " + std::to_string(line_no) + ": " + e.message : e.message;
    }
    return std::nullopt;
  }
  return std::move(p.result);
}

double value_of(const parsed& p, std::string_view name,
                const std::map<std::string, std::string>& labels) {
  for (const auto& s : p.samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double sum_of(const parsed& p, std::string_view name,
              const std::map<std::string, std::string>& label_subset) {
  double sum = 0;
  for (const auto& s : p.samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : label_subset) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) {
        match = false;
        break;
      }
    }
    if (match) sum += s.value;
  }
  return sum;
}

}  // namespace cryptodash::test
