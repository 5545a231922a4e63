#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"

namespace cryptodash::upstream {

/// Calls made to one provider in the current UTC minute, day and calendar month.
struct budget_usage {
  std::int64_t minute = 0;
  std::int64_t day = 0;
  std::int64_t month = 0;
};

/// A provider's budget; 0 = unlimited.
struct budget_limits {
  std::int64_t daily = 0;
  std::int64_t monthly = 0;
};

/// True when one more call would go over a limit.
bool exhausted(const budget_usage& used, const budget_limits& limits) noexcept;

/// The UTC period labels a counter is kept under: "202611221030" (minute), "20261122" (day),
/// "202611" (month). The Redis counters use them in their key names.
struct budget_periods {
  std::string minute;
  std::string day;
  std::string month;
};
budget_periods periods_of(core::time_point now);

/// Per-process call counts with calendar rollover. Sans-I/O; not thread-safe.
class budget_counter {
 public:
  /// Counts `calls` at `now`.
  void record(core::time_point now, std::int64_t calls = 1);
  budget_usage usage(core::time_point now) const;

 private:
  budget_periods periods_;
  budget_usage used_;
};

}  // namespace cryptodash::upstream
