#include "store/disk/disk_tier.h"

#include "store/disk/record.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace cryptodash::store::disk {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

bool is_record_name(const std::string& name) {
  if (name.size() != 20 || !name.ends_with(".rec")) return false;
  return std::all_of(name.begin(), name.begin() + 16,
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The whole file, or nullopt if it cannot be read.
std::optional<std::string> slurp(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

bool write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

bool matches(std::string_view pattern, std::string_view key) {
  if (pattern == "*") return true;
  if (pattern.ends_with('*')) return key.starts_with(pattern.substr(0, pattern.size() - 1));
  return key == pattern;
}

}  // namespace

disk_tier::disk_tier(disk_options options) : options_(std::move(options)) {
  fs::create_directories(options_.dir);
  index_directory();
  writer_ = std::thread([this] { writer_loop(); });
}

disk_tier::~disk_tier() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  readers_.join();
}

void disk_tier::index_directory() {
  struct found {
    std::string key;
    std::string file;
    std::uint64_t bytes;
    fs::file_time_type mtime;
  };
  std::vector<found> records;
  for (const auto& item : fs::directory_iterator(options_.dir)) {
    const std::string name = item.path().filename().string();
    if (name.starts_with(".tmp-")) {
      // A write that never reached its rename: never valid.
      std::error_code ec;
      fs::remove(item.path(), ec);
      ++discarded_at_start_;
      continue;
    }
    if (!is_record_name(name) || !item.is_regular_file()) continue;
    auto bytes = slurp(item.path());
    auto rec = bytes ? decode_record(*bytes) : core::result<record>(make_error_code(core::errc::io_error));
    if (!rec || file_name(rec->key) != name) {
      std::error_code ec;
      fs::remove(item.path(), ec);
      ++discarded_at_start_;
      continue;
    }
    std::error_code ec;
    records.push_back({rec->key, name, bytes->size(), fs::last_write_time(item.path(), ec)});
  }
  std::sort(records.begin(), records.end(),
            [](const found& a, const found& b) { return a.mtime < b.mtime; });
  std::lock_guard lock(index_mutex_);
  for (auto& r : records) {
    std::uint64_t seq = next_seq_++;
    index_[r.key] = meta{r.file, r.bytes, seq};
    by_age_[seq] = r.key;
    total_bytes_ += r.bytes;
  }
  while (total_bytes_ > options_.max_bytes && !by_age_.empty()) {
    remove_locked(by_age_.begin()->second);
  }
  if (discarded_at_start_ > 0) {
    spdlog::warn("disk cache: discarded {} torn or corrupt files in {}", discarded_at_start_,
                 options_.dir.string());
  }
  spdlog::info("disk cache: {} entries, {} bytes in {}", index_.size(), total_bytes_,
               options_.dir.string());
}

void disk_tier::remove_locked(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  std::error_code ec;
  fs::remove(options_.dir / it->second.file, ec);
  total_bytes_ -= it->second.bytes;
  by_age_.erase(it->second.seq);
  index_.erase(it);
}

core::result<cache::entry_ptr> disk_tier::read_now(const std::string& key) {
  std::string file;
  {
    std::lock_guard lock(index_mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      counters_.miss();
      return cache::entry_ptr();
    }
    file = it->second.file;
  }
  auto bytes = slurp(options_.dir / file);
  if (!bytes) {  // removed meanwhile
    counters_.miss();
    return cache::entry_ptr();
  }
  auto rec = decode_record(*bytes);
  if (!rec || rec->key != key) {
    counters_.miss();
    if (!rec) {
      counters_.corrupt();
      spdlog::warn("disk cache: deleted a corrupt record for {}", key);
    }
    std::lock_guard lock(index_mutex_);
    if (auto it = index_.find(key); it != index_.end() && it->second.file == file) {
      remove_locked(key);
    }
    return cache::entry_ptr();
  }
  counters_.hit();
  return std::make_shared<const cache::entry>(std::move(rec->value));
}

asio::awaitable<core::result<cache::entry_ptr>> disk_tier::read_on_pool(std::string key) {
  co_return read_now(key);
}

asio::awaitable<core::result<cache::entry_ptr>> disk_tier::get(core::cache_key key) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await asio::co_spawn(readers_, read_on_pool(key.str()), asio::use_awaitable);
  counters_.latency(std::chrono::steady_clock::now() - t0);
  co_return r;
}

void disk_tier::enqueue(const std::string& key, cache::entry_ptr value) {
  {
    std::lock_guard lock(queue_mutex_);
    auto it = pending_.find(key);
    if (it != pending_.end()) {
      it->second.value = std::move(value);  // the newer value replaces the pending one
    } else {
      if (order_.size() >= options_.queue_max) {
        pending_.erase(order_.front());
        order_.pop_front();
        ++dropped_;
      }
      order_.push_back(key);
      pending_.emplace(key, pending{std::move(value)});
    }
  }
  queue_cv_.notify_one();
}

asio::awaitable<core::result<void>> disk_tier::put(core::cache_key key, cache::entry_ptr e,
                                                   core::time_point) {
  // The disk keeps the last good value until its hard TTL (inside the entry) or eviction.
  enqueue(key.str(), std::move(e));
  co_return core::result<void>();
}

asio::awaitable<core::result<void>> disk_tier::erase(core::cache_key key) {
  enqueue(key.str(), nullptr);
  co_return core::result<void>();
}

asio::awaitable<std::uint64_t> disk_tier::clear_on_pool(std::string pattern) {
  {
    std::lock_guard lock(queue_mutex_);
    std::erase_if(order_, [&](const std::string& k) { return matches(pattern, k); });
    std::erase_if(pending_, [&](const auto& p) { return matches(pattern, p.first); });
  }
  std::lock_guard lock(index_mutex_);
  std::vector<std::string> doomed;
  for (const auto& [k, m] : index_) {
    if (matches(pattern, k)) doomed.push_back(k);
  }
  for (const auto& k : doomed) remove_locked(k);
  co_return doomed.size();
}

asio::awaitable<core::result<std::uint64_t>> disk_tier::clear(std::string pattern) {
  auto n = co_await asio::co_spawn(readers_, clear_on_pool(std::move(pattern)),
                                   asio::use_awaitable);
  co_return n;
}

void disk_tier::flush() {
  std::unique_lock lock(queue_mutex_);
  flushed_cv_.wait(lock, [this] { return order_.empty() && finished_ == started_; });
}

std::uint64_t disk_tier::dropped_writes() const noexcept {
  std::lock_guard lock(queue_mutex_);
  return dropped_;
}

void disk_tier::writer_loop() {
  for (;;) {
    std::string key;
    cache::entry_ptr value;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !order_.empty(); });
      if (order_.empty()) return;  // stopping, and everything is written
      key = std::move(order_.front());
      order_.pop_front();
      auto it = pending_.find(key);
      value = std::move(it->second.value);
      pending_.erase(it);
      ++started_;
    }
    if (value) {
      write_file(key, *value);
    } else {
      std::lock_guard lock(index_mutex_);
      remove_locked(key);
    }
    {
      std::lock_guard lock(queue_mutex_);
      ++finished_;
    }
    flushed_cv_.notify_all();
  }
}

bool disk_tier::write_file(const std::string& key, const cache::entry& e) {
  const std::string bytes = encode_record(key, e);
  const std::string name = file_name(key);
  const fs::path final_path = options_.dir / name;
  const fs::path temp_path =
      options_.dir / (".tmp-" + name + "-" + std::to_string(::getpid()) + "-" +
                      std::to_string(temp_counter_.fetch_add(1)));
  const bool sync = options_.fsync == config::fsync_policy::always;
  bool ok = false;
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ok = write_all(fd, bytes) && (!sync || ::fsync(fd) == 0);
    ok = (::close(fd) == 0) && ok;
    // The rename publishes the record whole: readers and restarts see old or new, never torn.
    ok = ok && ::rename(temp_path.c_str(), final_path.c_str()) == 0;
    if (ok && sync) {
      int dfd = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
      }
    }
    if (!ok) ::unlink(temp_path.c_str());
  }
  if (!ok) {
    counters_.error();
    if (healthy_.exchange(false)) {
      spdlog::warn("disk cache: cannot write in {}: {}", options_.dir.string(),
                   std::strerror(errno));
    }
    return false;
  }
  if (!healthy_.exchange(true)) spdlog::info("disk cache: writing again");
  counters_.write();
  std::lock_guard lock(index_mutex_);
  // Another key may have owned this file name: it no longer has a record.
  for (auto it = index_.begin(); it != index_.end(); ++it) {
    if (it->second.file == name && it->first != key) {
      total_bytes_ -= it->second.bytes;
      by_age_.erase(it->second.seq);
      index_.erase(it);
      break;
    }
  }
  if (auto it = index_.find(key); it != index_.end()) {
    total_bytes_ -= it->second.bytes;
    by_age_.erase(it->second.seq);
  }
  std::uint64_t seq = next_seq_++;
  index_[key] = meta{name, bytes.size(), seq};
  by_age_[seq] = key;
  total_bytes_ += bytes.size();
  while (total_bytes_ > options_.max_bytes && by_age_.size() > 1) {
    remove_locked(by_age_.begin()->second);
  }
  return true;
}

cache::tier_stats disk_tier::stats() const {
  auto s = counters_.snapshot();
  std::lock_guard lock(index_mutex_);
  s.entries = index_.size();
  s.bytes = total_bytes_;
  s.healthy = healthy_.load();
  return s;
}

}  // namespace cryptodash::store::disk
