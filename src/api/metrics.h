#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

// The Prometheus registry behind GET /metrics (text exposition format 0.0.4).
//
// Two ways to export a figure:
//  - counters and histograms that code bumps as things happen: register a family at start-up
//    (metrics::counter / metrics::histogram), take a child with family.with({label values}),
//    keep the reference, and inc() / observe() it from any thread;
//  - figures that already live elsewhere (cache stats, breaker state, budgets): a collector
//    registered with metrics::add_collector writes them at scrape time through `exposition`.

namespace cryptodash::api {

class metrics;

/// A monotonically increasing count. Thread-safe; inc() is one relaxed atomic add and never
/// throws. Over-aligned so that two children never share a cache line.
class alignas(64) counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// Counts of observations in fixed buckets, and their sum. Thread-safe; observe() is a binary
/// search of the bounds plus two relaxed atomic adds, and never throws.
class alignas(64) histogram {
 public:
  /// `upper_bounds`: strictly increasing and finite (the +Inf bucket is implicit). The span is
  /// not copied: its storage (the family's) must outlive the histogram.
  explicit histogram(std::span<const double> upper_bounds);

  /// Counts `value` in the first bucket whose bound is >= value (+Inf for NaN and anything above
  /// the last bound) and adds it to the sum (a NaN makes the sum NaN, as in the Go client).
  void observe(double seconds) noexcept;

  /// Counts per bucket, cumulative (`le` semantics): one more than the bounds, the last being
  /// the +Inf bucket, which is the total count. Each bucket is read once, so under concurrent
  /// observe() the counts are non-decreasing and the last equals the count, while the sum may
  /// lag or lead by the observations in flight.
  struct snapshot {
    std::vector<std::uint64_t> cumulative;
    double sum = 0;
    std::uint64_t count() const noexcept { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  snapshot read() const;

  std::span<const double> upper_bounds() const noexcept { return bounds_; }

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0.0};
};

namespace detail {

/// The children of one family, keyed by their label values. Insert-only: a child lives as long
/// as the index. find() takes no lock (acquire loads over an open-addressing table that is
/// replaced, never modified in place, when it grows; old tables are kept until destruction), so
/// lookups of existing children never contend with each other or with render(). insert() and
/// children() take a mutex. Thread-safe.
template <class Child>
class child_index {
 public:
  child_index();
  ~child_index();
  child_index(const child_index&) = delete;
  child_index& operator=(const child_index&) = delete;

  static std::size_t hash(std::span<const std::string_view> values) noexcept;

  /// The child with these values, or nullptr. `h` is hash(values). Never blocks.
  Child* find(std::span<const std::string_view> values, std::size_t h) const noexcept;

  /// Adds `child` under `values` unless a concurrent insert won the race; returns the child
  /// now stored. Throws std::bad_alloc only.
  Child& insert(std::span<const std::string_view> values, std::size_t h,
                std::unique_ptr<Child> child);

  struct entry {
    const std::vector<std::string>* values;  // immutable, lives as long as the index
    const Child* child;
  };
  /// Every child with its label values, sorted by label values (a deterministic exposition).
  std::vector<entry> children() const;

 private:
  struct node;
  struct table;
  Child* find_in(const table& t, std::span<const std::string_view> values,
                 std::size_t h) const noexcept;

  std::atomic<const table*> current_;
  mutable std::mutex mu_;                       // guards the members below (writers only)
  std::vector<std::unique_ptr<table>> tables_;  // every table published; the last is current_
  std::vector<std::unique_ptr<node>> nodes_;    // in order of creation
};

/// What counter and histogram families share. Immutable after registration.
class family_base {
 public:
  family_base(const family_base&) = delete;
  family_base& operator=(const family_base&) = delete;
  virtual ~family_base() = default;

  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  const std::vector<std::string>& label_names() const noexcept { return label_names_; }
  /// The names this family's lines use: its name, and for a histogram name_bucket/_sum/_count.
  const std::vector<std::string>& sample_names() const noexcept { return sample_names_; }
  /// Unique in the process and never reused: a cache of children can tell this family from
  /// one created later at the same address.
  std::uint64_t serial() const noexcept { return serial_; }

 protected:
  family_base(std::string name, std::string help, std::vector<std::string> label_names,
              std::span<const std::string_view> suffixes);

 private:
  friend class cryptodash::api::metrics;
  /// Appends HELP, TYPE and every sample. Thread-safe.
  virtual void render(std::string& out) const = 0;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<std::string> sample_names_;
  std::uint64_t serial_;
};

}  // namespace detail

/// A counter with a fixed list of label names; one child per combination of label values.
/// Created and owned by the registry (metrics::counter). with() is thread-safe.
class counter_family final : public detail::family_base {
 public:
  /// The child for these label values (in the order of label_names()), created on first use.
  /// The reference stays valid for the registry's life: hot code should look it up once and
  /// keep it. Looking up an existing child takes no lock and does not throw; creating one
  /// takes a mutex and may throw std::bad_alloc. A wrong number of values is a programming
  /// error: it gets a detached child that is never exported.
  counter& with(std::span<const std::string_view> label_values);
  counter& with(std::initializer_list<std::string_view> label_values) {
    return with(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  }

 private:
  friend class metrics;
  counter_family(std::string name, std::string help, std::vector<std::string> label_names);
  void render(std::string& out) const override;

  detail::child_index<counter> children_;
  counter detached_;
};

/// A histogram with a fixed list of label names and fixed buckets; one child per combination
/// of label values. Created and owned by the registry (metrics::histogram). with() is
/// thread-safe.
class histogram_family final : public detail::family_base {
 public:
  /// As counter_family::with.
  histogram& with(std::span<const std::string_view> label_values);
  histogram& with(std::initializer_list<std::string_view> label_values) {
    return with(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  }

  /// Strictly increasing finite bounds, without the implicit +Inf.
  const std::vector<double>& upper_bounds() const noexcept { return bounds_; }

 private:
  friend class metrics;
  histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                   std::vector<double> upper_bounds);
  void render(std::string& out) const override;

  std::vector<double> bounds_;
  std::vector<std::string> le_;  // bounds_ formatted for the `le` label, then "+Inf"
  detail::child_index<histogram> children_;
  histogram detached_;
};

/// The type a collector declares for a family it writes.
enum class metric_type { counter, gauge };

/// Where a collector writes the families it computes at scrape time. Valid only during the
/// collector call; not thread-safe (each render() has its own).
///
/// Mistakes never throw (render() serves a request), they drop output: a family with an
/// invalid name, or a name already used by a registered family or earlier in this scrape, is
/// dropped with its samples; a sample outside a family, whose name is not its family's, or
/// with an invalid or repeated label name, is dropped. Each mistake counts in
/// metrics::collector_errors(), and the first one is logged (warn). Writing the same label set
/// twice in a family is the caller's bug and is not detected.
class exposition {
 public:
  using label = std::pair<std::string_view, std::string_view>;

  /// Starts a family; its samples follow. `help` may be empty.
  void family(std::string_view name, std::string_view help, metric_type type);

  /// One sample of the current family: `name` must be the family's name.
  void sample(std::string_view name, std::initializer_list<label> labels, double value) {
    sample(name, std::span<const label>(labels.begin(), labels.size()), value);
  }
  void sample(std::string_view name, std::span<const label> labels, double value);

  exposition(const exposition&) = delete;
  exposition& operator=(const exposition&) = delete;

 private:
  friend class metrics;
  enum class state { none, open, dropped };

  exposition(std::string& out, const std::unordered_set<std::string_view>& registered);
  void begin_collector() noexcept { state_ = state::none; }
  void error(std::string_view what, std::string_view name);

  std::string& out_;
  const std::unordered_set<std::string_view>& registered_;  // registered families' names
  std::unordered_set<std::string> written_;                 // families written by collectors so far
  state state_ = state::none;
  std::string family_;  // the open family's name when state_ == open
  std::uint64_t errors_ = 0;
  std::string first_error_;
};

/// The registry. Registration (counter, histogram, add_collector) is meant for start-up and
/// throws std::invalid_argument on bad names or shapes; everything is thread-safe, so children
/// may be created and bumped from many threads while render() runs.
class metrics {
 public:
  static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

  metrics();
  ~metrics();
  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  /// Registers a counter family. `name` matches [a-zA-Z_:][a-zA-Z0-9_:]*, each label name
  /// [a-zA-Z_][a-zA-Z0-9_]* without a leading "__", all distinct. Registering a name again
  /// returns the existing family if it is a counter with the same label names (the help text
  /// is not compared); any other clash with a registered name (including a histogram's
  /// name_bucket/_sum/_count) throws std::invalid_argument. A family without labels is
  /// exported at 0 from the start. The reference stays valid for the registry's life.
  counter_family& counter(std::string name, std::string help,
                          std::vector<std::string> label_names = {});

  /// Registers a histogram family, as counter(). `bucket_upper_bounds`: strictly increasing,
  /// finite, except that a final +Inf is accepted and ignored (it is always implicit). "le" is
  /// not allowed as a label name. Re-registration must also repeat the same bounds.
  histogram_family& histogram(std::string name, std::string help,
                              std::vector<std::string> label_names,
                              std::vector<double> bucket_upper_bounds);

  /// Adds a callback that render() calls, after the registered families, in the order added.
  /// It may be called from several threads at once (concurrent scrapes), must not block, and
  /// must not call back into this registry's registration functions. An exception it throws is
  /// caught and counted in collector_errors(); what it wrote before stays.
  void add_collector(std::function<void(exposition& out)> fn);

  /// The exposition: registered families in registration order (children sorted by label
  /// values), then the collectors' output. Thread-safe.
  std::string render() const;

  /// Collector mistakes so far, over all renders: dropped families and samples (see
  /// exposition) and exceptions. The first one is logged as a warning. Thread-safe.
  std::uint64_t collector_errors() const noexcept {
    return collector_errors_.load(std::memory_order_relaxed);
  }

 private:
  using collector_fn = std::function<void(exposition& out)>;

  /// Adds `f` unless one of its sample names is taken; returns the family now under that name:
  /// `f` itself, or an existing one with f's name and shape. Throws std::invalid_argument.
  detail::family_base* add(std::unique_ptr<detail::family_base> f);

  mutable std::mutex mu_;  // guards the members below; never held while rendering
  std::vector<std::unique_ptr<detail::family_base>> families_;
  std::unordered_set<std::string_view> sample_names_;  // views into families_' own strings
  std::vector<std::shared_ptr<const collector_fn>> collectors_;
  mutable std::atomic<std::uint64_t> collector_errors_{0};
};

}  // namespace cryptodash::api
