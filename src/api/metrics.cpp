#include "api/metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <typeinfo>

namespace cryptodash::api {
namespace {

constexpr std::string_view no_suffixes[] = {""};
constexpr std::string_view histogram_suffixes[] = {"", "_bucket", "_sum", "_count"};

bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!(is_name_start(c) || c == ':' || (i > 0 && is_digit(c)))) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*, and not "__…" (reserved by Prometheus).
bool valid_label_name(std::string_view s) noexcept {
  if (s.empty() || s.starts_with("__")) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!(is_name_start(c) || (i > 0 && is_digit(c)))) return false;
  }
  return true;
}

void check_registration(std::string_view name, const std::vector<std::string>& label_names,
                        std::string_view reserved_label) {
  if (!valid_metric_name(name)) {
    throw std::invalid_argument("metrics: invalid metric name \"" + std::string(name) + "\"");
  }
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const std::string& l = label_names[i];
    if (!valid_label_name(l) || l == reserved_label) {
      throw std::invalid_argument("metrics: invalid label name \"" + l + "\" for " +
                                  std::string(name));
    }
    if (std::find(label_names.begin(), label_names.begin() + static_cast<std::ptrdiff_t>(i), l) !=
        label_names.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument("metrics: label \"" + l + "\" repeated for " + std::string(name));
    }
  }
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Integers exactly representable print as integers ("42", not "4.2e+01"); other finite values
// in the shortest form that reads back to the same double; the specials as Prometheus spells
// them.
void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (constexpr double exact = 9007199254740992.0;  // 2^53
             std::trunc(v) == v && std::fabs(v) <= exact) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
    out.append(buf, r.ptr);
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

// Length of the valid UTF-8 sequence at the start of `s`, or 0 if it is not one.
std::size_t utf8_sequence(std::string_view s) noexcept {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n || b(1) < lo || b(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  }
  return n;
}

enum class quoting { help, label_value };

// Escapes backslash and newline (and the double quote in a label value); replaces bytes that
// are not UTF-8 with U+FFFD, since the format requires UTF-8.
void append_escaped(std::string& out, std::string_view s, quoting q) {
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '"' && q == quoting::label_value) {
        out += "\\\"";
      } else {
        out += c;
      }
      ++i;
    } else if (std::size_t n = utf8_sequence(s.substr(i)); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
}

void append_header(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, quoting::help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void append_label(std::string& out, bool& first, std::string_view name, std::string_view value) {
  out += first ? '{' : ',';
  first = false;
  out += name;
  out += "=\"";
  append_escaped(out, value, quoting::label_value);
  out += '"';
}

// `{a="x",b="y"}` (plus le="…" when given), or nothing when there are no labels at all.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view le = {}) {
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) append_label(out, first, names[i], values[i]);
  if (!le.empty()) append_label(out, first, "le", le);
  if (!first) out += '}';
}

}  // namespace

// ---- histogram --------------------------------------------------------------------------------

histogram::histogram(std::span<const double> upper_bounds)
    : bounds_(upper_bounds),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds.size() + 1)) {}

void histogram::observe(double seconds) noexcept {
  // First bound >= seconds; NaN compares false with everything and lands in +Inf.
  auto it = std::partition_point(bounds_.begin(), bounds_.end(),
                                 [seconds](double b) { return !(seconds <= b); });
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(seconds, std::memory_order_relaxed);
}

histogram::snapshot histogram::read() const {
  snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- child_index ------------------------------------------------------------------------------

namespace detail {

template <class Child>
struct child_index<Child>::node {
  std::vector<std::string> values;
  std::size_t hash;
  std::unique_ptr<Child> child;
};

template <class Child>
struct child_index<Child>::table {
  explicit table(std::size_t capacity)
      : mask(capacity - 1), slots(std::make_unique<std::atomic<const node*>[]>(capacity)) {}

  // Writers only (under mu_). Kept at most half full, so probing always ends at a null slot.
  void place(const node* n) noexcept {
    std::size_t i = n->hash & mask;
    while (slots[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & mask;
    slots[i].store(n, std::memory_order_release);
    ++size;
  }

  std::size_t mask;
  std::unique_ptr<std::atomic<const node*>[]> slots;
  std::size_t size = 0;  // writers only
};

template <class Child>
child_index<Child>::child_index() {
  tables_.push_back(std::make_unique<table>(8));
  current_.store(tables_.back().get(), std::memory_order_release);
}

template <class Child>
child_index<Child>::~child_index() = default;

template <class Child>
std::size_t child_index<Child>::hash(std::span<const std::string_view> values) noexcept {
  std::size_t h = 0x9e3779b97f4a7c15ULL;
  for (std::string_view v : values) {
    h ^= std::hash<std::string_view>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h ^ (h >> 29);
}

template <class Child>
Child* child_index<Child>::find_in(const table& t, std::span<const std::string_view> values,
                                   std::size_t h) const noexcept {
  for (std::size_t i = h & t.mask;; i = (i + 1) & t.mask) {
    const node* n = t.slots[i].load(std::memory_order_acquire);
    if (n == nullptr) return nullptr;
    if (n->hash == h &&
        std::equal(n->values.begin(), n->values.end(), values.begin(), values.end())) {
      return n->child.get();
    }
  }
}

template <class Child>
Child* child_index<Child>::find(std::span<const std::string_view> values,
                                std::size_t h) const noexcept {
  return find_in(*current_.load(std::memory_order_acquire), values, h);
}

template <class Child>
Child& child_index<Child>::insert(std::span<const std::string_view> values, std::size_t h,
                                  std::unique_ptr<Child> child) {
  std::lock_guard lock(mu_);
  table* cur = tables_.back().get();
  if (Child* c = find_in(*cur, values, h)) return *c;

  // Everything that can throw happens before the new node becomes reachable.
  auto n = std::make_unique<node>(node{{values.begin(), values.end()}, h, std::move(child)});
  nodes_.reserve(nodes_.size() + 1);
  if ((cur->size + 1) * 2 > cur->mask + 1) {
    tables_.reserve(tables_.size() + 1);
    auto bigger = std::make_unique<table>((cur->mask + 1) * 2);
    for (const auto& old : nodes_) bigger->place(old.get());
    tables_.push_back(std::move(bigger));  // the old table stays: readers may be probing it
    cur = tables_.back().get();
  }
  cur->place(n.get());
  Child& result = *n->child;
  nodes_.push_back(std::move(n));
  current_.store(cur, std::memory_order_release);
  return result;
}

template <class Child>
std::vector<typename child_index<Child>::entry> child_index<Child>::children() const {
  std::vector<entry> out;
  {
    std::lock_guard lock(mu_);
    out.reserve(nodes_.size());
    for (const auto& n : nodes_) out.push_back({&n->values, n->child.get()});
  }
  std::sort(out.begin(), out.end(),
            [](const entry& a, const entry& b) { return *a.values < *b.values; });
  return out;
}

template class child_index<counter>;
template class child_index<histogram>;

family_base::family_base(std::string name, std::string help, std::vector<std::string> label_names,
                         std::span<const std::string_view> suffixes)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  static std::atomic<std::uint64_t> families{0};
  serial_ = families.fetch_add(1, std::memory_order_relaxed) + 1;
  for (std::string_view s : suffixes) sample_names_.push_back(name_ + std::string(s));
}

}  // namespace detail

// ---- families ---------------------------------------------------------------------------------

counter_family::counter_family(std::string name, std::string help,
                               std::vector<std::string> label_names)
    : family_base(std::move(name), std::move(help), std::move(label_names), no_suffixes) {
  if (this->label_names().empty()) with({});  // exported at 0 from the start
}

counter& counter_family::with(std::span<const std::string_view> label_values) {
  if (label_values.size() != label_names().size()) return detached_;
  std::size_t h = children_.hash(label_values);
  if (counter* c = children_.find(label_values, h)) return *c;
  return children_.insert(label_values, h, std::make_unique<counter>());
}

void counter_family::render(std::string& out) const {
  append_header(out, name(), help(), "counter");
  for (const auto& e : children_.children()) {
    out += name();
    append_labels(out, label_names(), *e.values);
    out += ' ';
    append_uint(out, e.child->value());
    out += '\n';
  }
}

histogram_family::histogram_family(std::string name, std::string help,
                                   std::vector<std::string> label_names,
                                   std::vector<double> upper_bounds)
    : family_base(std::move(name), std::move(help), std::move(label_names), histogram_suffixes),
      bounds_(std::move(upper_bounds)),
      detached_(bounds_) {
  for (double b : bounds_) {
    std::string s;
    append_double(s, b);
    le_.push_back(std::move(s));
  }
  le_.emplace_back("+Inf");
  if (this->label_names().empty()) with({});
}

histogram& histogram_family::with(std::span<const std::string_view> label_values) {
  if (label_values.size() != label_names().size()) return detached_;
  std::size_t h = children_.hash(label_values);
  if (histogram* c = children_.find(label_values, h)) return *c;
  return children_.insert(label_values, h, std::make_unique<histogram>(bounds_));
}

void histogram_family::render(std::string& out) const {
  append_header(out, name(), help(), "histogram");
  for (const auto& e : children_.children()) {
    histogram::snapshot s = e.child->read();
    for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
      out += name();
      out += "_bucket";
      append_labels(out, label_names(), *e.values, le_[i]);
      out += ' ';
      append_uint(out, s.cumulative[i]);
      out += '\n';
    }
    out += name();
    out += "_sum";
    append_labels(out, label_names(), *e.values);
    out += ' ';
    append_double(out, s.sum);
    out += '\n';
    out += name();
    out += "_count";
    append_labels(out, label_names(), *e.values);
    out += ' ';
    append_uint(out, s.count());
    out += '\n';
  }
}

// ---- exposition -------------------------------------------------------------------------------

exposition::exposition(std::string& out, const std::unordered_set<std::string_view>& registered)
    : out_(out), registered_(registered) {}

void exposition::error(std::string_view what, std::string_view name) {
  if (errors_++ == 0) {
    first_error_ = std::string(what) + " \"" + std::string(name) + "\"";
  }
}

void exposition::family(std::string_view name, std::string_view help, metric_type type) {
  state_ = state::dropped;
  if (!valid_metric_name(name)) return error("invalid family name", name);
  std::string key(name);
  if (registered_.contains(name) || written_.contains(key)) {
    return error("family written twice", name);
  }
  written_.insert(key);
  family_ = std::move(key);
  state_ = state::open;
  append_header(out_, name, help, type == metric_type::counter ? "counter" : "gauge");
}

void exposition::sample(std::string_view name, std::span<const label> labels, double value) {
  if (state_ == state::dropped) return;  // already counted with its family
  if (state_ == state::none) return error("sample outside a family", name);
  if (name != family_) return error("sample name differs from its family's", name);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!valid_label_name(labels[i].first)) return error("invalid label name in", name);
    for (std::size_t j = 0; j < i; ++j) {
      if (labels[j].first == labels[i].first) return error("repeated label name in", name);
    }
  }
  out_ += name;
  bool first = true;
  for (const auto& [k, v] : labels) append_label(out_, first, k, v);
  if (!first) out_ += '}';
  out_ += ' ';
  append_double(out_, value);
  out_ += '\n';
}

// ---- metrics ----------------------------------------------------------------------------------

metrics::metrics() = default;
metrics::~metrics() = default;

detail::family_base* metrics::add(std::unique_ptr<detail::family_base> f) {
  std::lock_guard lock(mu_);
  for (const auto& existing : families_) {
    if (existing->name() != f->name()) continue;
    bool same = typeid(*existing) == typeid(*f) && existing->label_names() == f->label_names();
    if (same && typeid(*f) == typeid(histogram_family)) {
      same = static_cast<const histogram_family&>(*existing).upper_bounds() ==
             static_cast<const histogram_family&>(*f).upper_bounds();
    }
    if (!same) {
      throw std::invalid_argument("metrics: " + f->name() +
                                  " registered again with another type, labels or buckets");
    }
    return existing.get();
  }
  for (const std::string& s : f->sample_names()) {
    if (sample_names_.contains(s)) {
      throw std::invalid_argument("metrics: " + f->name() + " clashes with the registered " + s);
    }
  }
  families_.reserve(families_.size() + 1);
  for (const std::string& s : f->sample_names()) sample_names_.insert(s);
  families_.push_back(std::move(f));
  return families_.back().get();
}

counter_family& metrics::counter(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  check_registration(name, label_names, {});
  std::unique_ptr<detail::family_base> f(
      new counter_family(std::move(name), std::move(help), std::move(label_names)));
  return static_cast<counter_family&>(*add(std::move(f)));
}

histogram_family& metrics::histogram(std::string name, std::string help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> bucket_upper_bounds) {
  check_registration(name, label_names, "le");
  if (!bucket_upper_bounds.empty() &&
      bucket_upper_bounds.back() == std::numeric_limits<double>::infinity()) {
    bucket_upper_bounds.pop_back();
  }
  for (std::size_t i = 0; i < bucket_upper_bounds.size(); ++i) {
    double b = bucket_upper_bounds[i];
    if (!std::isfinite(b) || (i > 0 && !(bucket_upper_bounds[i - 1] < b))) {
      throw std::invalid_argument("metrics: " + name +
                                  ": bucket bounds must be finite and strictly increasing");
    }
  }
  std::unique_ptr<detail::family_base> f(new histogram_family(
      std::move(name), std::move(help), std::move(label_names), std::move(bucket_upper_bounds)));
  return static_cast<histogram_family&>(*add(std::move(f)));
}

void metrics::add_collector(std::function<void(exposition& out)> fn) {
  auto p = std::make_shared<const collector_fn>(std::move(fn));
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(p));
}

std::string metrics::render() const {
  // Families are immutable and never removed, so pointers copied under the lock stay valid;
  // collectors run without it.
  std::vector<const detail::family_base*> families;
  std::vector<std::shared_ptr<const collector_fn>> collectors;
  {
    std::lock_guard lock(mu_);
    families.reserve(families_.size());
    for (const auto& f : families_) families.push_back(f.get());
    collectors = collectors_;
  }

  std::string out;
  out.reserve(4096);
  std::unordered_set<std::string_view> registered;
  for (const detail::family_base* f : families) {
    f->render(out);
    registered.insert(f->sample_names().begin(), f->sample_names().end());
  }

  exposition ex(out, registered);
  for (const auto& c : collectors) {
    ex.begin_collector();
    try {
      (*c)(ex);
    } catch (const std::exception& e) {
      ex.error("collector threw", e.what());
    } catch (...) {
      ex.error("collector threw", "a non-standard exception");
    }
  }
  if (ex.errors_ > 0 && collector_errors_.fetch_add(ex.errors_, std::memory_order_relaxed) == 0) {
    spdlog::warn("metrics: collector output dropped: {} (further mistakes are only counted)",
                 ex.first_error_);
  }
  return out;
}

}  // namespace cryptodash::api
