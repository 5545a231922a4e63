#include "config/live.h"

#include "config/schema.h"

namespace cryptodash::config {

settings_store::settings_store(settings initial, sources origin)
    : origin_(std::move(origin)), current_(std::make_shared<const settings>(std::move(initial))) {}

std::shared_ptr<const settings> settings_store::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

reload_report settings_store::reload() {
  std::lock_guard reload_lock(reload_mutex_);
  reload_report report;
  auto loaded = load(origin_);
  if (!loaded.ok()) {
    report.problems = std::move(loaded.problems);
    return report;
  }
  auto old = snapshot();
  auto next = std::make_shared<settings>(*old);
  for (const auto& f : fields()) {
    if (f.equal(*old, loaded.value)) continue;
    if (f.reload == reload_mode::live) {
      f.copy(*next, loaded.value);
      report.applied.push_back(f.key);
    } else {
      report.needs_restart.push_back(f.key);
    }
  }
  if (report.applied.empty()) return report;

  std::vector<std::function<void(const settings&)>> listeners;
  {
    std::lock_guard lock(mutex_);
    current_ = next;
    listeners = listeners_;
  }
  for (const auto& l : listeners) l(*next);
  return report;
}

void settings_store::on_reload(std::function<void(const settings&)> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

}  // namespace cryptodash::config
