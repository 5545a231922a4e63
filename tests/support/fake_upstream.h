#pragma once

// The project's fake upstream (tools/fake-upstream: CoinGecko, alternative.me, taapi.io and
// Binance on one port) for integration tests: started on a free port, driven through its
// /_fake/ control API.
//
// TLS: with a certificate the fake serves HTTPS only, control API included, so every call
// here speaks TLS to it. The certificate is verified when `tls_ca` is given, and not verified
// otherwise (the control API is test plumbing, not what a test checks).

#include "support/http_client.h"
#include "support/process.h"

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cryptodash::testing {

struct fake_upstream_options {
  bool simulate = false;  ///< --simulate: prices and the index move every tick
  /// Both set: the fake serves HTTPS only with this certificate and key (see make_test_pki).
  std::optional<std::filesystem::path> tls_cert;
  std::optional<std::filesystem::path> tls_key;
  /// Verify the fake's certificate against this CA; unset: no verification.
  std::optional<std::filesystem::path> tls_ca;
  /// e.g. {"--seed", "7", "--tick-ms", "50"}. With `--listen` other than 127.0.0.1 the
  /// control API is out of this class's reach (it connects to 127.0.0.1).
  std::vector<std::string> extra_args;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

/// One keep-alive connection to 127.0.0.1:port, over TLS when `tls`. Every operation has a
/// deadline of `timeout`; a failed operation leaves its reason in last_error()
/// (boost::beast::error::timeout, boost::asio::error::connection_reset, eof...).
/// Not thread-safe; use one per thread.
class fake_connection {
 public:
  fake_connection(int port, bool tls, std::optional<std::filesystem::path> tls_ca = std::nullopt,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~fake_connection();
  fake_connection(fake_connection&&) noexcept;
  fake_connection& operator=(fake_connection&&) noexcept;

  /// False if the TCP connection or the TLS handshake failed.
  bool connected() const noexcept;
  /// Sends raw bytes; false on failure.
  bool send(std::string_view bytes);
  /// Reads one response; nullopt on timeout, reset or close.
  std::optional<http_response> read_response();
  /// Sends `method target` (HTTP/1.1, keep-alive) with `headers` and `body`, reads the answer.
  std::optional<http_response> request(boost::beast::http::verb method, const std::string& target,
                                       const std::string& body = "",
                                       const header_list& headers = {});
  /// Just the bytes of such a request, for send().
  static std::string request_bytes(boost::beast::http::verb method, const std::string& target,
                                   const std::string& body = "", const header_list& headers = {});
  boost::system::error_code last_error() const noexcept;
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

class fake_upstream {
 public:
  /// Starts the fake (the binary built from tools/fake-upstream) on 127.0.0.1, port 0, and
  /// reads its port from the first stdout line. Throws std::runtime_error, with the fake's
  /// output, if it does not print `listening on ...` within 10 s.
  explicit fake_upstream(fake_upstream_options options = {});
  /// SIGTERM, then SIGKILL if it does not exit within 5 s. Adds a test failure, with its
  /// stderr, unless it exits 0 (so sanitizer reports in the fake fail the test).
  ~fake_upstream();
  fake_upstream(const fake_upstream&) = delete;
  fake_upstream& operator=(const fake_upstream&) = delete;

  /// The fake-upstream binary this class starts.
  static std::string binary();

  int port() const noexcept { return port_; }
  bool tls() const noexcept { return tls_; }
  /// "http://127.0.0.1:<port>/<provider>" (https when TLS): coingecko, fear_greed, taapi, binance.
  std::string base_url(std::string_view provider) const;

  /// A new connection to the fake (TLS when the fake is TLS, verified as the options say).
  fake_connection connect(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  /// One request on a new connection; nullopt if there was no answer.
  std::optional<http_response> request(boost::beast::http::verb method, const std::string& target,
                                       const std::string& body = "",
                                       const header_list& headers = {}) const;
  std::optional<http_response> get(const std::string& target,
                                   const header_list& headers = {}) const;

  // The control API. Each throws std::runtime_error unless the fake answers 200.
  /// POST /_fake/faults with a fault as JSON text, e.g. {"path":"/coingecko","status":429}.
  void set_fault(const std::string& fault_json);
  void clear_faults();                              ///< DELETE /_fake/faults
  boost::json::value calls();                       ///< GET /_fake/calls
  boost::json::value requests(int n);               ///< GET /_fake/requests?limit=n, oldest first
  void set_values(const std::string& values_json);  ///< PUT /_fake/values
  boost::json::value values();                      ///< GET /_fake/values
  void reset();                                     ///< POST /_fake/reset: counters and faults

  /// SIGTERM and wait; the exit code, or nullopt if it did not exit within `timeout`.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  child_process& process() noexcept { return *process_; }

 private:
  boost::json::value control(boost::beast::http::verb method, const std::string& target,
                             const std::string& body = "");

  fake_upstream_options options_;
  std::unique_ptr<child_process> process_;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace cryptodash::testing
