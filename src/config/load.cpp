#include "config/load.h"

#include "config/schema.h"

#include <fmt/format.h>

#include <cstdlib>
#include <system_error>

namespace cryptodash::config {
namespace {

// Flattens a parsed file into (dotted key, node) leaves. A table is a leaf when a field of that
// name exists (so a table given where a value belongs is reported as a type error).
void collect(const toml::table& table, const std::string& prefix,
             std::vector<std::pair<std::string, const toml::node*>>& leaves,
             std::vector<problem>& problems, const std::string& origin) {
  for (auto&& [k, v] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const auto* sub = v.as_table();
    if (sub == nullptr || find_field(key) != nullptr) {
      leaves.emplace_back(key, &v);
      continue;
    }
    bool known_section = false;
    for (const auto& f : fields()) known_section = known_section || f.key.starts_with(key + ".");
    if (!known_section) {
      problems.push_back({key, "unknown section (in " + origin + ")"});
      continue;
    }
    collect(*sub, key, leaves, problems, origin);
  }
}

std::optional<toml::table> read_file(const std::filesystem::path& path,
                                     std::vector<problem>& problems) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    problems.push_back({path.string(), "cannot read the settings file: not found or not a file"});
    return std::nullopt;
  }
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    problems.push_back({path.string(), fmt::format("line {}, column {}: {}", e.source().begin.line,
                                                   e.source().begin.column, e.description())});
    return std::nullopt;
  }
}

}  // namespace

std::string to_string(const problem& p) {
  return p.setting + ": " + p.message;
}

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read at start
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

load_result load(const sources& src) {
  load_result r;
  const std::string file_origin = src.file ? src.file->string() : std::string();

  std::vector<std::pair<std::string, const toml::node*>> leaves;
  std::optional<toml::table> file;
  if (src.file) {
    file = read_file(*src.file, r.problems);
    if (!file) return r;
    collect(*file, "", leaves, r.problems, file_origin);
  }

  // The profile first: it decides the defaults everything else overrides.
  const field& env_field = *find_field("app.env");
  settings probe;
  auto settle_profile = [&](auto&& set, const std::string& origin) {
    if (auto why = set(); !why.empty())
      r.problems.push_back({"app.env", why + " (" + origin + ")"});
  };
  for (const auto& [key, node] : leaves) {
    if (key == "app.env") {
      settle_profile([&] { return env_field.from_toml(probe, *node); }, "in " + file_origin);
    }
  }
  if (auto v = src.env(env_field.env)) {
    settle_profile([&] { return env_field.from_text(probe, *v); },
                   "from environment variable " + env_field.env);
  }
  for (const auto& o : src.flags) {
    if (o.key == "app.env") {
      settle_profile([&] { return env_field.from_text(probe, o.value); }, "from the command line");
    }
  }
  r.value = defaults_for(probe.app.env);

  for (const auto& [key, node] : leaves) {
    const field* f = find_field(key);
    if (f == nullptr) {
      r.problems.push_back({key, "unknown setting (in " + file_origin + ")"});
    } else if (auto why = f->from_toml(r.value, *node); !why.empty()) {
      r.problems.push_back({key, why + " (in " + file_origin + ")"});
    }
  }
  for (const auto& f : fields()) {
    if (f.env.empty()) continue;
    if (auto v = src.env(f.env)) {
      if (auto why = f.from_text(r.value, *v); !why.empty()) {
        r.problems.push_back({f.key, why + " (from environment variable " + f.env + ")"});
      }
    }
  }
  for (const auto& o : src.flags) {
    const field* f = find_field(o.key);
    if (f == nullptr) {
      r.problems.push_back({o.key, "unknown setting (from the command line)"});
    } else if (auto why = f->from_text(r.value, o.value); !why.empty()) {
      r.problems.push_back({o.key, why + " (from the command line)"});
    }
  }

  if (r.problems.empty()) r.problems = validate(r.value);
  return r;
}

}  // namespace cryptodash::config
