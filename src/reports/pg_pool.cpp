#include "reports/pg_pool.h"

#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace cryptodash::reports {
namespace {

// Whether an idle connection may still be used, without a round trip: a server never speaks
// first to an idle client, so a socket with something to read carries the server's goodbye (a
// FATAL "terminating connection" on shutdown) or its end of file. Catching that here spares the
// caller a failed statement (and libpqxx 6.4 leaks a result when BEGIN fails on a broken
// connection).
bool still_open(const pqxx::connection& c) noexcept {
  int fd = c.sock();
  if (fd < 0) return false;
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
         (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

pg_pool::lease::lease(pg_pool* pool, std::unique_ptr<pqxx::connection> c, bool reused) noexcept
    : pool_(pool), connection_(std::move(c)), reused_(reused) {}

pg_pool::lease::lease(lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      reused_(other.reused_),
      discard_(other.discard_) {}

pg_pool::lease::~lease() {
  if (pool_) pool_->give_back(std::move(connection_), discard_);
}

pg_pool::pg_pool(std::string conninfo, std::size_t size, std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)),
      size_(size < 1 ? 1 : size),
      acquire_timeout_(acquire_timeout) {
  idle_.reserve(size_);  // give_back() never allocates
}

pg_pool::~pg_pool() = default;

std::optional<pg_pool::lease> pg_pool::acquire() {
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    std::unique_ptr<pqxx::connection> idle;
    {
      std::unique_lock lock(mutex_);
      bool ready =
          freed_.wait_until(lock, deadline, [&] { return !idle_.empty() || open_ < size_; });
      if (!ready) return std::nullopt;
      if (idle_.empty()) {
        ++open_;  // the slot is ours while we connect, outside the lock
        break;
      }
      idle = std::move(idle_.back());
      idle_.pop_back();
    }
    if (still_open(*idle)) return lease(this, std::move(idle), true);
    give_back(std::move(idle), true);  // closed outside the lock; look again
  }
  try {
    return lease(this, std::make_unique<pqxx::connection>(conninfo_), false);
  } catch (...) {
    give_back(nullptr, true);
    throw;
  }
}

void pg_pool::give_back(std::unique_ptr<pqxx::connection> c, bool discard) noexcept {
  std::unique_ptr<pqxx::connection> closing;  // a discarded one closes outside the lock
  {
    std::lock_guard lock(mutex_);
    if (discard || !c) {
      closing = std::move(c);
      --open_;
    } else {
      idle_.push_back(std::move(c));
    }
  }
  freed_.notify_one();
}

}  // namespace cryptodash::reports
