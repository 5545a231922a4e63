#include "api/ws_hub.h"

#include "core/keys.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <chrono>
#include <set>

namespace cryptodash::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using asio::ip::tcp;
using std::chrono::seconds;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::size_t max_channels_per_client = 100;
// The kernel's send buffer of a WebSocket connection (Linux doubles it). Fixed rather than
// autotuned (up to 4 MiB): it bounds what a client that stopped reading holds in the kernel,
// and makes such a client fill its send queue, and be dropped, within a few dozen messages.
constexpr int socket_send_buffer = 64 * 1024;
constexpr std::string_view market_prefix = "market:";

std::string error_message(std::string_view code, std::string_view message) {
  json::object o{{"type", "error"}, {"error", json::object{{"code", code}, {"message", message}}}};
  return json::serialize(o);
}

}  // namespace

struct ws_hub::group {
  asio::any_io_executor ex;
  std::vector<client*> clients;  // this group's thread only
};

class ws_hub::client : public std::enable_shared_from_this<client> {
 public:
  // `ticket` holds the connection's place in the HTTP server's limits; `admitted`: whether it
  // got one of the per-address places, which it gives back when destroyed.
  client(ws_hub& hub, group& g, tcp::socket socket, config::websocket_settings limits,
         asio::ip::address remote, bool admitted, std::shared_ptr<void> ticket)
      : hub_(hub),
        group_(g),
        ws_(std::move(socket)),
        limits_(limits),
        remote_(std::move(remote)),
        admitted_(admitted),
        ticket_(std::move(ticket)),
        ping_(ws_.get_executor()),
        kill_(ws_.get_executor()) {}
  ~client() {
    if (admitted_) hub_.release(remote_);
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Serves the connection until it ends; `self` (this) stays alive as long.
  asio::awaitable<void> run(std::shared_ptr<client> self, request req);

  bool subscribed(const std::string& symbol) const { return channels_.contains(symbol); }

  // Queues `m` (this client's thread). Over the queue bound the client is dropped (1013).
  void deliver(const std::shared_ptr<const std::string>& m, bool dashboard) {
    if (closing_ || closed_) return;
    if (dashboard) got_dashboard_ = true;
    if (queue_.size() >= static_cast<std::size_t>(limits_.send_queue_max_messages) ||
        queued_bytes_ + m->size() > static_cast<std::size_t>(limits_.send_queue_max_bytes)) {
      hub_.dropped_slow_.fetch_add(1, std::memory_order_relaxed);
      kick(websocket::close_code::try_again_later, "client too slow: send queue full");
      return;
    }
    queued_bytes_ += m->size();
    queue_.push_back(m);
    if (!writing_) write_next();
  }

  // Ends the connection with `code`: a close frame after the message being written (if any),
  // and a TCP close 2 s later if the close handshake has not ended it by then.
  void kick(websocket::close_code code, std::string_view reason) {
    if (closing_ || closed_) return;
    closing_ = true;
    close_ = websocket::close_reason(code, reason.substr(0, 123));
    queue_.clear();
    queued_bytes_ = 0;
    if (!writing_) write_next();
    kill_.expires_after(seconds(2));
    kill_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->close_tcp();
    });
  }

 private:
  // Writes the queue's first message, then the next from its completion; a close frame
  // instead once closing_. Callbacks, not a coroutine: an idle client holds no frame, and a
  // broadcast's send starts in deliver() itself.
  void write_next();
  // Pings every ping_interval_seconds until the connection closes.
  void ping_later();
  asio::awaitable<void> handle(std::string_view text);
  asio::awaitable<void> subscribe(const json::array& channels, bool on);
  void reply(std::string text) { deliver(std::make_shared<const std::string>(std::move(text)), false); }
  void close_tcp() {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
  }

  ws_hub& hub_;
  group& group_;
  websocket::stream<tcp::socket> ws_;
  const config::websocket_settings limits_;
  const asio::ip::address remote_;
  const bool admitted_;
  std::shared_ptr<void> ticket_;
  // A vector, not a deque: an empty deque still holds ~600 bytes, and the queue is short.
  std::vector<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  asio::steady_timer ping_;
  asio::steady_timer kill_;
  std::set<std::string> channels_;  // subscribed symbols
  websocket::close_reason close_;
  bool writing_ = false;        // a write or the close frame is in flight
  bool closing_ = false;        // a close is under way: nothing more is queued
  bool closed_ = false;         // the reader has ended
  bool got_dashboard_ = false;  // a dashboard_update was queued (the snapshot is then older)
};

asio::awaitable<void> ws_hub::client::run([[maybe_unused]] std::shared_ptr<client> self,
                                          request req) {
  boost::system::error_code ignored;
  ws_.next_layer().set_option(asio::socket_base::send_buffer_size(socket_send_buffer), ignored);
  ws_.set_option(websocket::stream_base::timeout{
      seconds(10), seconds(limits_.pong_timeout_seconds), /*keep_alive_pings=*/false});
  ws_.read_message_max(static_cast<std::size_t>(limits_.max_message_bytes));
  ws_.text(true);
  auto [aec] = co_await ws_.async_accept(req, use_tuple);
  req = request{};  // the upgrade request is not needed any more: free its fields now
  if (aec) co_return;
  if (!admitted_) {
    websocket::close_reason why(websocket::close_code::policy_error,
                                "too many WebSocket connections from this address");
    co_await ws_.async_close(why, use_tuple);
    co_return;
  }

  group_.clients.push_back(this);
  hub_.clients_.fetch_add(1, std::memory_order_relaxed);
  ping_later();

  if (auto snapshot = co_await hub_.current_snapshot(); snapshot && !got_dashboard_) {
    deliver(snapshot, true);
  }

  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws_.async_read(buffer, use_tuple);
    if (ec) break;
    if (!closing_) {
      if (ws_.got_text()) {
        co_await handle(beast::buffers_to_string(buffer.data()));
      } else {
        reply(error_message("bad_message", "messages must be JSON text"));
      }
    }
    buffer.consume(buffer.size());
  }

  closed_ = true;
  std::erase(group_.clients, this);
  hub_.clients_.fetch_sub(1, std::memory_order_relaxed);
  for (const auto& s : channels_) hub_.watch(s, -1);
  channels_.clear();
  queue_.clear();
  ping_.cancel();
  kill_.cancel();
  close_tcp();
}

void ws_hub::client::write_next() {
  if (closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  if (closing_) {  // writing_ stays set: nothing is written after the close frame
    ws_.async_close(close_, [self = shared_from_this()](boost::system::error_code) {});
    return;
  }
  if (queue_.empty()) {
    writing_ = false;
    return;
  }
  auto m = std::move(queue_.front());
  queue_.erase(queue_.begin());
  queued_bytes_ -= m->size();
  const auto bytes = asio::buffer(*m);
  ws_.async_write(bytes, [self = shared_from_this(), m = std::move(m)](boost::system::error_code ec,
                                                                      std::size_t) {
    if (ec) {
      self->close_tcp();  // the reader sees it and cleans up; writing_ stays set
      return;
    }
    self->hub_.sent_.fetch_add(1, std::memory_order_relaxed);
    self->write_next();
  });
}

void ws_hub::client::ping_later() {
  ping_.expires_after(seconds(limits_.ping_interval_seconds));
  ping_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->closed_ || self->closing_) return;
    self->ws_.async_ping({}, [self](boost::system::error_code pec) {
      if (!pec) self->ping_later();
    });
  });
}

asio::awaitable<void> ws_hub::client::handle(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::string* type = o && o->contains("type") ? o->at("type").if_string() : nullptr;
  if (!type) {
    reply(error_message("bad_message", "expected a JSON object with a string \"type\""));
    co_return;
  }
  if (*type == "ping") {
    reply(R"({"type":"pong"})");
  } else if (*type == "subscribe" || *type == "unsubscribe") {
    const json::array* channels = o->contains("channels") ? o->at("channels").if_array() : nullptr;
    if (!channels) {
      reply(error_message("bad_message", "\"channels\" must be an array of \"market:<symbol>\""));
      co_return;
    }
    co_await subscribe(*channels, *type == "subscribe");
  } else {
    reply(error_message("bad_message", "unknown message type; expected ping, subscribe or unsubscribe"));
  }
}

asio::awaitable<void> ws_hub::client::subscribe(const json::array& channels, bool on) {
  // Validate all first: a bad list changes nothing.
  std::vector<std::string> symbols;
  for (const auto& c : channels) {
    const auto* s = c.if_string();
    std::string_view name = s ? std::string_view(*s) : std::string_view();
    auto symbol = name.starts_with(market_prefix)
                      ? core::normalize_symbol(name.substr(market_prefix.size()))
                      : core::result<std::string>(make_error_code(core::errc::invalid_argument));
    if (!symbol) {
      reply(error_message("invalid_channel",
                          "channels are \"market:<symbol>\" with a symbol of 1-15 letters or digits"));
      co_return;
    }
    symbols.push_back(std::move(*symbol));
  }
  std::vector<std::string> added;
  json::array names;
  for (auto& s : symbols) {
    if (on && !channels_.contains(s)) {
      if (channels_.size() >= max_channels_per_client) {
        reply(error_message("too_many_channels",
                            fmt::format("at most {} channels per connection", max_channels_per_client)));
        break;
      }
      channels_.insert(s);
      hub_.watch(s, +1);
      added.push_back(s);
    } else if (!on && channels_.erase(s) > 0) {
      hub_.watch(s, -1);
    }
    names.emplace_back(std::string(market_prefix) + s);
  }
  reply(json::serialize(json::object{{"type", on ? "subscribed" : "unsubscribed"},
                                     {"channels", std::move(names)}}));
  // The current value of each new channel, so a client need not wait for the next refresh.
  for (const auto& s : added) {
    auto payload = co_await hub_.market_(s);
    if (payload && channels_.contains(s)) {
      deliver(std::make_shared<const std::string>(hub_.market_message(s, *payload)), false);
    }
  }
}

// ---- hub ------------------------------------------------------------------------------------

ws_hub::ws_hub(const config::settings_store& settings, const core::clock& clock,
               snapshot_fn snapshot, market_fn market)
    : settings_(settings), clock_(clock), snapshot_(std::move(snapshot)), market_(std::move(market)) {}

ws_hub::~ws_hub() = default;

ws_hub::group& ws_hub::group_of(const asio::any_io_executor& ex) {
  void* key = &asio::query(ex, asio::execution::context);
  std::lock_guard lock(mutex_);
  auto& g = groups_[key];
  if (!g) g = std::make_unique<group>(group{ex, {}});
  return *g;
}

void ws_hub::serve(tcp::socket socket, request req, asio::ip::address remote,
                   std::shared_ptr<void> ticket) {
  const bool admitted = admit(remote);
  if (!admitted) refused_.fetch_add(1, std::memory_order_relaxed);
  auto& g = group_of(socket.get_executor());
  const auto ex = socket.get_executor();
  auto c = std::make_shared<client>(*this, g, std::move(socket), settings_.snapshot()->websocket,
                                    std::move(remote), admitted, std::move(ticket));
  auto* raw = c.get();
  asio::co_spawn(ex, raw->run(std::move(c), std::move(req)), asio::detached);
}

bool ws_hub::admit(const asio::ip::address& addr) {
  const int limit = settings_.snapshot()->websocket.max_connections_per_ip;
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  int& n = per_ip_[addr.to_string()];
  if (n >= limit) return false;
  ++n;
  return true;
}

void ws_hub::release(const asio::ip::address& addr) {
  std::lock_guard lock(mutex_);
  auto it = per_ip_.find(addr.to_string());
  if (it != per_ip_.end() && --it->second <= 0) per_ip_.erase(it);
}

void ws_hub::watch(const std::string& symbol, int delta) {
  std::lock_guard lock(mutex_);
  int& n = watched_[symbol];
  n += delta;
  if (n <= 0) watched_.erase(symbol);
}

std::vector<std::string> ws_hub::watched_symbols() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(watched_.size());
  for (const auto& [s, n] : watched_) out.push_back(s);
  return out;
}

std::string ws_hub::dashboard_message(std::string_view summary_json) const {
  return fmt::format(R"({{"type":"dashboard_update","data":{},"timestamp":"{}"}})", summary_json,
                     core::format_rfc3339_ms(clock_.now()));
}

std::string ws_hub::market_message(std::string_view symbol, std::string_view market_json) const {
  return fmt::format(R"({{"type":"market_update","symbol":{},"data":{},"timestamp":"{}"}})",
                     json::serialize(json::string(symbol)), market_json,
                     core::format_rfc3339_ms(clock_.now()));
}

asio::awaitable<std::shared_ptr<const std::string>> ws_hub::current_snapshot() {
  {
    std::lock_guard lock(mutex_);
    if (snapshot_message_ && clock_.now() - snapshot_at_ < snapshot_reuse) {
      co_return snapshot_message_;
    }
  }
  const auto asked = clock_.now();
  auto summary = co_await snapshot_();
  if (!summary) co_return nullptr;
  auto message = std::make_shared<const std::string>(dashboard_message(*summary));
  std::lock_guard lock(mutex_);
  // A broadcast while the summary was read is newer than it: keep and send that one.
  if (snapshot_message_ && snapshot_at_ >= asked) co_return snapshot_message_;
  snapshot_message_ = message;
  snapshot_at_ = clock_.now();
  co_return message;
}

void ws_hub::publish_dashboard(std::string_view summary_json) {
  deliver({}, dashboard_message(summary_json));
}

void ws_hub::publish_market(std::string_view symbol, std::string_view market_json) {
  deliver(symbol, market_message(symbol, market_json));
}

void ws_hub::deliver(std::string_view symbol, std::string message) {
  broadcast(symbol, std::make_shared<const std::string>(std::move(message)));
}

void ws_hub::broadcast(std::string_view channel, std::shared_ptr<const std::string> message) {
  std::vector<group*> targets;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (!channel.empty() && !watched_.contains(std::string(channel))) return;
    if (channel.empty()) {  // a dashboard_update: the snapshot for the next second's clients
      snapshot_message_ = message;
      snapshot_at_ = clock_.now();
    }
    for (auto& [key, g] : groups_) targets.push_back(g.get());
  }
  for (auto* g : targets) {
    asio::post(g->ex, [g, message, symbol = std::string(channel)] {
      // The group's clients share the message through a count of this thread's own, not the
      // one every group's thread would otherwise bounce between cores.
      auto holder = std::make_shared<std::shared_ptr<const std::string>>(message);
      const std::shared_ptr<const std::string> local(holder, holder->get());
      for (auto* c : g->clients) {
        if (symbol.empty() || c->subscribed(symbol)) c->deliver(local, symbol.empty());
      }
    });
  }
}

void ws_hub::shutdown() {
  std::vector<group*> targets;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [key, g] : groups_) targets.push_back(g.get());
  }
  for (auto* g : targets) {
    asio::post(g->ex, [g] {
      for (auto* c : g->clients) c->kick(websocket::close_code::going_away, "server shutting down");
    });
  }
}

json::object ws_hub::stats() const {
  std::size_t channels = 0;
  {
    std::lock_guard lock(mutex_);
    channels = watched_.size();
  }
  return json::object{{"clients", clients_.load(std::memory_order_relaxed)},
                      {"channels", channels},
                      {"messages_sent", sent_.load(std::memory_order_relaxed)},
                      {"dropped_slow", dropped_slow_.load(std::memory_order_relaxed)},
                      {"refused", refused_.load(std::memory_order_relaxed)}};
}

}  // namespace cryptodash::api
