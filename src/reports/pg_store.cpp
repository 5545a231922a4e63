#include "reports/pg_store.h"

#include "reports/migrations.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <string>

namespace cryptodash::reports {
namespace {

using core::errc;

// Serialises migrate() among processes: every step's transaction takes it first.
constexpr std::int64_t migrate_lock_key = 0x6372797074726570;  // "cryptrep"

constexpr const char* created_at_ms = "floor(extract(epoch FROM created_at) * 1000)::bigint";

// Prepared once per connection (pqxx prepares a statement on the server at its first use, so
// a connection made before migrate() is fine).
void prepare_statements(pqxx::connection& c) {
  c.prepare("insert",
            "INSERT INTO reports (symbol, timeframe, created_at, body) "
            "VALUES ($1, $2, TIMESTAMPTZ 'epoch' + $3::bigint * INTERVAL '1 millisecond', $4) "
            "RETURNING id");
  const std::string full =
      fmt::format("SELECT id, symbol, timeframe, {}, body FROM reports ", created_at_ms);
  const std::string summary =
      fmt::format("SELECT id, symbol, timeframe, {} FROM reports ", created_at_ms);
  c.prepare("get", full + "WHERE id = $1");
  c.prepare("latest", full + "WHERE symbol = $1 AND timeframe = $2 ORDER BY id DESC LIMIT 1");
  const char* order = " ORDER BY id DESC LIMIT $2";
  c.prepare("list", summary + "WHERE id < $1" + order);
  c.prepare("list_symbol", summary + "WHERE id < $1 AND symbol = $3" + order);
  c.prepare("list_timeframe", summary + "WHERE id < $1 AND timeframe = $3" + order);
  c.prepare("list_both", summary + "WHERE id < $1 AND symbol = $3 AND timeframe = $4" + order);
  c.prepare("count", "SELECT count(*) FROM reports");
}

errc errc_of_sqlstate(const std::string& state) {
  if (state == "23001") return errc::forbidden;  // restrict_violation: the immutability trigger
  if (state == "57014") return errc::timeout;    // query_canceled (statement_timeout)
  auto cls = state.substr(0, 2);
  if (cls == "22" || cls == "23") return errc::invalid_argument;            // data / integrity
  if (cls == "08" || cls == "53" || cls == "57") return errc::unavailable;  // connection,
  return errc::io_error;  // resources, shutdown; anything else: a failure of the database
}

stored_report report_of(const pqxx::row& row) {
  return {row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
          from_unix_ms(row[3].as<std::int64_t>()), std::string(row[4].c_str(), row[4].size())};
}

std::optional<stored_report> first_report(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return report_of(r[0]);
}

// libpq's own connection timeout unless the URL sets one: a server that does not answer costs
// a call at most that long.
std::string with_connect_timeout(const std::string& url, std::chrono::seconds timeout) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  return fmt::format("{}{}connect_timeout={}", url, sep, timeout.count());
}

}  // namespace

open_result<std::unique_ptr<pg_store>> pg_store::open(const pg_options& options) {
  const std::string& url = options.url.reveal();
  char* why = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &why);
  if (parsed == nullptr) {
    std::string message = why ? why : "out of memory";
    PQfreemem(why);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return open_error{make_error_code(errc::invalid_argument),
                      fmt::format("PostgreSQL URL \"{}\": {}", options.url.redacted(), message)};
  }
  PQconninfoFree(parsed);
  return std::unique_ptr<pg_store>(
      new pg_store(with_connect_timeout(url, options.connect_timeout), options));
}

pg_store::pg_store(std::string conninfo, const pg_options& options)
    : pool_(std::move(conninfo), static_cast<std::size_t>(options.pool_size),
            options.acquire_timeout) {}

pg_store::~pg_store() = default;

template <class R, class F>
core::result<R> pg_store::run(retry policy, F&& work) noexcept {
  auto fail = [&](errc why, std::string_view message) -> core::result<R> {
    health_.failed(why, message);
    return core::result<R>(boost::system::in_place_error, make_error_code(why));
  };
  for (int attempt = 0;; ++attempt) {
    bool sent = false;
    try {
      auto lease = pool_.acquire();
      if (!lease) {
        return fail(errc::timeout,
                    fmt::format("no free connection among {} within the wait", pool_.size()));
      }
      try {
        if (!lease->reused()) prepare_statements(lease->connection());
        pqxx::work txn(lease->connection());
        R value = work(txn, sent);
        sent = true;
        txn.commit();
        health_.succeeded();
        return value;
      } catch (const pqxx::broken_connection&) {
        lease->discard();
        bool again = attempt == 0 && lease->reused() && (policy == retry::safe || !sent);
        if (again) continue;
        throw;
      } catch (const pqxx::in_doubt_error&) {
        lease->discard();
        throw;
      } catch (const pqxx::sql_error& e) {
        if (errc_of_sqlstate(e.sqlstate()) == errc::unavailable) lease->discard();
        throw;
      } catch (...) {
        lease->discard();  // its state is unknown
        throw;
      }
    } catch (const pqxx::broken_connection& e) {
      return fail(errc::unavailable, e.what());
    } catch (const pqxx::in_doubt_error& e) {
      return fail(errc::unavailable, fmt::format("commit outcome unknown: {}", e.what()));
    } catch (const pqxx::sql_error& e) {
      return fail(errc_of_sqlstate(e.sqlstate()), e.what());
    } catch (const std::exception& e) {
      return fail(errc::io_error, e.what());
    }
  }
}

core::result<int> pg_store::migrate() noexcept {
  auto current = [](pqxx::work& txn) {
    return txn.exec("SELECT coalesce(max(version), 0) FROM schema_version")[0][0].as<int>();
  };
  auto lock = [](pqxx::work& txn) {
    txn.exec_params("SELECT pg_advisory_xact_lock($1)", migrate_lock_key);
  };
  auto created = run<int>(retry::safe, [&](pqxx::work& txn, bool&) {
    lock(txn);
    txn.exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "  version     INTEGER PRIMARY KEY,"
        "  description TEXT NOT NULL,"
        "  applied_at  TIMESTAMPTZ NOT NULL DEFAULT now())");
    return current(txn);
  });
  if (!created) return created.error();
  const auto steps = postgresql_migrations();
  for (const auto& m : steps) {
    // Each step re-reads the version under the lock: another process may have applied it.
    auto applied = run<bool>(retry::safe, [&](pqxx::work& txn, bool&) {
      lock(txn);
      if (current(txn) >= m.version) return false;
      txn.exec(std::string(m.sql));
      txn.exec_params("INSERT INTO schema_version (version, description) VALUES ($1, $2)",
                      m.version, std::string(m.description));
      return true;
    });
    if (!applied) return applied.error();
    if (*applied) {
      spdlog::info("reports postgresql: applied schema version {} ({})", m.version, m.description);
    }
  }
  auto version = run<int>(retry::safe, [&](pqxx::work& txn, bool&) { return current(txn); });
  if (version && *version > steps.back().version) {
    health_.failed(errc::corrupt,
                   fmt::format("schema version {} is newer than this program knows ({})", *version,
                               steps.back().version));
    return make_error_code(errc::corrupt);
  }
  return version;
}

core::result<std::int64_t> pg_store::insert(const new_report& report) noexcept {
  try {
    auto key = checked(report);
    if (!key) return key.error();
    return run<std::int64_t>(retry::before_send, [&](pqxx::work& txn, bool& sent) {
      sent = true;
      return txn
          .exec_prepared1("insert", key->symbol, key->timeframe, to_unix_ms(report.created_at),
                          report.body)[0]
          .as<std::int64_t>();
    });
  } catch (const std::exception&) {  // allocation failure while checking
    return make_error_code(errc::io_error);
  }
}

core::result<std::optional<stored_report>> pg_store::get(std::int64_t id) noexcept {
  return run<std::optional<stored_report>>(retry::safe, [&](pqxx::work& txn, bool&) {
    return first_report(txn.exec_prepared("get", id));
  });
}

core::result<std::optional<stored_report>> pg_store::latest(std::string_view symbol,
                                                            std::string_view timeframe) noexcept {
  try {
    auto sym = checked_symbol(symbol);
    if (!sym) return sym.error();
    auto tf = checked_timeframe(timeframe);
    if (!tf) return tf.error();
    return run<std::optional<stored_report>>(retry::safe, [&](pqxx::work& txn, bool&) {
      return first_report(txn.exec_prepared("latest", *sym, *tf));
    });
  } catch (const std::exception&) {
    return make_error_code(errc::io_error);
  }
}

core::result<report_page> pg_store::list(const page_request& request) noexcept {
  try {
    auto page = checked(request);
    if (!page) return page.error();
    return run<report_page>(retry::safe, [&](pqxx::work& txn, bool&) {
      std::int64_t before = page->before_id.value_or(INT64_MAX);
      std::int64_t limit = page->limit + 1;  // one more tells whether a next page exists
      pqxx::result rows;
      if (page->symbol && page->timeframe) {
        rows = txn.exec_prepared("list_both", before, limit, *page->symbol, *page->timeframe);
      } else if (page->symbol) {
        rows = txn.exec_prepared("list_symbol", before, limit, *page->symbol);
      } else if (page->timeframe) {
        rows = txn.exec_prepared("list_timeframe", before, limit, *page->timeframe);
      } else {
        rows = txn.exec_prepared("list", before, limit);
      }
      report_page out;
      for (const auto& row : rows) {
        if (out.items.size() == static_cast<std::size_t>(page->limit)) {
          out.next_before_id = out.items.back().id;
          break;
        }
        out.items.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(),
                             row[2].as<std::string>(), from_unix_ms(row[3].as<std::int64_t>())});
      }
      return out;
    });
  } catch (const std::exception&) {
    return make_error_code(errc::io_error);
  }
}

core::result<std::int64_t> pg_store::count() noexcept {
  return run<std::int64_t>(retry::safe, [&](pqxx::work& txn, bool&) {
    return txn.exec_prepared1("count")[0].as<std::int64_t>();
  });
}

}  // namespace cryptodash::reports
