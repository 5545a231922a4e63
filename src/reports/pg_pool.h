#pragma once

#include <pqxx/connection>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cryptodash::reports {

/// A bounded set of PostgreSQL connections shared by blocking callers. Connections are made on
/// demand (none at construction, so a server that is down at start costs nothing until used)
/// and kept for reuse. One that broke is discarded by its holder, one that the server closed
/// while it sat idle is dropped when next taken (a non-blocking peek at its socket, no round
/// trip), and a new one is made on the next demand — that is how the pool reconnects.
/// Thread-safe.
class pg_pool {
 public:
  /// `conninfo`: a libpq URL or key=value string. `size` ≥ 1 connections at most.
  pg_pool(std::string conninfo, std::size_t size, std::chrono::milliseconds acquire_timeout);
  ~pg_pool();  ///< precondition: no lease is alive
  pg_pool(const pg_pool&) = delete;
  pg_pool& operator=(const pg_pool&) = delete;

  /// Exclusive use of one connection until destroyed, when it goes back to the pool — unless
  /// discard() was called (the connection broke, or its state is unknown).
  class lease {
   public:
    lease(lease&& other) noexcept;
    lease& operator=(lease&&) = delete;
    ~lease();
    pqxx::connection& connection() const noexcept { return *connection_; }
    /// Whether the connection served an earlier lease (it may have broken while idle).
    bool reused() const noexcept { return reused_; }
    void discard() noexcept { discard_ = true; }

   private:
    friend class pg_pool;
    lease(pg_pool* pool, std::unique_ptr<pqxx::connection> c, bool reused) noexcept;
    pg_pool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool reused_;
    bool discard_ = false;
  };

  /// An idle connection (the most recently used) that the server has not closed, else a new
  /// one while fewer than `size` exist, else the first to come free. None if nothing came free
  /// within acquire_timeout. Throws pqxx::broken_connection (or another pqxx::failure) when a new
  /// connection cannot be made; the slot it would have taken is freed.
  std::optional<lease> acquire();

  std::size_t size() const noexcept { return size_; }

 private:
  void give_back(std::unique_ptr<pqxx::connection> c, bool discard) noexcept;

  const std::string conninfo_;
  const std::size_t size_;
  const std::chrono::milliseconds acquire_timeout_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mutex_
  std::size_t open_ = 0;  // connections that exist or are being made; guarded by mutex_
};

}  // namespace cryptodash::reports
