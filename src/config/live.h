#pragma once

#include "config/load.h"
#include "config/settings.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cryptodash::config {

/// What a reload did.
struct reload_report {
  std::vector<std::string> applied;        ///< keys whose new value is now in effect
  std::vector<std::string> needs_restart;  ///< keys that changed but only take effect on restart
  std::vector<problem> problems;           ///< non-empty: the new settings were refused whole
};

/// The process's settings as an immutable snapshot, swapped whole on reload. Only the values
/// the registry marks live (TTLs, rates, budgets, intervals, log level…) change on reload;
/// the rest keep their start-up value until restart. Thread-safe.
class settings_store {
 public:
  /// `initial` must be the validated result of load(`origin`).
  settings_store(settings initial, sources origin);

  /// The current snapshot; holders keep a consistent view however long they keep it.
  std::shared_ptr<const settings> snapshot() const;

  /// Reads the sources again. If they are valid, applies the live changes, notifies the
  /// listeners (on this thread, after the swap) and reports what changed; if not, changes
  /// nothing and reports the problems.
  reload_report reload();

  /// Called after every reload that applied something. Not to be called from a listener.
  void on_reload(std::function<void(const settings&)> listener);

 private:
  sources origin_;
  mutable std::mutex mutex_;
  std::shared_ptr<const settings> current_;                      // guarded by mutex_
  std::vector<std::function<void(const settings&)>> listeners_;  // guarded by mutex_
  std::mutex reload_mutex_;  // one reload at a time; never held by snapshot()
};

}  // namespace cryptodash::config
