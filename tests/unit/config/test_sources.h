#pragma once

#include "config/load.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace cryptodash::config::test {

/// An environment made of a map, so tests never touch the process environment.
inline env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline sources no_file(std::map<std::string, std::string> env = {},
                       std::vector<override_value> flags = {}) {
  sources s;
  s.env = fake_env(std::move(env));
  s.flags = std::move(flags);
  return s;
}

/// A uniquely named settings file (mkstemp), removed on destruction. Safe when test
/// processes run in parallel.
class temp_file {
 public:
  explicit temp_file(const std::string& content = "") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "cryptodash-config-XXXXXX").string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    path_ = tmpl;
    write(content);
  }
  ~temp_file() { std::filesystem::remove(path_); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  void write(const std::string& content) const { std::ofstream(path_) << content; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// All problems on one line each, for failure messages.
inline std::string describe(const std::vector<problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += to_string(p) + "\n";
  return out;
}

}  // namespace cryptodash::config::test
