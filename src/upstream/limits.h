#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"
#include "upstream/budget.h"
#include "upstream/gcra.h"

namespace cryptodash::store::redis {
class client;
class script;
}  // namespace cryptodash::store::redis

namespace cryptodash::upstream {

/// What a provider may spend: its rate and its budget.
struct provider_limits {
  rate_limit rate;
  budget_limits budget;
};

enum class admission {
  go,                ///< units reserved, one call counted: call after `wait`
  rate_limited,      ///< no permit within the caller's deadline
  cooling_down,      ///< the provider said 429/418: no calls for `wait`
  budget_exhausted,  ///< the day's or month's budget is spent
};

struct admission_decision {
  admission verdict = admission::go;
  core::duration wait{};
};

/// Where the rate, the 429 cool-downs and the budget counters of the providers live. The Redis
/// store shares them between every instance; the local one is per process. Thread-safe.
class limit_store {
 public:
  virtual ~limit_store() = default;

  /// Asks to call `provider` with `weight` units within `max_wait`, unless it is cooling down
  /// or out of budget. A `go` has reserved the units and counted one call against the budget.
  virtual boost::asio::awaitable<admission_decision> admit(std::string provider,
                                                           provider_limits limits, int weight,
                                                           core::duration max_wait) = 0;

  /// No call to `provider` for `d` (from any instance, for a shared store). A shorter cool-down
  /// never cuts a longer one short.
  virtual boost::asio::awaitable<void> cool_down(std::string provider, core::duration d) = 0;

  virtual boost::asio::awaitable<budget_usage> usage(std::string provider) = 0;

  /// "local" or "redis".
  virtual const char* kind() const noexcept = 0;
};

/// Per-process limits: a GCRA, a cool-down and budget counters per provider. The decisions
/// are synchronous; admit() merely wraps decide(). Thread-safe (one mutex, never held across
/// anything slow).
class local_limits final : public limit_store {
 public:
  explicit local_limits(const core::clock& clock) : clock_(clock) {}

  admission_decision decide(const std::string& provider, const provider_limits& limits,
                            int weight, core::duration max_wait);
  void set_cool_down(const std::string& provider, core::duration d);
  /// The cooling_down decision if `provider` is cooling down at `now`, else nullopt.
  std::optional<admission_decision> cooling(const std::string& provider, core::time_point now);
  budget_usage current_usage(const std::string& provider);

  boost::asio::awaitable<admission_decision> admit(std::string provider, provider_limits limits,
                                                   int weight, core::duration max_wait) override;
  boost::asio::awaitable<void> cool_down(std::string provider, core::duration d) override;
  boost::asio::awaitable<budget_usage> usage(std::string provider) override;
  const char* kind() const noexcept override { return "local"; }

 private:
  struct state {
    gcra limiter;
    core::time_point cool_until{};
    budget_counter budget;
  };
  const core::clock& clock_;
  std::mutex mutex_;
  std::map<std::string, state, std::less<>> providers_;
};

/// Limits shared through Redis: one Lua script (EVALSHA) checks the cool-down and the budget,
/// runs the GCRA on Redis's own clock and counts the call, atomically, so any number of
/// instances together stay within the limit. Keys: `<ns>upstream:<provider>:{gcra,cooldown}`
/// and `<ns>upstream:<provider>:budget:{min,day,month}:<period>`, all with expiries.
///
/// When Redis does not answer (within `timeout`), the decision falls back to the local limits
/// (degraded: each instance then holds to the full limit on its own), counted in
/// `fallbacks()` and logged once per transition. Cool-downs are kept locally as well, so a 429
/// is honoured by this instance even while Redis is away.
class redis_limits final : public limit_store {
 public:
  redis_limits(store::redis::client& client, std::string key_namespace, const core::clock& clock,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  ~redis_limits() override;

  boost::asio::awaitable<admission_decision> admit(std::string provider, provider_limits limits,
                                                   int weight, core::duration max_wait) override;
  boost::asio::awaitable<void> cool_down(std::string provider, core::duration d) override;
  boost::asio::awaitable<budget_usage> usage(std::string provider) override;
  const char* kind() const noexcept override { return "redis"; }

  std::uint64_t fallbacks() const noexcept { return fallbacks_.load(); }

 private:
  void note_redis(bool ok);
  std::string key(const std::string& provider, const std::string& what) const;

  store::redis::client& client_;
  std::string namespace_;
  const core::clock& clock_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<store::redis::script> admit_script_;
  std::unique_ptr<store::redis::script> cool_down_script_;
  local_limits local_;
  std::atomic<std::uint64_t> fallbacks_{0};
  std::atomic<bool> degraded_{false};
};

}  // namespace cryptodash::upstream
