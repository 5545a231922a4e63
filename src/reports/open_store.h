#pragma once

#include "config/secret.h"
#include "config/settings.h"
#include "reports/open_error.h"
#include "reports/report_store.h"

#include <filesystem>
#include <memory>

namespace cryptodash::reports {

/// Where the reports live, as DATABASE_URL (setting database.url) names it.
struct database_location {
  enum class kind { sqlite, postgresql };
  kind backend = kind::sqlite;
  std::filesystem::path sqlite_path;  ///< sqlite: relative to the working directory, or absolute
  config::credential_url postgresql;  ///< postgresql: the URL as given (libpq reads it)
};

/// Reads `sqlite://relative/path`, `sqlite:///absolute/path`, `postgresql://user:password@host:
/// port/db` or `postgres://…`. An empty URL is the default, database_settings{}.url
/// (sqlite://data/cryptodash.db). Anything else is errc::invalid_argument with a message that
/// names DATABASE_URL and shows the URL with its password redacted.
open_result<database_location> parse_database_url(const config::credential_url& url);

/// Opens the report store that database.url names: SQLite (creating the file and its
/// directories) or PostgreSQL with database.pool_size connections (made on first use). Does not
/// migrate: call migrate() next. Errors: those of parse_database_url, sqlite_store::open and
/// pg_store::open, each message prefixed with the setting and the redacted URL.
open_result<std::unique_ptr<report_store>> open_report_store(
    const config::database_settings& settings);

}  // namespace cryptodash::reports
