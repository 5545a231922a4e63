#include "support/postgres_server.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>

namespace cryptodash::testing {

namespace {

// The newest /usr/lib/postgresql/<version>/bin that holds a server.
std::filesystem::path find_bin_dir() {
  std::filesystem::path best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    auto name = e.path().filename().string();
    bool digits = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isdigit(c) != 0;
    });
    if (!digits) continue;
    int v = std::stoi(name);
    if (v > best_version && std::filesystem::exists(e.path() / "bin" / "postgres")) {
      best_version = v;
      best = e.path() / "bin";
    }
  }
  if (best.empty()) {
    throw std::runtime_error(
        "no PostgreSQL server under /usr/lib/postgresql: install Debian's postgresql package "
        "(apt-get install -y postgresql)");
  }
  return best;
}

std::string percent_encoded(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

const passwd& server_user() {
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "running as root, but there is no `postgres` user to run PostgreSQL as (it refuses to "
        "run as root; Debian's postgresql package creates that user)");
  }
  return *pw;
}

}  // namespace

postgres_server::postgres_server(postgres_options options)
    : options_(std::move(options)), bin_(find_bin_dir()), port_(free_port()) {
  auto pwfile = dir_.write("pwfile", options_.password + "\n");
  if (geteuid() == 0) {
    const passwd& pw = server_user();
    for (const auto& p : {dir_.path(), pwfile}) {
      if (::chown(p.c_str(), pw.pw_uid, pw.pw_gid) != 0) {
        throw std::runtime_error("cannot hand " + p.string() + " to the postgres user");
      }
    }
  }
  child_process initdb(
      as_server_user({(bin_ / "initdb").string(), "-D", (dir_.path() / "data").string(), "-U",
                      options_.user, "--pwfile", pwfile.string(), "--auth-local=trust",
                      "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"}),
      {{"LC_ALL", "C"}}, dir_.path());
  auto code = initdb.wait(std::chrono::seconds(120));
  if (code != 0) {
    throw std::runtime_error("initdb failed: " + initdb.out() + initdb.err());
  }
  start();
}

postgres_server::~postgres_server() {
  stop();
}

std::vector<std::string> postgres_server::as_server_user(std::vector<std::string> argv) const {
  if (geteuid() != 0) return argv;
  const passwd& pw = server_user();
  // setpriv execs the command in place (the pid is the server's own), and sets the parent-death
  // signal again after the change of user, which clears it: the server dies with the test.
  std::vector<std::string> out = {"/usr/bin/setpriv",
                                  "--reuid=" + std::to_string(pw.pw_uid),
                                  "--regid=" + std::to_string(pw.pw_gid),
                                  "--clear-groups",
                                  "--pdeathsig=SIGKILL",
                                  "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::string postgres_server::url(const std::string& database) const {
  return "postgresql://" + percent_encoded(options_.user) + ":" +
         percent_encoded(options_.password) + "@127.0.0.1:" + std::to_string(port_) + "/" +
         percent_encoded(database);
}

void postgres_server::start() {
  process_ = std::make_unique<child_process>(
      as_server_user({(bin_ / "postgres").string(), "-D", (dir_.path() / "data").string(), "-p",
                      std::to_string(port_), "-c", "listen_addresses=127.0.0.1", "-c",
                      "unix_socket_directories=" + dir_.path().string(), "-c", "fsync=off", "-c",
                      "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                      "max_connections=60"}),
      std::map<std::string, std::string>{{"LC_ALL", "C"}}, dir_.path());
  bool ready = eventually(
      [&] {
        return process_->err().find("database system is ready to accept connections") !=
                   std::string::npos ||
               !process_->running();
      },
      std::chrono::seconds(30));
  if (!ready || !process_->running()) {
    throw std::runtime_error("postgres did not start: " + process_->err());
  }
}

void postgres_server::stop() {
  if (!process_ || !process_->running()) return;
  process_->signal(SIGINT);
  if (!process_->wait(std::chrono::seconds(10))) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(5));
  }
}

bool postgres_server::running() {
  return process_ && process_->running();
}

run_result postgres_server::psql(const std::string& database, const std::string& sql) const {
  return run({(bin_ / "psql").string(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
              url(database), "-c", sql});
}

void postgres_server::create_database(const std::string& name) {
  auto r = psql("postgres", "CREATE DATABASE \"" + name + "\"");
  if (r.code != 0) throw std::runtime_error("CREATE DATABASE " + name + ": " + r.err);
}

void postgres_server::drop_database(const std::string& name) {
  auto r = psql("postgres", "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
  if (r.code != 0) throw std::runtime_error("DROP DATABASE " + name + ": " + r.err);
}

}  // namespace cryptodash::testing
