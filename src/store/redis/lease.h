#pragma once

#include "store/redis/client.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace cryptodash::store::redis {

/// Leadership among the instances sharing one Redis: the key `<namespace>scheduler:leader` (the
/// namespace carries its own separator, as in l2_tier: `cryptodash:scheduler:leader`) holds the
/// leader's instance id with an expiry of `lease`.
///
/// - A follower tries to take it every lease/3 (`SET NX PX`); when the key holds another id it
///   reads that id (`holder()`). When a leader dies, another instance takes over within one lease
///   period plus one try interval at most.
/// - The leader renews it every lease/3 with a compare-and-extend script (only the holder extends
///   it; a key that has vanished — Redis restarted empty, `cache clear` — is set again, which is
///   what SET NX would do). A renewal that answers with another holder makes it step down at once.
/// - Step-down margin: a leader steps down when it has had no successful renewal for
///   lease − lease/3, counted from when the last successful renewal was *sent* (Redis set the
///   expiry no earlier, so the key cannot have expired before that point plus `lease`). The
///   remaining lease/3 absorbs clock-rate differences and scheduling delays before any follower
///   can take the key over. After a failed renewal it retries every lease/9 until then. Each try or
///   renewal (all its round trips together) is bounded by min(lease/3, 400 ms) and by the
///   step-down point.
/// - `stop()` (and the destructor) releases the key with a compare-and-delete script, so a
///   follower takes over within one try interval.
///
/// Known limit (inherent to a single Redis): if Redis loses the key while the leader still
/// believes it holds it (restart without persistence, failover to a lagging replica), another
/// instance may take it and both act as leader until the old leader's next renewal (≤ lease/3).
///
/// Runs on the client's executor (its I/O thread); the accessors are thread-safe. The client
/// must outlive the lease. The loop keeps its state alive by itself, so destruction is safe even
/// when the bounded wait for the release runs out.
class lease {
 public:
  /// `lease_period` ≥ 30 ms (settings: scheduler.lease_seconds). Does not touch Redis until
  /// start().
  lease(client& c, std::string key_namespace, std::string instance_id,
        std::chrono::milliseconds lease_period);
  /// stop(): releases the key if held (best effort, waits at most 1 s).
  ~lease();
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;

  /// Begins the loop: the first try happens at once, and again as soon as the client
  /// (re)connects. Once only; later calls (and a call after stop()) do nothing.
  void start();
  /// Gives up leadership: is_leader() is false as soon as it returns, and the listener is not
  /// called again (not even for this release). Releases the key if held (compare-and-delete);
  /// from any thread but the client's own it waits for that release, at most 1 s. Idempotent.
  void stop();

  /// Whether this instance is the leader now. Thread-safe.
  bool is_leader() const noexcept;
  const std::string& instance_id() const noexcept;
  /// The current holder as last seen (empty if none/unknown): this instance's id while leader,
  /// the other's id as read by the last try, empty after stepping down for lack of answers.
  /// Thread-safe.
  std::string holder() const;
  /// Called (on the client's thread; keep it short, never block) when leadership changes:
  /// true = became leader, false = stepped down. Register before start(); not from within the
  /// listener itself. The listener may call stop().
  void on_change(std::function<void(bool leader)> listener);

 private:
  struct state;  // shared with the loop, which may outlive the lease by one Redis round trip
  std::shared_ptr<state> state_;
};

/// A random instance id: hostname-pid-<8 hex random>.
std::string make_instance_id();

}  // namespace cryptodash::store::redis
