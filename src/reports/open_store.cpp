#include "reports/open_store.h"

#include "reports/pg_store.h"
#include "reports/sqlite_store.h"

#include <fmt/format.h>

#include <string_view>

namespace cryptodash::reports {
namespace {

constexpr std::string_view setting = "DATABASE_URL (database.url)";

open_error named(const config::credential_url& url, open_error e) {
  e.message = fmt::format("{} \"{}\": {}", setting, url.redacted(), e.message);
  return e;
}

}  // namespace

open_result<database_location> parse_database_url(const config::credential_url& given) {
  const config::credential_url url = given.empty() ? config::database_settings{}.url : given;
  const std::string& text = url.reveal();
  auto refuse = [&](std::string why) {
    return named(url, open_error{make_error_code(core::errc::invalid_argument), std::move(why)});
  };
  database_location out;
  if (text.starts_with("sqlite://")) {
    std::string_view path = std::string_view(text).substr(std::string_view("sqlite://").size());
    if (path.empty() || path == "/") {
      return refuse("sqlite:// needs a file path, e.g. sqlite://data/cryptodash.db");
    }
    out.sqlite_path = std::filesystem::path(path);
    return out;
  }
  if (text.starts_with("postgresql://") || text.starts_with("postgres://")) {
    out.backend = database_location::kind::postgresql;
    out.postgresql = url;
    return out;
  }
  return refuse(
      "expected sqlite://path or postgresql://user:password@host:port/database (or "
      "postgres://…)");
}

open_result<std::unique_ptr<report_store>> open_report_store(
    const config::database_settings& settings) {
  const config::credential_url& url =
      settings.url.empty() ? config::database_settings{}.url : settings.url;
  auto location = parse_database_url(url);
  if (!location) return location.error();
  if (location->backend == database_location::kind::sqlite) {
    auto store = sqlite_store::open(sqlite_options{location->sqlite_path});
    if (!store) return named(url, store.error());
    return std::unique_ptr<report_store>(std::move(*store));
  }
  pg_options options;
  options.url = location->postgresql;
  options.pool_size = settings.pool_size;
  auto store = pg_store::open(options);
  if (!store) return named(url, store.error());
  return std::unique_ptr<report_store>(std::move(*store));
}

}  // namespace cryptodash::reports
