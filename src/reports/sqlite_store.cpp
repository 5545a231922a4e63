#include "reports/sqlite_store.h"

#include <fmt/format.h>
#include <fmt/std.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <string>

namespace cryptodash::reports {
namespace {

using core::errc;

// By sqlite_store::query. Named parameters, so that a listing binds only the filters it has.
constexpr const char* query_sql[] = {
    "INSERT INTO reports (symbol, timeframe, created_at_ms, body) "
    "VALUES (:symbol, :timeframe, :created_at_ms, :body) RETURNING id",
    "SELECT id, symbol, timeframe, created_at_ms, body FROM reports WHERE id = :id",
    "SELECT id, symbol, timeframe, created_at_ms, body FROM reports "
    "WHERE symbol = :symbol AND timeframe = :timeframe ORDER BY id DESC LIMIT 1",
    "SELECT id, symbol, timeframe, created_at_ms FROM reports "
    "WHERE id < :before ORDER BY id DESC LIMIT :limit",
    "SELECT id, symbol, timeframe, created_at_ms FROM reports "
    "WHERE id < :before AND symbol = :symbol ORDER BY id DESC LIMIT :limit",
    "SELECT id, symbol, timeframe, created_at_ms FROM reports "
    "WHERE id < :before AND timeframe = :timeframe ORDER BY id DESC LIMIT :limit",
    "SELECT id, symbol, timeframe, created_at_ms FROM reports "
    "WHERE id < :before AND symbol = :symbol AND timeframe = :timeframe "
    "ORDER BY id DESC LIMIT :limit",
    "SELECT count(*) FROM reports",
};

constexpr const char* schema_version_table =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "  version     INTEGER PRIMARY KEY,"
    "  description TEXT NOT NULL,"
    "  applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";

errc errc_of(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return errc::timeout;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return errc::corrupt;
    case SQLITE_CONSTRAINT:
      return rc == SQLITE_CONSTRAINT_TRIGGER ? errc::forbidden : errc::invalid_argument;
    default: return errc::io_error;
  }
}

// Resets a statement and drops its bindings when a call is done with it, however it ends.
class statement_use {
 public:
  explicit statement_use(sqlite3_stmt* s) noexcept : s_(s) {}
  ~statement_use() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  statement_use(const statement_use&) = delete;
  statement_use& operator=(const statement_use&) = delete;

  // Binds by name; a name the statement does not have is skipped. The text must outlive the
  // statement's use (SQLITE_STATIC: a 4 MiB body is not copied).
  void bind(const char* name, std::string_view text) noexcept {
    if (int i = sqlite3_bind_parameter_index(s_, name); i > 0) {
      sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    }
  }
  void bind(const char* name, std::int64_t v) noexcept {
    if (int i = sqlite3_bind_parameter_index(s_, name); i > 0) sqlite3_bind_int64(s_, i, v);
  }

 private:
  sqlite3_stmt* s_;
};

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

report_summary summary_of(sqlite3_stmt* s) {
  return {sqlite3_column_int64(s, 0), column_text(s, 1), column_text(s, 2),
          from_unix_ms(sqlite3_column_int64(s, 3))};
}

}  // namespace

void sqlite_store::db_closer::operator()(sqlite3* db) const noexcept {
  sqlite3_close_v2(db);
}

void sqlite_store::statement_finalizer::operator()(sqlite3_stmt* s) const noexcept {
  sqlite3_finalize(s);
}

open_result<std::unique_ptr<sqlite_store>> sqlite_store::open(const sqlite_options& options) {
  const auto& path = options.path;
  auto fail = [&](errc why, std::string what) {
    return open_error{make_error_code(why),
                      fmt::format("SQLite database {}: {}", path.string(), what)};
  };
  try {
    if (path.empty()) return fail(errc::invalid_argument, "no file name");
    if (auto parent = path.parent_path(); !parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return fail(errc::io_error, fmt::format("cannot create the directory {}: {}",
                                                parent.string(), ec.message()));
      }
    }
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(
        path.c_str(), &raw,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
        nullptr);
    std::unique_ptr<sqlite3, db_closer> db(raw);  // closed on every early return
    if (rc != SQLITE_OK) {
      return fail(errc_of(rc), fmt::format("cannot open it: {}",
                                           raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
    // journal_mode answers with the mode now in force; it is also the first read of the file,
    // where a file that is not a database shows.
    std::string mode;
    auto keep_mode = [](void* out, int, char** values, char**) {
      *static_cast<std::string*>(out) = values[0] ? values[0] : "";
      return 0;
    };
    rc = sqlite3_exec(db.get(), "PRAGMA journal_mode = WAL", keep_mode, &mode, nullptr);
    for (const char* pragma : {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
      if (rc != SQLITE_OK) break;
      rc = sqlite3_exec(db.get(), pragma, nullptr, nullptr, nullptr);
    }
    if (rc != SQLITE_OK) return fail(errc_of(rc), sqlite3_errmsg(db.get()));
    if (mode != "wal") {
      spdlog::warn("reports sqlite: {} stays in journal mode \"{}\" (WAL refused)", path.string(),
                   mode);
    }
    return std::unique_ptr<sqlite_store>(new sqlite_store(path, db.release()));
  } catch (const std::exception& e) {
    return fail(errc::io_error, e.what());
  }
}

sqlite_store::sqlite_store(std::filesystem::path path, sqlite3* db)
    : path_(std::move(path)), db_(db) {}

sqlite_store::~sqlite_store() {
  for (auto& s : statements_) s.reset();  // before the connection closes
}

template <class F>
auto sqlite_store::guarded(F&& f) noexcept -> decltype(f()) {
  try {
    std::lock_guard lock(mutex_);
    auto r = f();
    if (r) health_.succeeded();
    return r;
  } catch (const std::exception& e) {
    health_.failed(errc::io_error, e.what());
    return make_error_code(errc::io_error);
  }
}

boost::system::error_code sqlite_store::failure(int rc) {
  auto why = errc_of(rc);
  health_.failed(why, fmt::format("{} ({})", sqlite3_errmsg(db_.get()), sqlite3_errstr(rc)));
  return make_error_code(why);
}

core::result<sqlite3_stmt*> sqlite_store::prepared(query q) {
  auto& slot = statements_[static_cast<std::size_t>(q)];
  if (!slot) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), query_sql[static_cast<std::size_t>(q)], -1,
                                SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) return failure(rc);  // e.g. no table yet: tried again next call
    slot.reset(s);
  }
  return slot.get();
}

core::result<void> sqlite_store::exec(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return failure(rc);
  return {};
}

core::result<int> sqlite_store::schema_version() {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), "SELECT coalesce(max(version), 0) FROM schema_version", -1,
                              &raw, nullptr);
  statement_ptr s(raw);
  if (rc != SQLITE_OK) return failure(rc);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return failure(rc);
  return sqlite3_column_int(s.get(), 0);
}

core::result<void> sqlite_store::apply(const migration& m) {
  // BEGIN IMMEDIATE takes the write lock first, so that two processes migrating at once apply
  // each step once: the second waits (busy timeout), then sees the step done.
  if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
  auto rollback = [&] { sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr); };
  auto current = schema_version();
  if (!current) {
    rollback();
    return current.error();
  }
  if (*current >= m.version) {
    rollback();
    return {};
  }
  if (auto r = exec(std::string(m.sql).c_str()); !r) {
    rollback();
    return r;
  }
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(),
                              "INSERT INTO schema_version (version, description) VALUES (?1, ?2)",
                              -1, &raw, nullptr);
  statement_ptr s(raw);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int(s.get(), 1, m.version);
    sqlite3_bind_text(s.get(), 2, m.description.data(), static_cast<int>(m.description.size()),
                      SQLITE_STATIC);
    rc = sqlite3_step(s.get());
  }
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    auto ec = failure(rc);
    rollback();
    return ec;
  }
  if (auto r = exec("COMMIT"); !r) {
    rollback();
    return r;
  }
  spdlog::info("reports sqlite: {}: applied schema version {} ({})", path_.string(), m.version,
               m.description);
  return {};
}

core::result<int> sqlite_store::migrate() noexcept {
  return guarded([&]() -> core::result<int> {
    if (auto r = exec(schema_version_table); !r) return r.error();
    for (const auto& m : sqlite_migrations()) {
      if (auto r = apply(m); !r) return r.error();
    }
    auto version = schema_version();
    if (version && *version > sqlite_migrations().back().version) {
      health_.failed(errc::corrupt,
                     fmt::format("{}: schema version {} is newer than this program knows ({})",
                                 path_.string(), *version, sqlite_migrations().back().version));
      return make_error_code(errc::corrupt);
    }
    return version;
  });
}

core::result<std::int64_t> sqlite_store::insert(const new_report& report) noexcept {
  return guarded([&]() -> core::result<std::int64_t> {
    auto key = checked(report);
    if (!key) return key.error();
    auto s = prepared(query::insert);
    if (!s) return s.error();
    statement_use use(*s);
    use.bind(":symbol", key->symbol);
    use.bind(":timeframe", key->timeframe);
    use.bind(":created_at_ms", to_unix_ms(report.created_at));
    use.bind(":body", report.body);
    int rc = sqlite3_step(*s);
    if (rc != SQLITE_ROW) return failure(rc);
    std::int64_t id = sqlite3_column_int64(*s, 0);
    rc = sqlite3_step(*s);  // runs the statement to its end: the insert is done
    if (rc != SQLITE_DONE) return failure(rc);
    return id;
  });
}

core::result<std::optional<stored_report>> sqlite_store::one_report(sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<stored_report>();
  if (rc != SQLITE_ROW) return failure(rc);
  auto summary = summary_of(s);
  return std::optional<stored_report>(stored_report{summary.id, std::move(summary.symbol),
                                                    std::move(summary.timeframe),
                                                    summary.created_at, column_text(s, 4)});
}

core::result<std::optional<stored_report>> sqlite_store::get(std::int64_t id) noexcept {
  return guarded([&]() -> core::result<std::optional<stored_report>> {
    auto s = prepared(query::get);
    if (!s) return s.error();
    statement_use use(*s);
    use.bind(":id", id);
    return one_report(*s);
  });
}

core::result<std::optional<stored_report>> sqlite_store::latest(
    std::string_view symbol, std::string_view timeframe) noexcept {
  return guarded([&]() -> core::result<std::optional<stored_report>> {
    auto sym = checked_symbol(symbol);
    if (!sym) return sym.error();
    auto tf = checked_timeframe(timeframe);
    if (!tf) return tf.error();
    auto s = prepared(query::latest);
    if (!s) return s.error();
    statement_use use(*s);
    use.bind(":symbol", *sym);
    use.bind(":timeframe", *tf);
    return one_report(*s);
  });
}

core::result<report_page> sqlite_store::list(const page_request& request) noexcept {
  return guarded([&]() -> core::result<report_page> {
    auto page = checked(request);
    if (!page) return page.error();
    auto q = page->symbol ? (page->timeframe ? query::list_both : query::list_symbol)
                          : (page->timeframe ? query::list_timeframe : query::list);
    auto s = prepared(q);
    if (!s) return s.error();
    statement_use use(*s);
    use.bind(":before", page->before_id.value_or(INT64_MAX));
    use.bind(":limit", std::int64_t{page->limit} + 1);  // one more tells whether a next page exists
    if (page->symbol) use.bind(":symbol", *page->symbol);
    if (page->timeframe) use.bind(":timeframe", *page->timeframe);
    report_page out;
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      if (out.items.size() == static_cast<std::size_t>(page->limit)) {
        out.next_before_id = out.items.back().id;
        break;
      }
      out.items.push_back(summary_of(*s));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failure(rc);
    return out;
  });
}

core::result<std::int64_t> sqlite_store::count() noexcept {
  return guarded([&]() -> core::result<std::int64_t> {
    auto s = prepared(query::count);
    if (!s) return s.error();
    statement_use use(*s);
    int rc = sqlite3_step(*s);
    if (rc != SQLITE_ROW) return failure(rc);
    return sqlite3_column_int64(*s, 0);
  });
}

}  // namespace cryptodash::reports
