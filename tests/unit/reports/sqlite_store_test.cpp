// sqlite_store: the shared report_store contract on a file in a temp dir, then what is SQLite's
// own (pragmas, files that are not databases, paths), and DATABASE_URL parsing.

#include "reports/sqlite_store.h"
#include "reports/open_store.h"
#include "support/process.h"
#include "unit/reports/store_contract.h"

#include <sqlite3.h>

#include <fstream>

namespace cryptodash::reports {
namespace {

using contract::make_report;
using contract::raw_result;
using contract::t0;

// SQL on a connection of its own, as another process would hold it.
class raw_connection {
 public:
  explicit raw_connection(const std::filesystem::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
    sqlite3_busy_timeout(db_, 5000);
  }
  ~raw_connection() { sqlite3_close(db_); }

  raw_result exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    raw_result r{rc == SQLITE_OK, error ? error : ""};
    sqlite3_free(error);
    return r;
  }

  std::string query_text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class sqlite_backend {
 public:
  std::unique_ptr<report_store> open() {
    auto s = sqlite_store::open({file_});
    if (!s) throw std::runtime_error(s.error().message);
    return std::move(*s);
  }
  raw_result exec(const std::string& sql) { return raw_connection(file_).exec(sql); }
  std::int64_t query_int(const std::string& sql) {
    return std::stoll(raw_connection(file_).query_text(sql));
  }
  const std::filesystem::path& file() const { return file_; }

 private:
  testing::temp_dir dir_;
  std::filesystem::path file_ = dir_.path() / "reports.db";
};

}  // namespace

namespace contract {
INSTANTIATE_TYPED_TEST_SUITE_P(sqlite, store_contract, sqlite_backend);
}  // namespace contract

namespace {

TEST(sqlite_store, runs_in_wal_mode_with_foreign_keys_and_creates_missing_directories) {
  testing::temp_dir dir;
  auto file = dir.path() / "a" / "b" / "reports.db";
  auto store = sqlite_store::open({file});
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->migrate());
  ASSERT_TRUE((*store)->insert(make_report("btc", "1d", t0)));
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(raw_connection(file).query_text("PRAGMA journal_mode"), "wal");
  EXPECT_TRUE(std::filesystem::exists(file.string() + "-wal"));
  EXPECT_EQ((*store)->backend(), "sqlite");
}

TEST(sqlite_store, reports_survive_reopening_and_ids_are_not_reused) {
  testing::temp_dir dir;
  auto file = dir.path() / "reports.db";
  std::int64_t first = 0;
  {
    auto store = sqlite_store::open({file});
    ASSERT_TRUE(store && (*store)->migrate());
    first = *(*store)->insert(make_report("btc", "1d", t0));
    ASSERT_TRUE((*store)->insert(make_report("btc", "1d", t0 + 1)));
  }
  // Deleting the newest row by hand does not free its id (AUTOINCREMENT).
  ASSERT_TRUE(
      raw_connection(file).exec("DELETE FROM reports WHERE id = " + std::to_string(first + 1)).ok);
  auto store = sqlite_store::open({file});
  ASSERT_TRUE(store && (*store)->migrate());
  auto got = (*store)->get(first);
  ASSERT_TRUE(got && *got);
  auto next = (*store)->insert(make_report("eth", "1w", t0));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, first + 2);
}

TEST(sqlite_store, a_file_that_is_not_a_database_is_refused_as_corrupt) {
  testing::temp_dir dir;
  auto file = dir.write("reports.db", std::string(8192, 'x'));
  auto store = sqlite_store::open({file});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::errc::corrupt);
  EXPECT_NE(store.error().message.find(file.string()), std::string::npos) << store.error().message;
}

TEST(sqlite_store, a_directory_that_cannot_be_made_is_an_io_error) {
  testing::temp_dir dir;
  auto blocker = dir.write("not-a-dir", "");
  auto store = sqlite_store::open({blocker / "sub" / "reports.db"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::errc::io_error);
  EXPECT_NE(store.error().message.find("cannot create the directory"), std::string::npos)
      << store.error().message;
}

TEST(sqlite_store, a_database_locked_by_another_connection_times_out_and_recovers) {
  testing::temp_dir dir;
  auto file = dir.path() / "reports.db";
  auto store = sqlite_store::open({file, std::chrono::milliseconds(0)});
  ASSERT_TRUE(store && (*store)->migrate());
  raw_connection other(file);
  ASSERT_TRUE(other.exec("BEGIN IMMEDIATE").ok);  // holds the write lock
  auto id = (*store)->insert(make_report("btc", "1d", t0));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), core::errc::timeout);
  EXPECT_FALSE((*store)->stats().healthy);
  EXPECT_TRUE((*store)->count());  // WAL: readers go on while another connection writes
  ASSERT_TRUE(other.exec("ROLLBACK").ok);
  EXPECT_TRUE((*store)->insert(make_report("btc", "1d", t0)));
  EXPECT_TRUE((*store)->stats().healthy);
}

// --- DATABASE_URL -------------------------------------------------------------------------

open_result<database_location> parse(const std::string& url) {
  return parse_database_url(config::credential_url(url));
}

TEST(database_url, sqlite_paths_are_relative_or_absolute) {
  auto rel = parse("sqlite://data/cryptodash.db");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->backend, database_location::kind::sqlite);
  EXPECT_EQ(rel->sqlite_path, "data/cryptodash.db");
  auto abs = parse("sqlite:///var/lib/cryptodash/reports.db");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->sqlite_path, "/var/lib/cryptodash/reports.db");
}

TEST(database_url, empty_is_the_default_sqlite_file) {
  auto d = parse("");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->backend, database_location::kind::sqlite);
  EXPECT_EQ(d->sqlite_path, "data/cryptodash.db");
}

TEST(database_url, postgresql_and_postgres_schemes) {
  for (const char* url : {"postgresql://user:pass@db.example:5432/reports",
                          "postgres://user:pass@127.0.0.1/reports"}) {
    auto p = parse(url);
    ASSERT_TRUE(p) << url;
    EXPECT_EQ(p->backend, database_location::kind::postgresql);
    EXPECT_EQ(p->postgresql.reveal(), url);
  }
}

TEST(database_url, anything_else_is_refused_naming_the_setting_without_the_password) {
  for (const char* url : {"mysql://user:hunter2@host/db", "sqlite:", "sqlite://", "sqlite:///",
                          "reports.db", "http://host/db"}) {
    auto p = parse(url);
    ASSERT_FALSE(p) << url;
    EXPECT_EQ(p.error().code, core::errc::invalid_argument);
    EXPECT_NE(p.error().message.find("DATABASE_URL"), std::string::npos) << p.error().message;
    EXPECT_EQ(p.error().message.find("hunter2"), std::string::npos) << p.error().message;
  }
}

TEST(open_report_store, opens_sqlite_from_the_settings) {
  testing::temp_dir dir;
  config::database_settings settings;
  settings.url = config::credential_url("sqlite://" + (dir.path() / "x" / "r.db").string());
  auto store = open_report_store(settings);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->backend(), "sqlite");
  ASSERT_TRUE((*store)->migrate());
  EXPECT_TRUE((*store)->insert(make_report("btc", "1d", t0)));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "x" / "r.db"));
}

TEST(open_report_store, a_malformed_postgresql_url_is_refused_by_libpq_before_any_connection) {
  config::database_settings settings;
  settings.url = config::credential_url("postgresql://u:hunter2@host/db?no_such_option=1");
  auto store = open_report_store(settings);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::errc::invalid_argument);
  EXPECT_NE(store.error().message.find("DATABASE_URL"), std::string::npos);
  EXPECT_NE(store.error().message.find("no_such_option"), std::string::npos)
      << store.error().message;
  EXPECT_EQ(store.error().message.find("hunter2"), std::string::npos) << store.error().message;
}

TEST(open_report_store, an_unreadable_sqlite_location_names_the_setting) {
  testing::temp_dir dir;
  auto blocker = dir.write("file", "");
  config::database_settings settings;
  settings.url = config::credential_url("sqlite://" + (blocker / "r.db").string());
  auto store = open_report_store(settings);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::errc::io_error);
  EXPECT_TRUE(store.error().message.starts_with("DATABASE_URL")) << store.error().message;
}

}  // namespace
}  // namespace cryptodash::reports
