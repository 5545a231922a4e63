#include "upstream/budget.h"

#include <chrono>
#include <cstdio>

namespace cryptodash::upstream {

bool exhausted(const budget_usage& used, const budget_limits& limits) noexcept {
  return (limits.daily > 0 && used.day >= limits.daily) ||
         (limits.monthly > 0 && used.month >= limits.monthly);
}

budget_periods periods_of(core::time_point now) {
  using namespace std::chrono;
  const auto day = floor<days>(now);
  const year_month_day ymd{day};
  const auto time = hh_mm_ss{floor<minutes>(now - day)};
  char buf[64];  // room for any field values (GCC checks the bound at -O2)
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()));
  const std::string minute(buf);
  return {minute, minute.substr(0, 8), minute.substr(0, 6)};
}

void budget_counter::record(core::time_point now, std::int64_t calls) {
  auto p = periods_of(now);
  if (p.month != periods_.month) used_.month = 0;
  if (p.day != periods_.day) used_.day = 0;
  if (p.minute != periods_.minute) used_.minute = 0;
  periods_ = std::move(p);
  used_.minute += calls;
  used_.day += calls;
  used_.month += calls;
}

budget_usage budget_counter::usage(core::time_point now) const {
  const auto p = periods_of(now);
  return {p.minute == periods_.minute ? used_.minute : 0, p.day == periods_.day ? used_.day : 0,
          p.month == periods_.month ? used_.month : 0};
}

}  // namespace cryptodash::upstream
