#include "upstream/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <variant>

namespace cryptodash::upstream {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using steady = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

core::errc error_of(const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted) return core::errc::cancelled;
  if (ec == beast::error::timeout || ec == asio::error::timed_out) return core::errc::timeout;
  if (ec == http::error::body_limit || ec == http::error::header_limit ||
      ec == http::error::buffer_overflow)
    return core::errc::too_large;
  if (&ec.category() == &http::make_error_code(http::error::bad_version).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message)
    return core::errc::bad_response;
  return core::errc::unavailable;
}

// A pooled connection found closed by the server: it is worth one retry on a fresh one.
bool is_stale(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::eof ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

std::string base_url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

core::result<base_url> parse_base_url(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->has_query() || u->has_fragment() || u->has_userinfo() || !u->has_authority())
    return make_error_code(core::errc::invalid_argument);
  base_url b;
  const auto scheme = lowercase(u->scheme());
  if (scheme == "https") {
    b.tls = true;
  } else if (scheme == "http") {
    b.tls = false;
  } else {
    return make_error_code(core::errc::invalid_argument);
  }
  b.host = u->host_type() == boost::urls::host_type::ipv6 ? std::string(u->encoded_host_address())
                                                          : std::string(u->encoded_host());
  if (b.host.empty()) return make_error_code(core::errc::invalid_argument);
  b.port = b.tls ? 443 : 80;
  if (u->has_port()) {
    const auto p = u->port_number();
    if (p == 0) return make_error_code(core::errc::invalid_argument);
    b.port = p;
  }
  b.prefix = std::string(u->encoded_path());
  while (!b.prefix.empty() && b.prefix.back() == '/') b.prefix.pop_back();
  return b;
}

std::string http_client_options::default_https_proxy() {
  for (const char* name : {"HTTPS_PROXY", "https_proxy"})
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  return {};
}

std::string http_client_options::default_no_proxy() {
  for (const char* name : {"NO_PROXY", "no_proxy"})
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  return {};
}

struct http_client::connection {
  using tls_stream = beast::ssl_stream<beast::tcp_stream>;

  explicit connection(beast::tcp_stream s) : stream(std::in_place_index<0>, std::move(s)) {}
  explicit connection(tls_stream s) : stream(std::in_place_index<1>, std::move(s)) {}

  beast::tcp_stream& tcp() {
    return stream.index() == 0 ? std::get<0>(stream) : beast::get_lowest_layer(std::get<1>(stream));
  }

  std::variant<beast::tcp_stream, tls_stream> stream;
  beast::flat_buffer buffer;
  steady::time_point idle_since{};
};

core::result<std::unique_ptr<http_client>> http_client::create(http_client_options options) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  tls->set_default_verify_paths(ec);
  if (!options.ca_file.empty()) {
    tls->load_verify_file(options.ca_file, ec);
    if (ec) return make_error_code(core::errc::invalid_argument);
  }
  tls->set_verify_mode(asio::ssl::verify_peer);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  std::unique_ptr<http_client> c(new http_client(std::move(options), std::move(tls)));
  if (!c->options_.https_proxy.empty()) {
    std::string p = c->options_.https_proxy;
    if (p.find("://") == std::string::npos) p = "http://" + p;
    auto u = parse_base_url(p);
    if (!u || u->tls) return make_error_code(core::errc::invalid_argument);
    c->proxy_host_ = u->host;
    c->proxy_port_ = std::to_string(u->port);
  }
  return c;
}

http_client::http_client(http_client_options options, std::shared_ptr<asio::ssl::context> tls)
    : options_(std::move(options)),
      tls_(std::move(tls)),
      work_(asio::make_work_guard(ioc_)),
      thread_([this] { ioc_.run(); }) {}

http_client::~http_client() {
  work_.reset();
  ioc_.stop();
  thread_.join();
  std::lock_guard lock(pool_mutex_);
  idle_.clear();  // closes the sockets while their context still exists
}

http_client_stats http_client::stats() const noexcept {
  return {requests_.load(), opened_.load(), reused_.load(), failures_.load()};
}

void http_client::clear_pool() {
  std::lock_guard lock(pool_mutex_);
  idle_.clear();
}

bool http_client::use_proxy(const base_url& base) const {
  if (!base.tls || proxy_host_.empty()) return false;
  std::string_view list = options_.no_proxy;
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto entry = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry == "*") return false;
    while (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
    if (entry.empty()) continue;
    const std::string host = lowercase(base.host);
    const std::string e = lowercase(entry);
    if (host == e || (host.size() > e.size() && host.ends_with("." + e))) return false;
  }
  return true;
}

std::unique_ptr<http_client::connection> http_client::take_idle(const std::string& key) {
  std::lock_guard lock(pool_mutex_);
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  const auto oldest = steady::now() - options_.idle_timeout;
  while (!it->second.empty()) {
    auto c = std::move(it->second.back());
    it->second.pop_back();
    if (c->idle_since >= oldest) return c;
  }
  return nullptr;
}

void http_client::give_back(const std::string& key, std::unique_ptr<connection> c) {
  if (options_.max_idle_per_host == 0) return;  // no pooling: the connection closes
  c->idle_since = steady::now();
  std::lock_guard lock(pool_mutex_);
  auto& list = idle_[key];
  while (!list.empty() && list.size() >= options_.max_idle_per_host) list.pop_front();
  list.push_back(std::move(c));
}

asio::awaitable<core::result<std::unique_ptr<http_client::connection>>> http_client::open(
    const base_url& base, const exchange_limits& limits) {
  auto ex = co_await asio::this_coro::executor;
  const auto deadline = std::min(steady::now() + limits.connect_timeout, limits.deadline);
  const bool proxied = use_proxy(base);
  const std::string host = proxied ? proxy_host_ : base.host;
  const std::string port = proxied ? proxy_port_ : std::to_string(base.port);

  tcp::resolver resolver(ex);
  asio::steady_timer timer(ex);
  timer.expires_at(deadline);
  auto resolved = co_await (resolver.async_resolve(host, port, use_tuple) ||
                            timer.async_wait(use_tuple));
  if (resolved.index() == 1) co_return make_error_code(core::errc::timeout);
  auto [rec, endpoints] = std::get<0>(std::move(resolved));
  if (rec) co_return make_error_code(core::errc::unavailable);

  beast::tcp_stream tcp(ex);
  tcp.expires_at(deadline);
  auto [cec, ep] = co_await tcp.async_connect(endpoints, use_tuple);
  if (cec) co_return make_error_code(error_of(cec));
  boost::system::error_code nodelay_ec;  // best effort
  tcp.socket().set_option(tcp::no_delay(true), nodelay_ec);

  if (proxied) {
    const std::string host_part =
        base.host.find(':') != std::string::npos ? "[" + base.host + "]" : base.host;
    const std::string target = host_part + ":" + std::to_string(base.port);
    http::request<http::empty_body> connect{http::verb::connect, target, 11};
    connect.set(http::field::host, target);
    auto [wec, wn] = co_await http::async_write(tcp, connect, use_tuple);
    if (wec) co_return make_error_code(error_of(wec));
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> answer;
    answer.skip(true);  // a CONNECT answer has no body: the tunnel follows
    auto [rec2, rn] = co_await http::async_read_header(tcp, buffer, answer, use_tuple);
    if (rec2) co_return make_error_code(error_of(rec2));
    if (answer.get().result_int() != 200 || buffer.size() != 0)
      co_return make_error_code(core::errc::unavailable);
  }

  if (!base.tls) co_return std::make_unique<connection>(std::move(tcp));

  connection::tls_stream stream(std::move(tcp), *tls_);
  if (!is_ip_literal(base.host))
    SSL_set_tlsext_host_name(stream.native_handle(), base.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(base.host));
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (hec) co_return make_error_code(error_of(hec) == core::errc::timeout ? core::errc::timeout
                                                                           : core::errc::unavailable);
  co_return std::make_unique<connection>(std::move(stream));
}

namespace {

template <class Stream>
asio::awaitable<boost::system::error_code> exchange(Stream& stream, beast::flat_buffer& buffer,
                                                    http::request<http::string_body>& req,
                                                    http::response_parser<http::string_body>& p) {
  auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
  if (wec) co_return wec;
  auto [rec, rn] = co_await http::async_read(stream, buffer, p, use_tuple);
  co_return rec;
}

}  // namespace

asio::awaitable<core::result<call_response>> http_client::request(const base_url& base,
                                                                  const call_request& req,
                                                                  exchange_limits limits) {
  // Arguments by value: the spawned coroutine runs on another thread.
  co_return co_await asio::co_spawn(ioc_, exchange_here(base, req, limits), asio::use_awaitable);
}

asio::awaitable<core::result<call_response>> http_client::exchange_here(base_url base,
                                                                        call_request req,
                                                                        exchange_limits limits) {
  ++requests_;
  if (steady::now() >= limits.deadline) {
    ++failures_;
    co_return make_error_code(core::errc::timeout);
  }
  const std::string key = (base.tls ? "https://" : "http://") + base.authority();

  const auto verb = http::string_to_verb(req.method);
  if (verb == http::verb::unknown || req.target.empty() || req.target.front() != '/')
    co_return make_error_code(core::errc::invalid_argument);
  http::request<http::string_body> hreq{verb, base.prefix + req.target, 11};
  hreq.set(http::field::host, base.authority());
  hreq.set(http::field::user_agent, options_.user_agent);
  hreq.set(http::field::accept, "application/json");
  hreq.set(http::field::accept_encoding, "identity");
  for (const auto& [name, value] : req.headers) hreq.set(name, value);
  if (!req.body.empty()) {
    if (hreq.find(http::field::content_type) == hreq.end())
      hreq.set(http::field::content_type, "application/json");
    hreq.body() = req.body;
  }
  hreq.keep_alive(true);
  hreq.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<connection> conn = attempt == 0 ? take_idle(key) : nullptr;
    const bool reused = conn != nullptr;
    if (reused) {
      ++reused_;
    } else {
      auto opened = co_await open(base, limits);
      if (!opened) {
        ++failures_;
        co_return opened.error();
      }
      conn = std::move(*opened);
      ++opened_;
    }
    conn->tcp().expires_at(limits.deadline);
    conn->buffer.clear();
    http::response_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(limits.max_body_bytes);
    boost::system::error_code ec;
    if (conn->stream.index() == 0) {
      ec = co_await exchange(std::get<0>(conn->stream), conn->buffer, hreq, parser);
    } else {
      ec = co_await exchange(std::get<1>(conn->stream), conn->buffer, hreq, parser);
    }
    if (ec) {
      // A kept-alive connection the server had closed: replay once, for idempotent requests.
      // (The replay takes no new permit; it is rare and costs one call at most.)
      if (reused && !parser.got_some() && is_stale(ec) &&
          (verb == http::verb::get || verb == http::verb::head))
        continue;
      ++failures_;
      co_return make_error_code(error_of(ec));
    }
    auto res = parser.release();
    call_response out;
    out.status = res.result_int();
    for (const auto& field : res) out.headers.emplace_back(lowercase(field.name_string()), field.value());
    out.body = std::move(res.body());
    if (res.keep_alive() && !res.need_eof()) give_back(key, std::move(conn));
    co_return out;
  }
  ++failures_;
  co_return make_error_code(core::errc::unavailable);
}

}  // namespace cryptodash::upstream
