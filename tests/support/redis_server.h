#pragma once

// A real redis-server for integration tests: loopback, free port, temp dir, stopped with the test.

#include "support/process.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace cryptodash::testing {

/// Files of a throwaway certificate authority and a server certificate for 127.0.0.1 and
/// localhost, made with the openssl command.
struct test_pki {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
  std::filesystem::path other_ca_cert;  ///< a second CA that did not sign the server
};
test_pki make_test_pki(const std::filesystem::path& dir);

struct redis_options {
  std::string password;       ///< requirepass (the default user)
  bool tls = false;           ///< serve TLS only, with certificates from make_test_pki
  std::vector<std::string> extra_args;
};

class redis_server {
 public:
  explicit redis_server(redis_options options = {});
  ~redis_server();

  int port() const noexcept { return port_; }
  /// redis://127.0.0.1:port (with the password, rediss:// when TLS).
  std::string url(int db = 0) const;
  const test_pki& pki() const noexcept { return pki_; }
  const std::filesystem::path& dir() const noexcept { return dir_.path(); }

  /// Starts it (again, on the same port). Returns once it accepts connections.
  void start();
  void kill();              ///< SIGKILL and reap
  void pause();             ///< SIGSTOP: connections stay open, nothing answers
  void resume();            ///< SIGCONT
  bool running();

  /// Runs a command with redis-cli and returns its output (trimmed).
  std::string cli(const std::vector<std::string>& args) const;

 private:
  redis_options options_;
  temp_dir dir_;
  test_pki pki_;
  int port_;
  std::unique_ptr<child_process> process_;
};

}  // namespace cryptodash::testing
