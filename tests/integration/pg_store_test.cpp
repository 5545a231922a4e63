// pg_store against a real PostgreSQL started by the test: the shared report_store contract
// (the same tests as sqlite_store's), then what is PostgreSQL's own — the pool, reconnection
// after a restart, a server that is down, concurrent migrations.

#include "reports/pg_store.h"
#include "reports/migrations.h"
#include "reports/open_store.h"
#include "support/postgres_server.h"
#include "unit/reports/store_contract.h"

#include <atomic>
#include <thread>

namespace cryptodash::reports {
namespace {

using contract::make_report;
using contract::raw_result;
using contract::t0;

// One server for the contract tests; each test gets a database of its own.
testing::postgres_server& shared_server() {
  static testing::postgres_server server;
  return server;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::unique_ptr<pg_store> open_pg(const std::string& url, int pool_size = 3) {
  pg_options options;
  options.url = config::credential_url(url);
  options.pool_size = pool_size;
  options.acquire_timeout = std::chrono::seconds(10);
  auto s = pg_store::open(options);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

class pg_backend {
 public:
  pg_backend() : name_("contract_" + std::to_string(++count_)) {
    shared_server().create_database(name_);
  }
  ~pg_backend() {
    try {
      shared_server().drop_database(name_);
    } catch (const std::exception&) {
      // the server's temp dir goes with it at exit anyway
    }
  }
  std::unique_ptr<report_store> open() { return open_pg(shared_server().url(name_)); }
  raw_result exec(const std::string& sql) {
    auto r = shared_server().psql(name_, sql);
    return {r.code == 0, r.err};
  }
  std::int64_t query_int(const std::string& sql) {
    auto r = shared_server().psql(name_, sql);
    if (r.code != 0) throw std::runtime_error(r.err);
    return std::stoll(trimmed(r.out));
  }

 private:
  static inline int count_ = 0;
  std::string name_;
};

}  // namespace

namespace contract {
INSTANTIATE_TYPED_TEST_SUITE_P(postgresql, store_contract, pg_backend);
}  // namespace contract

namespace {

TEST(pg_store, reconnects_after_the_server_restarts_and_fails_cleanly_while_it_is_down) {
  testing::postgres_server server;
  auto store = open_pg(server.url(), 2);
  ASSERT_TRUE(store->migrate());
  auto a = store->insert(make_report("btc", "1d", t0));
  ASSERT_TRUE(a);

  // Restarted while the pool held an idle connection: the next calls notice the broken
  // connection before sending anything of theirs, and retry once on a new one.
  server.stop();
  server.start();
  auto b = store->insert(make_report("btc", "1d", t0 + 1));
  ASSERT_TRUE(b) << b.error().message() << ": " << store->stats().last_error;
  EXPECT_GT(*b, *a);
  auto got = store->get(*a);
  ASSERT_TRUE(got && *got);
  EXPECT_TRUE(store->stats().healthy);
  EXPECT_EQ(store->stats().failures, 0u);  // the retries hid the broken connection

  // Down: every call answers at once with unavailable, nothing crashes.
  server.stop();
  for (int i = 0; i < 3; ++i) {
    auto n = store->count();
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error(), core::errc::unavailable);
    auto id = store->insert(make_report("btc", "1d", t0 + 2));
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error(), core::errc::unavailable);
  }
  auto stats = store->stats();
  EXPECT_FALSE(stats.healthy);
  EXPECT_GE(stats.failures, 6u);
  EXPECT_FALSE(stats.last_error.empty());

  // Back: the pool makes new connections; what was stored is still there.
  server.start();
  auto n = store->count();
  ASSERT_TRUE(n) << store->stats().last_error;
  EXPECT_EQ(*n, 2);
  EXPECT_TRUE(store->stats().healthy);
}

TEST(pg_store, a_server_that_is_not_there_gives_unavailable) {
  int port = testing::free_port();  // nothing listens on it
  auto store = open_pg("postgresql://u:p@127.0.0.1:" + std::to_string(port) + "/db");
  auto v = store->migrate();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), core::errc::unavailable);
  auto got = store->get(1);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), core::errc::unavailable);
  EXPECT_FALSE(store->stats().healthy);
  EXPECT_NE(store->stats().last_error.find(std::to_string(port)), std::string::npos)
      << store->stats().last_error;
}

TEST(pg_store, a_wrong_password_gives_unavailable_and_never_shows_the_password) {
  auto& server = shared_server();
  auto url = "postgresql://" + server.user() +
             ":wrong-secret@127.0.0.1:" + std::to_string(server.port()) + "/postgres";
  auto store = open_pg(url);
  auto n = store->count();
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), core::errc::unavailable);
  EXPECT_EQ(store->stats().last_error.find("wrong-secret"), std::string::npos);
  EXPECT_NE(store->stats().last_error.find("password authentication failed"), std::string::npos)
      << store->stats().last_error;
}

TEST(pg_store, stores_migrating_the_same_database_at_once_apply_each_step_once) {
  auto& server = shared_server();
  server.create_database("concurrent_migrate");
  constexpr int stores = 4;
  std::vector<std::unique_ptr<pg_store>> all;
  for (int i = 0; i < stores; ++i) all.push_back(open_pg(server.url("concurrent_migrate"), 1));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (auto& s : all) {
    threads.emplace_back([&ok, &s] {
      if (s->migrate()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), stores);
  auto r = server.psql("concurrent_migrate", "SELECT count(*) FROM schema_version");
  EXPECT_EQ(trimmed(r.out), std::to_string(postgresql_migrations().size()));
  all.clear();
  server.drop_database("concurrent_migrate");
}

TEST(pg_pool, a_caller_waits_for_a_free_connection_then_gives_up) {
  auto& server = shared_server();
  pg_pool pool(server.url(), 1, std::chrono::milliseconds(100));
  auto first = pool.acquire();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->reused());
  EXPECT_FALSE(pool.acquire());  // the only connection is taken: nothing within 100 ms
  first.reset();
  auto again = pool.acquire();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->reused());
  again->discard();  // broken, say: the next caller gets a new connection
  again.reset();
  auto fresh = pool.acquire();
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->reused());
}

TEST(open_report_store, opens_postgresql_from_a_postgres_url) {
  auto& server = shared_server();
  server.create_database("from_settings");
  config::database_settings settings;
  auto url = server.url("from_settings");
  settings.url = config::credential_url("postgres://" + url.substr(url.find("://") + 3));
  settings.pool_size = 2;
  {
    auto store = open_report_store(settings);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ((*store)->backend(), "postgresql");
    ASSERT_TRUE((*store)->migrate());
    auto id = (*store)->insert(make_report("eth", "1w", t0));
    ASSERT_TRUE(id);
    auto latest = (*store)->latest("eth", "1w");
    ASSERT_TRUE(latest && *latest);
    EXPECT_EQ((*latest)->id, *id);
  }
  server.drop_database("from_settings");
}

}  // namespace
}  // namespace cryptodash::reports
