#include "support/redis_server.h"

#include <signal.h>

#include <fstream>
#include <stdexcept>
#include <thread>

namespace cryptodash::testing {

namespace {

void must_run(const std::vector<std::string>& argv) {
  auto r = run(argv);
  if (r.code != 0) throw std::runtime_error("command failed: " + argv[0] + ": " + r.err);
}

}  // namespace

test_pki make_test_pki(const std::filesystem::path& dir) {
  test_pki p;
  auto f = [&](const char* name) { return (dir / name).string(); };
  p.ca_cert = f("ca.crt");
  p.server_cert = f("server.crt");
  p.server_key = f("server.key");
  p.other_ca_cert = f("other-ca.crt");
  for (const char* ca : {"ca", "other-ca"}) {
    must_run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
              "-subj", std::string("/CN=cryptodash test ") + ca, "-keyout",
              f((std::string(ca) + ".key").c_str()), "-out", f((std::string(ca) + ".crt").c_str())});
  }
  std::string ext = (dir / "san.ext").string();
  std::ofstream(ext) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  must_run({"/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", p.server_key.string(), "-out", f("server.csr")});
  must_run({"/usr/bin/openssl", "x509", "-req", "-in", f("server.csr"), "-CA", p.ca_cert.string(),
            "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", ext, "-out",
            p.server_cert.string()});
  return p;
}

redis_server::redis_server(redis_options options)
    : options_(std::move(options)), port_(free_port()) {
  if (options_.tls) pki_ = make_test_pki(dir_.path());
  start();
}

redis_server::~redis_server() { kill(); }

std::string redis_server::url(int db) const {
  std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
  return std::string(options_.tls ? "rediss://" : "redis://") + auth + "127.0.0.1:" +
         std::to_string(port_) + "/" + std::to_string(db);
}

void redis_server::start() {
  std::vector<std::string> argv = {"/usr/bin/redis-server", "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no",
                                   "--dir", dir_.path().string(),
                                   "--logfile", (dir_.path() / "redis.log").string()};
  if (options_.tls) {
    argv.insert(argv.end(), {"--port", "0", "--tls-port", std::to_string(port_),
                             "--tls-cert-file", pki_.server_cert.string(), "--tls-key-file",
                             pki_.server_key.string(), "--tls-ca-cert-file",
                             pki_.ca_cert.string(), "--tls-auth-clients", "no"});
  } else {
    argv.insert(argv.end(), {"--port", std::to_string(port_)});
  }
  if (!options_.password.empty()) argv.insert(argv.end(), {"--requirepass", options_.password});
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::filesystem::remove(dir_.path() / "redis.log");
  process_ = std::make_unique<child_process>(argv);
  bool ready = eventually(
      [&] {
        return read_file(dir_.path() / "redis.log").find("Ready to accept connections") !=
                   std::string::npos ||
               !process_->running();
      },
      std::chrono::seconds(10));
  if (!ready || !process_->running()) {
    throw std::runtime_error("redis-server did not start: " + read_file(dir_.path() / "redis.log"));
  }
}

void redis_server::kill() {
  if (process_ && process_->running()) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(5));
  }
}

void redis_server::pause() { process_->signal(SIGSTOP); }
void redis_server::resume() { process_->signal(SIGCONT); }
bool redis_server::running() { return process_ && process_->running(); }

std::string redis_server::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p",
                                   std::to_string(port_)};
  if (options_.tls) {
    argv.insert(argv.end(), {"--tls", "--cacert", pki_.ca_cert.string()});
  }
  if (!options_.password.empty()) argv.insert(argv.end(), {"-a", options_.password, "--no-auth-warning"});
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run(argv);
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace cryptodash::testing
