#pragma once

// A real PostgreSQL server for integration tests: a throwaway cluster (initdb) in a temp dir,
// listening on 127.0.0.1 on a free port only (its unix socket inside the temp dir), stopped by
// pid with the test. Needs Debian's `postgresql` package (binaries in /usr/lib/postgresql/<v>/bin).
// PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` user
// (setpriv), which then owns the temp dir.

#include "support/process.h"

#include <filesystem>
#include <memory>
#include <string>

namespace cryptodash::testing {

struct postgres_options {
  std::string user = "cryptodash";        ///< the cluster's superuser
  std::string password = "test-p4ss:@/";  ///< needs percent-encoding in a URL (url() does it)
};

class postgres_server {
 public:
  /// initdb, then start(). Throws std::runtime_error (with the server's output) on failure.
  explicit postgres_server(postgres_options options = {});
  ~postgres_server();  ///< stop()
  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;

  int port() const noexcept { return port_; }
  const std::string& user() const noexcept { return options_.user; }
  const std::string& password() const noexcept { return options_.password; }
  /// postgresql://user:password@127.0.0.1:port/database, user and password percent-encoded.
  std::string url(const std::string& database = "postgres") const;

  /// Starts it (again, on the same port and data). Returns once it accepts connections.
  void start();
  /// Fast shutdown (SIGINT: clients are disconnected), waiting for the exit; SIGKILL after 10 s.
  void stop();
  bool running();

  /// Runs `sql` with psql against `database`, stopping at the first error.
  run_result psql(const std::string& database, const std::string& sql) const;
  void create_database(const std::string& name);  ///< throws on failure
  void drop_database(const std::string& name);    ///< WITH (FORCE): even with clients connected

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;

  postgres_options options_;
  temp_dir dir_;
  std::filesystem::path bin_;  // /usr/lib/postgresql/<version>/bin
  int port_;
  std::unique_ptr<child_process> process_;
};

}  // namespace cryptodash::testing
