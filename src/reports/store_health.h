#pragma once

#include "core/error.h"
#include "reports/report_store.h"

#include <mutex>
#include <string>
#include <string_view>

namespace cryptodash::reports {

/// The health bookkeeping of a store backend: counts the calls that went to the database and
/// those that failed, and logs one warning when the store turns unhealthy and one line when it
/// recovers (never one per call). Thread-safe.
class store_health {
 public:
  /// `name` prefixes the log lines ("reports sqlite").
  explicit store_health(std::string name) : name_(std::move(name)) {}

  void succeeded();
  /// `message` is the database's own (never holding a password); it is kept for stats(), on one
  /// line with runs of white space folded.
  void failed(core::errc why, std::string_view message);
  store_stats stats() const;

 private:
  const std::string name_;
  mutable std::mutex mutex_;
  store_stats stats_;  // guarded by mutex_
};

}  // namespace cryptodash::reports
