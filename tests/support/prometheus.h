#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A strict parser of the Prometheus text exposition format 0.0.4, for tests of GET /metrics.
// Stricter than Prometheus itself where that catches bugs in what we write: see
// parse_prometheus.

namespace cryptodash::test {

struct sample {
  std::string name;                           ///< as written: foo, foo_bucket, foo_count, …
  std::map<std::string, std::string> labels;  ///< unescaped values
  double value;
};

struct parsed {
  std::vector<sample> samples;               ///< in the order written
  std::map<std::string, std::string> types;  ///< family name -> counter|gauge|histogram|…
  std::map<std::string, std::string> helps;  ///< family name -> unescaped help text
};

/// Parses `text`, or returns nullopt and, when `error` is given, sets it to "line N: why".
/// Every line is empty (blanks only), a comment, or a sample; non-empty text ends with '\n'.
///  - `# HELP name text` (escapes \\ and \n only; at most one per name), `# TYPE name type`
///    with type counter|gauge|histogram|summary|untyped (at most one per name, and before any
///    sample of its family); other `#` lines are ignored.
///  - `name{label="value",…} value [timestamp]`: valid metric and label names, label values
///    with the escapes \\ \" \n only and valid UTF-8, no repeated label, values as
///    Prometheus spells them (decimal, +Inf, -Inf, Inf, NaN), an integer timestamp.
///  - No series (name and labels) twice; the samples of one family written together.
///  - Counter samples, histogram buckets and counts are >= 0. A histogram's samples are
///    name_bucket (with le, in increasing le order, counts non-decreasing, the last le="+Inf"),
///    name_sum and name_count (without le), and for each label set the +Inf bucket equals
///    name_count. Summary samples named after the family carry a quantile label.
/// Thread-safe (no shared state).
std::optional<parsed> parse_prometheus(std::string_view text, std::string* error = nullptr);

/// The value of the sample with exactly this name and these labels; NaN if there is none.
double value_of(const parsed& p, std::string_view name,
                const std::map<std::string, std::string>& labels = {});

/// The sum of the samples with this name whose labels include `label_subset` (every pair
/// present with the same value); 0 if there are none.
double sum_of(const parsed& p, std::string_view name,
              const std::map<std::string, std::string>& label_subset = {});

}  // namespace cryptodash::test
