#include "config/show.h"

#include "config/schema.h"

#include <sstream>

namespace cryptodash::config {
namespace {

toml::table& subtable(toml::table& root, std::string_view dotted) {
  toml::table* t = &root;
  while (!dotted.empty()) {
    auto dot = dotted.find('.');
    auto part = dotted.substr(0, dot);
    auto [it, inserted] = t->emplace<toml::table>(part);
    t = it->second.as_table();
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return *t;
}

toml::table as_table(const settings& s) {
  settings shown = s;
  shown.cache.strategy = s.effective_cache_strategy();
  toml::table root;
  for (const auto& f : fields()) {
    std::string_view key = f.key;
    auto dot = key.rfind('.');
    f.show(shown, subtable(root, key.substr(0, dot)), key.substr(dot + 1));
  }
  return root;
}

}  // namespace

std::string to_toml(const settings& s) {
  std::ostringstream out;
  out << toml::toml_formatter(as_table(s)) << '\n';
  return out.str();
}

std::string to_json(const settings& s) {
  std::ostringstream out;
  out << toml::json_formatter(as_table(s)) << '\n';
  return out.str();
}

}  // namespace cryptodash::config
