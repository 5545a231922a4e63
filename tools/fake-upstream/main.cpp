// fake-upstream: a fake of CoinGecko, alternative.me Fear & Greed, taapi.io and Binance on one
// port, for tests and offline demos. See README.md for the routes and the /_fake/ control API.
//
// One io_context thread serves every connection; nothing blocks it (delays and hangs are
// timers and pending reads), so a delayed or hung request never holds up the others.

#include "apis.h"
#include "control.h"
#include "market.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <charconv>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <variant>

namespace cryptodash::fake {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using std::chrono::milliseconds;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr auto idle_timeout = std::chrono::seconds(120);
constexpr auto io_timeout = std::chrono::seconds(30);
constexpr std::uint64_t max_body = 1 << 20;

struct options {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 0;
  std::string tls_cert;
  std::string tls_key;
  bool simulate = false;
  std::uint64_t seed = 1;
  std::int64_t tick_ms = 1000;
};

constexpr std::string_view usage =
    "usage: fake-upstream [--listen ADDR] [--port N] [--tls-cert FILE --tls-key FILE]\n"
    "                     [--simulate] [--seed N] [--tick-ms N]\n"
    "Serves fakes of CoinGecko (/coingecko), alternative.me (/fear_greed), taapi.io (/taapi)\n"
    "and Binance (/binance) on one port, plus the /_fake/ control API (see README.md).\n"
    "  --listen ADDR    address to bind (default 127.0.0.1)\n"
    "  --port N         port (default 0: any free port)\n"
    "  --tls-cert FILE  serve HTTPS only, with this PEM certificate chain ...\n"
    "  --tls-key FILE   ... and this PEM private key\n"
    "  --simulate       move prices and the Fear & Greed index every tick (random walk)\n"
    "  --seed N         seed of the random walk (default 1)\n"
    "  --tick-ms N      simulation tick in milliseconds (default 1000)\n"
    "The first line on stdout is `listening on http(s)://ADDR:PORT`; SIGTERM/SIGINT stop it.\n";

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The options, or a message for stderr (exit 2); "" means --help was asked for.
std::variant<options, std::string> parse_args(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    std::optional<std::string_view> v;
    if (a == "--help" || a == "-h") return std::string();
    if (a == "--simulate") {
      o.simulate = true;
      continue;
    }
    if (a != "--listen" && a != "--port" && a != "--tls-cert" && a != "--tls-key" &&
        a != "--seed" && a != "--tick-ms") {
      return "unknown option " + std::string(a);
    }
    v = value();
    if (!v) return std::string(a) + " needs a value";
    bool good = true;
    if (a == "--listen") o.listen = std::string(*v);
    if (a == "--port") good = parse_number(*v, o.port);
    if (a == "--tls-cert") o.tls_cert = std::string(*v);
    if (a == "--tls-key") o.tls_key = std::string(*v);
    if (a == "--seed") good = parse_number(*v, o.seed);
    if (a == "--tick-ms") good = parse_number(*v, o.tick_ms) && o.tick_ms > 0;
    if (!good) return "bad value for " + std::string(a) + ": " + std::string(*v);
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return std::string("--tls-cert and --tls-key go together");
  }
  return o;
}

struct app {
  options opts;
  market state;
  control ctl;
  std::uint64_t requests = 0;  // numbers the made-up request ids in headers
};

using request = http::request<http::string_body>;

// Percent-decodes `s` ('+' is a space in queries); nullopt on a broken escape.
std::optional<std::string> decode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      unsigned v = 0;
      if (i + 2 >= s.size()) return std::nullopt;
      auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || end != s.data() + i + 3) return std::nullopt;
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// The request as the handlers see it; nullopt when the target is not a path and query.
// Targets that are not strict RFC 3986 but that servers take anyway (Binance's
// symbols=["BTCUSDT"] sent without escaping the brackets and quotes) are read leniently.
std::optional<api_request> to_api_request(const request& req, std::int64_t now_ms) {
  api_request r;
  r.method = std::string(req.method_string());
  r.body = req.body();
  r.now_ms = now_ms;
  if (auto url = boost::urls::parse_origin_form(req.target())) {
    r.path = url->path();
    for (auto param : url->params()) r.query.try_emplace(param.key, param.value);
    return r;
  }
  std::string_view target = req.target();
  if (!target.starts_with("/")) return std::nullopt;
  auto q = target.find('?');
  auto path = decode(target.substr(0, q), false);
  if (!path) return std::nullopt;
  r.path = *path;
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq), true);
    auto value = decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    if (!key->empty()) r.query.try_emplace(*key, *value);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
  }
  return r;
}

json::object lowercase_headers(const request& req) {
  json::object out;
  for (const auto& f : req) {
    std::string key = lower(f.name_string());
    if (auto* existing = out.if_contains(key)) {
      *existing = std::string(existing->get_string()) + ", " + std::string(f.value());
    } else {
      out[key] = std::string(f.value());
    }
  }
  return out;
}

// Built outside the coroutines: GCC 12 rejects braced lists of string literals in them
// ("array used as initializer").
reply bad_request(std::string message) {
  return json_reply(400, json::object{{"error", std::move(message)}});
}

reply too_large() {
  return json_reply(413, json::object{{"error", "request body over 1 MiB"}});
}

template <class Stream>
asio::awaitable<bool> write(Stream& stream, const reply& r, bool keep_alive, unsigned version) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(r.status);
  if (auto known = http::obsolete_reason(http::int_to_status(r.status)); known.starts_with("<")) {
    res.reason(r.status == 418 ? "I'm a teapot" : "Unknown");
  }
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(io_timeout);
  auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
  co_return !ec && keep_alive;
}

// The `hang` fault: no answer; read and drop whatever comes until the client goes away.
template <class Stream>
asio::awaitable<void> hang(Stream& stream) {
  beast::get_lowest_layer(stream).expires_never();
  std::array<char, 1024> sink{};
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) co_return;
  }
}

// The `reset` fault: SO_LINGER 0 makes close() send a RST instead of a FIN.
template <class Stream>
void reset(Stream& stream) {
  auto& socket = beast::get_lowest_layer(stream).socket();
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

// Answers one request; false when the connection must end.
template <class Stream>
asio::awaitable<bool> serve(app& a, Stream& stream, const request& req) {
  const bool keep_alive = req.keep_alive();
  auto r = to_api_request(req, unix_ms_now());
  if (!r) {
    co_return co_await write(stream, bad_request("bad target"), false, req.version());
  }
  if (r->path == "/_fake" || r->path.starts_with("/_fake/")) {
    r->sub = r->path.substr(6);
    co_return co_await write(stream, a.ctl.handle(*r, a.state), keep_alive, req.version());
  }

  const provider p = provider_of(r->path);
  r->sub = p == provider::none ? r->path : r->path.substr(1 + name(p).size());
  a.ctl.log(r->method, std::string(req.target()), lowercase_headers(req), req.body());
  auto in_flight = a.ctl.begin(p, r->path, r->now_ms);
  const std::uint64_t request_no = ++a.requests;
  const std::int64_t weight =
      p == provider::binance ? a.ctl.add_binance_weight(binance_weight(*r), r->now_ms) : 0;
  const auto f = a.ctl.take_fault(r->path);

  if (f && f->delay_ms > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, milliseconds(f->delay_ms));
    co_await timer.async_wait(use_tuple);
    r->now_ms = unix_ms_now();
  }
  if (f && f->hang) {
    co_await hang(stream);
    co_return false;
  }
  if (f && f->reset) {
    reset(stream);
    co_return false;
  }
  reply out;
  if (f && f->status) {
    out.status = *f->status;
    out.body = f->body ? *f->body : error_body(p, out.status, r->now_ms);
  } else if (f && f->garbage) {
    out.body = garbage_body();
  } else {
    out = answer(p, *r, a.state);
    if (f && f->wrong_schema && out.status == 200) out.body = break_schema(out.body);
  }
  if (f) {
    for (const auto& [k, v] : f->headers) out.set(k, v);
  }
  add_provider_headers(p, out, r->now_ms, request_no);
  if (p == provider::binance) {
    if (!out.find("x-mbx-used-weight")) out.set("x-mbx-used-weight", std::to_string(weight));
    if (!out.find("x-mbx-used-weight-1m")) out.set("x-mbx-used-weight-1m", std::to_string(weight));
  }
  co_return co_await write(stream, out, keep_alive, req.version());
}

template <class Stream>
asio::awaitable<void> serve_connection(app& a, Stream& stream) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_body);
    beast::get_lowest_layer(stream).expires_after(idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec == http::error::body_limit) {
      co_await write(stream, too_large(), false, 11);
      co_return;
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        co_await write(stream, bad_request(ec.message()), false, 11);
      }
      co_return;
    }
    if (!co_await serve(a, stream, parser.get())) co_return;
  }
}

asio::awaitable<void> plain_session(app& a, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  co_await serve_connection(a, stream);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> tls_session(app& a, ssl::context& tls, tcp::socket socket) {
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls);
  stream.next_layer().expires_after(io_timeout);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (ec) co_return;
  co_await serve_connection(a, stream);
  if (stream.next_layer().socket().is_open()) {
    stream.next_layer().expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(use_tuple);
  }
}

asio::awaitable<void> accept_loop(app& a, tcp::acceptor& acceptor, ssl::context* tls) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls) {
      asio::co_spawn(acceptor.get_executor(), tls_session(a, *tls, std::move(socket)),
                     asio::detached);
    } else {
      asio::co_spawn(acceptor.get_executor(), plain_session(a, std::move(socket)), asio::detached);
    }
  }
}

asio::awaitable<void> simulate(app& a) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(milliseconds(a.opts.tick_ms));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
    a.state.tick(unix_ms_now(), static_cast<double>(a.opts.tick_ms) / 1000.0);
  }
}

int run(int argc, char** argv) {
  auto parsed = parse_args(argc, argv);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    if (err->empty()) {
      std::cout << usage;
      return 0;
    }
    std::cerr << "fake-upstream: " << *err << "\n" << usage;
    return 2;
  }
  // The app and the TLS context outlive the io_context: destroying the io_context destroys
  // suspended sessions, whose in-flight guards and streams point into them.
  app a{std::get<options>(parsed), market(std::get<options>(parsed).seed), control()};

  std::unique_ptr<ssl::context> tls;
  if (!a.opts.tls_cert.empty()) {
    tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (!ec) tls->use_certificate_chain_file(a.opts.tls_cert, ec);
    if (!ec) tls->use_private_key_file(a.opts.tls_key, ssl::context::pem, ec);
    if (ec) {
      std::cerr << "fake-upstream: cannot use --tls-cert/--tls-key: " << ec.message() << "\n";
      return 2;
    }
  }

  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(a.opts.listen, ec);
  if (ec) {
    std::cerr << "fake-upstream: bad --listen address " << a.opts.listen << "\n";
    return 2;
  }
  tcp::endpoint endpoint(address, a.opts.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "fake-upstream: cannot listen on " << a.opts.listen << ":" << a.opts.port << ": "
              << ec.message() << "\n";
    return 1;
  }
  const auto port = acceptor.local_endpoint().port();
  const std::string host = address.is_v6() ? "[" + a.opts.listen + "]" : a.opts.listen;
  std::cout << "listening on " << (tls ? "https" : "http") << "://" << host << ":" << port
            << std::endl;

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& sec, int) {
    if (sec) return;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    ioc.stop();
  });
  asio::co_spawn(ioc, accept_loop(a, acceptor, tls.get()), asio::detached);
  if (a.opts.simulate) asio::co_spawn(ioc, simulate(a), asio::detached);
  ioc.run();
  return 0;
}

}  // namespace
}  // namespace cryptodash::fake

int main(int argc, char** argv) {
  try {
    return cryptodash::fake::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "fake-upstream: " << e.what() << "\n";
    return 1;
  }
}
