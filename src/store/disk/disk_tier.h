#pragma once

#include "cache/tier.h"
#include "config/settings.h"

#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace cryptodash::store::disk {

struct disk_options {
  std::filesystem::path dir;
  std::uint64_t max_bytes = 256ULL << 20;
  config::fsync_policy fsync = config::fsync_policy::always;
  std::size_t queue_max = 1024;  ///< pending writes (distinct keys) before the oldest is dropped
};

/// The disk tier: the last good value of each key, one file per key under `dir`, so that a
/// restart with no Redis and no upstream still has something to serve.
///
/// - Crash-safe: a record is written to a temporary file, flushed (fsync policy), and renamed
///   over the old one, so a reader — or a restart after SIGKILL at any moment — sees the old
///   record or the new one, whole. Every record carries a format version and a checksum; the
///   start-up index discards anything torn or corrupt, and so does every read.
/// - Writes never wait: put() queues (a newer value of a key replaces its pending one; when
///   `queue_max` keys are pending the oldest pending write is dropped) and one thread writes.
/// - Reads run on a small thread pool of the tier's own, never on the caller's thread.
/// - Bounded: past `max_bytes` the oldest records are deleted.
/// Thread-safe.
class disk_tier final : public cache::tier {
 public:
  /// Creates `dir` if needed and indexes it (blocking: call at start-up). Throws
  /// std::filesystem::filesystem_error when the directory cannot be used.
  explicit disk_tier(disk_options options);
  ~disk_tier() override;  ///< writes what is queued first

  std::string_view name() const noexcept override { return "disk"; }
  boost::asio::awaitable<core::result<cache::entry_ptr>> get(core::cache_key key) override;
  boost::asio::awaitable<core::result<void>> put(core::cache_key key, cache::entry_ptr e,
                                                 core::time_point expires_at) override;
  boost::asio::awaitable<core::result<void>> erase(core::cache_key key) override;
  boost::asio::awaitable<core::result<std::uint64_t>> clear(std::string pattern) override;
  cache::tier_stats stats() const override;

  /// Blocks until every write queued before the call is on disk (SIGTERM, CLI).
  void flush();
  /// Records the start-up index threw away (torn or corrupt) and temporary files removed.
  std::uint64_t discarded_at_start() const noexcept { return discarded_at_start_; }
  std::uint64_t dropped_writes() const noexcept;

 private:
  struct meta {
    std::string file;
    std::uint64_t bytes = 0;
    std::uint64_t seq = 0;  // write order: the smallest goes first when over max_bytes
  };
  struct pending {
    cache::entry_ptr value;  // null: delete
  };

  void index_directory();
  core::result<cache::entry_ptr> read_now(const std::string& key);
  boost::asio::awaitable<core::result<cache::entry_ptr>> read_on_pool(std::string key);
  boost::asio::awaitable<std::uint64_t> clear_on_pool(std::string pattern);
  void writer_loop();
  bool write_file(const std::string& key, const cache::entry& e);  // index_mutex_ not held
  void remove_locked(const std::string& key);                      // index_mutex_ held
  void enqueue(const std::string& key, cache::entry_ptr value);

  const disk_options options_;
  boost::asio::thread_pool readers_{2};

  mutable std::mutex index_mutex_;
  std::unordered_map<std::string, meta> index_;   // guarded by index_mutex_
  std::map<std::uint64_t, std::string> by_age_;   // seq → key; guarded by index_mutex_
  std::uint64_t total_bytes_ = 0;                 // guarded by index_mutex_
  std::uint64_t next_seq_ = 1;                    // guarded by index_mutex_

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::condition_variable flushed_cv_;
  std::deque<std::string> order_;                      // guarded by queue_mutex_
  std::unordered_map<std::string, pending> pending_;   // guarded by queue_mutex_
  std::uint64_t started_ = 0;                          // writes taken by the writer
  std::uint64_t finished_ = 0;                         // writes done; both queue_mutex_
  std::uint64_t dropped_ = 0;                          // guarded by queue_mutex_
  bool stopping_ = false;                              // guarded by queue_mutex_

  std::uint64_t discarded_at_start_ = 0;
  std::atomic<bool> healthy_{true};
  std::atomic<std::uint64_t> temp_counter_{0};
  cache::tier_counters counters_;
  std::thread writer_;
};

}  // namespace cryptodash::store::disk
