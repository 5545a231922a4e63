#include "support/fake_upstream.h"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>

#include <signal.h>

#include <regex>
#include <stdexcept>

#ifndef CRYPTODASH_FAKE_UPSTREAM
#error "CRYPTODASH_FAKE_UPSTREAM must name the fake-upstream binary"
#endif

namespace cryptodash::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

// Every operation is started asynchronously and the private io_context runs until it
// completes; beast::tcp_stream's expiry bounds each one.
struct fake_connection::impl {
  asio::io_context ioc;
  std::unique_ptr<ssl::context> tls;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout{};
  boost::system::error_code last;
  bool connected = false;

  beast::tcp_stream& lowest() { return plain ? *plain : secure->next_layer(); }

  // Runs the operation `start` begins (it takes a completion handler) to completion.
  template <class Start>
  boost::system::error_code run(Start start) {
    std::optional<boost::system::error_code> result;
    lowest().expires_after(timeout);
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    last = result.value_or(asio::error::operation_aborted);
    return last;
  }

  template <class F>
  auto with_stream(F f) {
    if (plain) return f(*plain);
    return f(*secure);
  }
};

fake_connection::fake_connection(int port, bool tls, std::optional<std::filesystem::path> tls_ca,
                                 std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  d.timeout = timeout;
  if (tls) {
    d.tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    d.tls->set_verify_mode(tls_ca ? ssl::verify_peer : ssl::verify_none);
    if (tls_ca) d.tls->load_verify_file(tls_ca->string());
    d.secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(d.ioc, *d.tls);
    if (tls_ca) d.secure->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  } else {
    d.plain = std::make_unique<beast::tcp_stream>(d.ioc);
  }
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"),
                                   static_cast<unsigned short>(port));
  if (d.run([&](auto handler) { d.lowest().async_connect(endpoint, std::move(handler)); })) return;
  if (d.secure && d.run([&](auto handler) {
        d.secure->async_handshake(ssl::stream_base::client, std::move(handler));
      })) {
    return;
  }
  d.connected = true;
}

fake_connection::~fake_connection() = default;
fake_connection::fake_connection(fake_connection&&) noexcept = default;
fake_connection& fake_connection::operator=(fake_connection&&) noexcept = default;

bool fake_connection::connected() const noexcept {
  return impl_->connected;
}

bool fake_connection::send(std::string_view bytes) {
  if (!impl_->connected) return false;
  return !impl_->run([&](auto handler) {
    impl_->with_stream([&](auto& s) {
      asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
    });
  });
}

std::optional<http_response> fake_connection::read_response() {
  if (!impl_->connected) return std::nullopt;
  http_response res;
  auto ec = impl_->run([&](auto handler) {
    impl_->with_stream(
        [&](auto& s) { http::async_read(s, impl_->buffer, res, std::move(handler)); });
  });
  if (ec) return std::nullopt;
  return res;
}

std::string fake_connection::request_bytes(http::verb method, const std::string& target,
                                           const std::string& body, const header_list& headers) {
  std::string out =
      std::string(http::to_string(method)) + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  if (!body.empty() || method == http::verb::post || method == http::verb::put) {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return out + "\r\n" + body;
}

std::optional<http_response> fake_connection::request(http::verb method, const std::string& target,
                                                      const std::string& body,
                                                      const header_list& headers) {
  if (!send(request_bytes(method, target, body, headers))) return std::nullopt;
  return read_response();
}

boost::system::error_code fake_connection::last_error() const noexcept {
  return impl_->last;
}

void fake_connection::close() {
  boost::system::error_code ignored;
  impl_->lowest().socket().close(ignored);
  impl_->connected = false;
}

std::string fake_upstream::binary() {
  return CRYPTODASH_FAKE_UPSTREAM;
}

fake_upstream::fake_upstream(fake_upstream_options options) : options_(std::move(options)) {
  std::vector<std::string> argv = {binary(), "--listen", "127.0.0.1", "--port", "0"};
  if (options_.simulate) argv.emplace_back("--simulate");
  if (options_.tls_cert || options_.tls_key) {
    if (!options_.tls_cert || !options_.tls_key) {
      throw std::invalid_argument("fake_upstream: tls_cert and tls_key go together");
    }
    argv.insert(argv.end(), {"--tls-cert", options_.tls_cert->string(), "--tls-key",
                             options_.tls_key->string()});
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  process_ = std::make_unique<child_process>(argv);

  static const std::regex first_line(R"(^listening on (https?)://127\.[0-9.]+:(\d+)\n)");
  std::smatch m;
  std::string out;
  eventually(
      [&] {
        out = process_->out();
        return out.find('\n') != std::string::npos || !process_->running();
      },
      std::chrono::seconds(10));
  if (!std::regex_search(out, m, first_line)) {
    throw std::runtime_error("fake-upstream did not start (" + argv[0] + "); stdout: '" + out +
                             "'; stderr: '" + process_->err() + "'");
  }
  tls_ = m[1] == "https";
  port_ = std::stoi(m[2]);
}

// A fake that does not exit 0 on SIGTERM (a crash, a sanitizer report, a leak) fails the test
// that used it.
fake_upstream::~fake_upstream() {
  auto code = stop();
  if (code != 0) {
    ADD_FAILURE() << "fake-upstream "
                  << (code ? "exited with " + std::to_string(*code)
                           : std::string("did not exit on SIGTERM"))
                  << "; stderr: " << process_->err();
  }
}

std::optional<int> fake_upstream::stop(std::chrono::milliseconds timeout) {
  if (!process_) return std::nullopt;
  if (process_->running()) process_->signal(SIGTERM);
  return process_->wait(timeout);
}

std::string fake_upstream::base_url(std::string_view provider) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/" +
         std::string(provider);
}

fake_connection fake_upstream::connect(std::chrono::milliseconds timeout) const {
  return fake_connection(port_, tls_, options_.tls_ca, timeout);
}

std::optional<http_response> fake_upstream::request(http::verb method, const std::string& target,
                                                    const std::string& body,
                                                    const header_list& headers) const {
  auto c = connect();
  return c.request(method, target, body, headers);
}

std::optional<http_response> fake_upstream::get(const std::string& target,
                                                const header_list& headers) const {
  return request(http::verb::get, target, "", headers);
}

boost::json::value fake_upstream::control(http::verb method, const std::string& target,
                                          const std::string& body) {
  auto c = connect();
  auto res = c.request(method, target, body, {{"Content-Type", "application/json"}});
  if (!res) {
    throw std::runtime_error("fake-upstream: no answer to " + std::string(http::to_string(method)) +
                             " " + target + ": " + c.last_error().message());
  }
  if (res->result_int() != 200) {
    throw std::runtime_error("fake-upstream: " + std::string(http::to_string(method)) + " " +
                             target + " → " + std::to_string(res->result_int()) + " " +
                             res->body());
  }
  return boost::json::parse(res->body());
}

void fake_upstream::set_fault(const std::string& fault_json) {
  control(http::verb::post, "/_fake/faults", fault_json);
}
void fake_upstream::clear_faults() {
  control(http::verb::delete_, "/_fake/faults");
}
boost::json::value fake_upstream::calls() {
  return control(http::verb::get, "/_fake/calls");
}
boost::json::value fake_upstream::requests(int n) {
  return control(http::verb::get, "/_fake/requests?limit=" + std::to_string(n));
}
void fake_upstream::set_values(const std::string& values_json) {
  control(http::verb::put, "/_fake/values", values_json);
}
boost::json::value fake_upstream::values() {
  return control(http::verb::get, "/_fake/values");
}
void fake_upstream::reset() {
  control(http::verb::post, "/_fake/reset");
}

}  // namespace cryptodash::testing
