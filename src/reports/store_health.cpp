#include "reports/store_health.h"

#include <spdlog/spdlog.h>

namespace cryptodash::reports {
namespace {

// PostgreSQL's messages span lines (ERROR, LINE, a caret): one line for logs and stats.
std::string one_line(std::string_view message) {
  std::string out;
  bool space = false;
  for (char c : message) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

}  // namespace

void store_health::succeeded() {
  bool recovered = false;
  {
    std::lock_guard lock(mutex_);
    ++stats_.calls;
    recovered = !stats_.healthy;
    stats_.healthy = true;
  }
  if (recovered) spdlog::info("{}: the database answers again", name_);
}

void store_health::failed(core::errc why, std::string_view raw_message) {
  std::string message = one_line(raw_message);
  bool turned = false;
  {
    std::lock_guard lock(mutex_);
    ++stats_.calls;
    ++stats_.failures;
    turned = stats_.healthy;
    stats_.healthy = false;
    stats_.last_error = message;
  }
  if (turned) {
    spdlog::warn("{}: database failing ({}): {}", name_, core::to_string(why), message);
  }
}

store_stats store_health::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace cryptodash::reports
