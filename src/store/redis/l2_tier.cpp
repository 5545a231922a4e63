#include "store/redis/l2_tier.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <random>

namespace cryptodash::store::redis {

namespace asio = boost::asio;
using std::chrono::milliseconds;

l2_tier::l2_tier(client& c, std::string key_namespace, milliseconds max_wait,
                 milliseconds admin_timeout)
    : client_(c),
      namespace_(std::move(key_namespace)),
      max_wait_ms_(max_wait.count()),
      admin_timeout_(admin_timeout) {}

asio::awaitable<core::result<cache::entry_ptr>> l2_tier::get(core::cache_key key) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> cmd = {"GET", redis_key(key)};
  auto r = co_await client_.exec(std::move(cmd), milliseconds(max_wait_ms_.load()));
  counters_.latency(std::chrono::steady_clock::now() - t0);
  if (!r) {
    counters_.error();
    co_return r.error();
  }
  if (r->is_nil()) {
    counters_.miss();
    co_return cache::entry_ptr();
  }
  if (r->type != reply::kind::string) {
    counters_.error();
    co_return make_error_code(core::errc::bad_response);
  }
  auto decoded = cache::decode_entry(r->str);
  if (!decoded) {
    // Not ours, or damaged: it must never be served. Delete it and treat it as a miss.
    counters_.corrupt();
    counters_.miss();
    spdlog::warn("l2: deleted a corrupt or foreign value at {}", redis_key(key));
    std::vector<std::string> del = {"DEL", redis_key(key)};
    co_await client_.exec(std::move(del), milliseconds(max_wait_ms_.load()));
    co_return cache::entry_ptr();
  }
  counters_.hit();
  co_return std::make_shared<const cache::entry>(std::move(*decoded));
}

asio::awaitable<core::result<void>> l2_tier::put(core::cache_key key, cache::entry_ptr e,
                                                 core::time_point expires_at) {
  auto at_ms = std::chrono::duration_cast<milliseconds>(expires_at.time_since_epoch()).count();
  std::vector<std::string> cmd = {"SET", redis_key(key), cache::encode_entry(*e), "PXAT",
                                  std::to_string(at_ms)};
  auto r = co_await client_.exec(std::move(cmd), milliseconds(max_wait_ms_.load()));
  if (!r || r->is_error()) {
    counters_.error();
    co_return r ? make_error_code(core::errc::bad_response) : r.error();
  }
  counters_.write();
  co_return core::result<void>();
}

asio::awaitable<core::result<void>> l2_tier::erase(core::cache_key key) {
  std::vector<std::string> cmd = {"UNLINK", redis_key(key)};
  auto r = co_await client_.exec(std::move(cmd), admin_timeout_);
  if (!r) co_return r.error();
  co_return core::result<void>();
}

asio::awaitable<core::result<std::uint64_t>> l2_tier::clear(std::string pattern) {
  // The pattern comes from core::normalize_key_pattern: [a-z0-9:-] and a trailing '*', so it
  // has no glob characters of its own; the namespace is checked at start-up likewise.
  const std::string match = namespace_ + pattern;
  std::uint64_t removed = 0;
  std::string cursor = "0";
  do {
    std::vector<std::string> scan = {"SCAN", cursor, "MATCH", match, "COUNT", "500"};
    auto r = co_await client_.exec(std::move(scan), admin_timeout_);
    if (!r) co_return r.error();
    if (r->type != reply::kind::array || r->elements.size() != 2) {
      co_return make_error_code(core::errc::bad_response);
    }
    cursor = r->elements[0].str;
    const auto& keys = r->elements[1].elements;
    if (!keys.empty()) {
      std::vector<std::string> unlink = {"UNLINK"};
      for (const auto& k : keys) unlink.push_back(k.str);
      auto u = co_await client_.exec(std::move(unlink), admin_timeout_);
      if (!u) co_return u.error();
      removed += static_cast<std::uint64_t>(u->integer);
    }
  } while (cursor != "0");
  co_return removed;
}

cache::tier_stats l2_tier::stats() const {
  auto s = counters_.snapshot();
  s.healthy = client_.connected() && !client_.stats().breaker_open;
  return s;
}

lock_service::lock_service(client& c, std::string key_namespace, milliseconds max_wait)
    : client_(c), namespace_(std::move(key_namespace)), max_wait_(max_wait) {}

asio::awaitable<core::result<std::optional<std::string>>> lock_service::try_acquire(
    core::cache_key key, milliseconds ttl) {
  static thread_local std::mt19937_64 random(std::random_device{}());
  std::string token = std::to_string(random());
  std::vector<std::string> cmd = {"SET", namespace_ + "lock:" + key.str(), token, "NX", "PX",
                                  std::to_string(ttl.count())};
  auto r = co_await client_.exec(std::move(cmd), max_wait_);
  if (!r) co_return r.error();
  if (r->is_nil()) co_return std::optional<std::string>();
  co_return std::optional<std::string>(std::move(token));
}

asio::awaitable<void> lock_service::release(core::cache_key key, std::string token) {
  static const std::string script =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
      "else return 0 end";
  std::vector<std::string> cmd = {"EVAL", script, "1", namespace_ + "lock:" + key.str(),
                                  std::move(token)};
  co_await client_.exec(std::move(cmd), max_wait_);
}

namespace {

const char* op_name(cache::backplane_event::kind k) {
  switch (k) {
    case cache::backplane_event::kind::invalidate: return "invalidate";
    case cache::backplane_event::kind::clear: return "clear";
    case cache::backplane_event::kind::update: return "update";
  }
  return "invalidate";
}

asio::awaitable<void> publish_on(client& c, std::string channel, std::string message) {
  std::vector<std::string> cmd = {"PUBLISH", std::move(channel), std::move(message)};
  co_await c.exec(std::move(cmd), milliseconds(250));
}

}  // namespace

backplane::backplane(client& c, std::string key_namespace)
    : client_(c), channel_(key_namespace + "events") {}

backplane::~backplane() = default;

void backplane::publish(const cache::backplane_event& e) {
  boost::json::object o;
  o["op"] = op_name(e.what);
  o["target"] = e.target;
  o["origin"] = e.origin;
  asio::co_spawn(client_.context(), publish_on(client_, channel_, boost::json::serialize(o)),
                 asio::detached);
}

void backplane::listen(std::function<void(const cache::backplane_event&)> on_event,
                       std::function<void()> on_reconnect) {
  sub_.reset();  // joins the old subscription: its callbacks are done when this returns
  if (!on_event) return;
  sub_ = std::make_unique<subscriber>(
      client_, std::vector<std::string>{channel_},
      [on_event = std::move(on_event)](std::string_view, std::string_view payload) {
        boost::system::error_code ec;
        auto v = boost::json::parse(payload, ec);
        if (ec || !v.is_object()) return;
        const auto& o = v.as_object();
        auto text = [&](const char* field) -> std::string {
          auto it = o.find(field);
          return it != o.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                          : std::string();
        };
        cache::backplane_event e;
        auto op = text("op");
        if (op == "clear") {
          e.what = cache::backplane_event::kind::clear;
        } else if (op == "update") {
          e.what = cache::backplane_event::kind::update;
        } else if (op == "invalidate") {
          e.what = cache::backplane_event::kind::invalidate;
        } else {
          return;
        }
        e.target = text("target");
        e.origin = text("origin");
        if (!e.target.empty()) on_event(e);
      },
      std::move(on_reconnect));
}

}  // namespace cryptodash::store::redis
