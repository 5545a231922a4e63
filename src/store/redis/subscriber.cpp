#include "store/redis/subscriber.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <random>
#include <thread>

namespace cryptodash::store::redis {

namespace asio = boost::asio;
using std::chrono::milliseconds;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

subscriber::subscriber(client& c, std::vector<std::string> channels, message_fn on_message,
                       std::function<void()> on_resubscribe)
    : client_(c),
      channels_(std::move(channels)),
      on_message_(std::move(on_message)),
      on_resubscribe_(std::move(on_resubscribe)) {
  asio::co_spawn(client_.context(), loop(), asio::detached);
}

subscriber::~subscriber() {
  stopping_ = true;
  asio::post(client_.context(), [this] {
    if (link_) link_->close();
    if (wake_) wake_->cancel();
    closed_.store(true);
  });
  // Wait for the loop and for the posted close: either may touch `this` until done.
  while ((running_.load() != 0 || !closed_.load()) && !client_.context().stopped()) {
    std::this_thread::sleep_for(milliseconds(1));
  }
}

bool subscriber::wait_subscribed(milliseconds timeout) const {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!subscribed()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

asio::awaitable<void> subscriber::loop() {
  wake_ = std::make_unique<asio::steady_timer>(client_.context());
  const auto& opts = client_.options();
  std::minstd_rand jitter(std::random_device{}());
  milliseconds delay = opts.reconnect_min_delay;
  bool first = true;
  while (!stopping_) {
    auto opened = co_await link::open(opts.link, client_.tls_context());
    if (!opened) {
      auto wait = milliseconds(std::uniform_int_distribution<long>(
          delay.count() / 2, delay.count())(jitter));
      delay = std::min(delay * 2, opts.reconnect_max_delay);
      wake_->expires_after(wait);
      co_await wake_->async_wait(use_tuple);
      continue;
    }
    link_ = std::move(*opened);
    delay = opts.reconnect_min_delay;
    std::vector<std::string> cmd = {"SUBSCRIBE"};
    cmd.insert(cmd.end(), channels_.begin(), channels_.end());
    parser p;
    bool ok = !co_await link_->write(encode(cmd));
    std::size_t confirmed = 0;
    while (ok && !stopping_) {
      auto next = p.next();
      if (!next) break;
      if (!*next) {
        if (co_await link_->read_into(p)) break;
        continue;
      }
      const reply& r = **next;
      if (r.type != reply::kind::array || r.elements.empty()) continue;
      const std::string& kind = r.elements[0].str;
      if (kind == "subscribe" && ++confirmed == channels_.size()) {
        subscribed_.store(true, std::memory_order_release);
        spdlog::info("{}: subscribed to {} channel(s)", opts.name, channels_.size());
        if (!first && on_resubscribe_) on_resubscribe_();
        first = false;
      } else if (kind == "message" && r.elements.size() == 3 && !stopping_) {
        on_message_(r.elements[1].str, r.elements[2].str);
      }
    }
    subscribed_.store(false, std::memory_order_release);
    link_->close();
    link_.reset();
  }
  running_.store(0);
}

}  // namespace cryptodash::store::redis
