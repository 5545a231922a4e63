#pragma once

// Test helpers for integration tests: child processes, temporary directories, free ports.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace cryptodash::testing {

/// A directory under the system temp dir, removed with everything in it on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  /// Writes `content` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

/// A child process with its stdout and stderr captured in files. Killed (SIGKILL) on
/// destruction if still running, and by the kernel when the thread that started it dies (so
/// start children from the test's main thread).
class child_process {
 public:
  /// Starts `argv[0]` with `argv`, the parent's environment with `env` overriding (an empty
  /// value removes the variable), in `cwd` if given.
  child_process(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
                std::optional<std::filesystem::path> cwd = std::nullopt);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  void signal(int signo) const;
  /// Waits up to `timeout` for the exit. Returns the exit code, 128+signal if killed by a
  /// signal, or nullopt if still running.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string out() const;  ///< stdout so far
  std::string err() const;  ///< stderr so far

 private:
  temp_dir dir_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// Runs a command to completion (up to `timeout`) and returns {exit code, stdout, stderr}.
struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};
run_result run(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Polls `pred` every 20 ms until it holds or `timeout` passes; returns its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// How much later than its deadline a timed operation may finish in a test: scheduling delay
/// on a loaded 2-core machine. Sanitized builds run several times slower, so they get more.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::chrono::milliseconds timing_slack{400};
#else
inline constexpr std::chrono::milliseconds timing_slack{100};
#endif

/// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

std::string read_file(const std::filesystem::path& p);

}  // namespace cryptodash::testing

#include <thread>

template <class Pred>
bool cryptodash::testing::eventually(Pred pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
