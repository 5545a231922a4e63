#pragma once

// The contract of report_store (src/reports/report_store.h), written once and run against each
// backend: sqlite_store in tests/unit/reports/sqlite_store_test.cpp, pg_store against a real
// PostgreSQL in tests/integration/pg_store_test.cpp.
//
// A Backend type provides:
//   Backend();                                   a new, empty database
//   std::unique_ptr<report_store> open();        a store on it (may be called more than once)
//   raw_result exec(const std::string& sql);     SQL on a connection of its own, past the store
//   std::int64_t query_int(const std::string& sql);   the first column of the first row

#include "reports/async_report_store.h"
#include "reports/blocking_pool.h"
#include "reports/report_store.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cryptodash::reports::contract {

struct raw_result {
  bool ok = false;
  std::string error;  ///< the database's message when !ok
};

inline core::time_point at_ms(std::int64_t ms) {
  return from_unix_ms(ms);
}

inline new_report make_report(std::string symbol, std::string timeframe, std::int64_t ms,
                              std::string body = R"({"price": 64321.5})") {
  return {std::move(symbol), std::move(timeframe), at_ms(ms), std::move(body)};
}

inline constexpr std::int64_t t0 = 1'790'000'000'123;  // 2026-09-21T…, whole milliseconds

inline std::vector<std::int64_t> ids_of(const report_page& page) {
  std::vector<std::int64_t> ids;
  for (const auto& s : page.items) ids.push_back(s.id);
  return ids;
}

template <class Backend>
class store_contract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = backend_.open();
    ASSERT_TRUE(store_);
    auto v = store_->migrate();
    ASSERT_TRUE(v) << v.error().message() << ": " << store_->stats().last_error;
  }

  std::int64_t insert(const new_report& r) {
    auto id = store_->insert(r);
    EXPECT_TRUE(id) << id.error().message() << ": " << store_->stats().last_error;
    return id ? *id : 0;
  }

  // Inserts `n` reports for btc/1d and returns their ids in insertion order.
  std::vector<std::int64_t> insert_many(int n, const std::string& symbol = "btc",
                                        const std::string& timeframe = "1d") {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back(insert(make_report(symbol, timeframe, t0 + i)));
    return ids;
  }

  report_page list(page_request p) {
    auto r = store_->list(p);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : report_page{};
  }

  Backend backend_;
  std::unique_ptr<report_store> store_;
};

TYPED_TEST_SUITE_P(store_contract);

TYPED_TEST_P(store_contract, migrate_is_idempotent_and_records_each_version_once) {
  auto first = this->store_->migrate();
  auto second = this->store_->migrate();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  EXPECT_GE(*first, 2);
  EXPECT_EQ(this->backend_.query_int("SELECT count(*) FROM schema_version"), *first);
  EXPECT_EQ(this->backend_.query_int("SELECT max(version) FROM schema_version"), *first);
}

TYPED_TEST_P(store_contract, a_second_store_on_the_same_database_finds_the_schema_in_place) {
  auto id = this->insert(make_report("btc", "1d", t0));
  auto other = this->backend_.open();
  auto v = other->migrate();
  ASSERT_TRUE(v);
  EXPECT_EQ(this->backend_.query_int("SELECT count(*) FROM schema_version"), *v);
  auto got = other->get(id);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->id, id);
}

TYPED_TEST_P(store_contract, migrate_refuses_a_schema_newer_than_the_program) {
  ASSERT_TRUE(
      this->backend_.exec("INSERT INTO schema_version (version, description) VALUES (999, 'x')")
          .ok);
  auto v = this->store_->migrate();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), core::errc::corrupt);
  EXPECT_NE(this->store_->stats().last_error.find("999"), std::string::npos);
}

TYPED_TEST_P(store_contract, insert_then_get_returns_the_report_byte_for_byte) {
  // Opaque body: spacing, key order, escapes and Vietnamese text are kept as they are.
  std::string body = "{ \"z\": 1,\n  \"a\" : \"Gi\xC3\xA1 t\xC4\x83ng \\u0041\", \"n\": 1.50 }";
  auto id = this->insert(make_report("btc", "1w", t0, body));
  ASSERT_GT(id, 0);
  auto got = this->store_->get(id);
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, (stored_report{id, "btc", "1w", at_ms(t0), body}));
}

TYPED_TEST_P(store_contract, created_at_keeps_milliseconds_and_drops_less) {
  auto t = at_ms(t0) + std::chrono::microseconds(999);
  auto id = this->insert(new_report{"eth", "1d", t, "{}"});
  auto got = this->store_->get(id);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->created_at, at_ms(t0));
  EXPECT_EQ(to_unix_ms((*got)->created_at), t0);
}

TYPED_TEST_P(store_contract, a_large_body_round_trips) {
  std::string body = "[" + std::string(max_body_bytes - 2, ' ') + "]";
  auto id = this->insert(make_report("btc", "1d", t0, body));
  auto got = this->store_->get(id);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->body, body);
}

TYPED_TEST_P(store_contract, ids_are_positive_and_increase) {
  auto ids = this->insert_many(5);
  EXPECT_GT(ids.front(), 0);
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
}

TYPED_TEST_P(store_contract, get_of_an_unknown_id_is_none) {
  auto id = this->insert(make_report("btc", "1d", t0));
  for (std::int64_t unknown : {id + 1, std::int64_t{0}, std::int64_t{-1}, INT64_MAX}) {
    auto got = this->store_->get(unknown);
    ASSERT_TRUE(got) << unknown;
    EXPECT_FALSE(got->has_value()) << unknown;
  }
}

TYPED_TEST_P(store_contract, latest_is_the_newest_of_its_symbol_and_timeframe) {
  auto none = this->store_->latest("btc", "1d");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto a = this->insert(make_report("btc", "1d", t0));
  auto b = this->insert(make_report("btc", "1w", t0 + 1));
  auto c = this->insert(make_report("eth", "1d", t0 + 2));
  // Newest means last inserted, whatever created_at says.
  auto d = this->insert(make_report("btc", "1d", t0 - 1000));

  auto latest = [&](const char* s, const char* tf) {
    auto r = this->store_->latest(s, tf);
    EXPECT_TRUE(r && *r) << s << " " << tf;
    return r && *r ? (*r)->id : 0;
  };
  EXPECT_EQ(latest("btc", "1d"), d);
  EXPECT_EQ(latest("btc", "1w"), b);
  EXPECT_EQ(latest("eth", "1d"), c);
  EXPECT_EQ(latest("BTC", "1D"), d);  // lowercased like the API's symbols
  EXPECT_NE(a, d);
  auto missing = this->store_->latest("eth", "1w");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TYPED_TEST_P(store_contract, latest_refuses_a_bad_symbol_or_timeframe) {
  for (auto [s, tf] :
       {std::pair{"btc!", "1d"}, std::pair{"", "1d"}, std::pair{"abcdefghijklmnop", "1d"},
        std::pair{"btc", "1m"}, std::pair{"btc", ""}}) {
    auto r = this->store_->latest(s, tf);
    ASSERT_FALSE(r) << s << " " << tf;
    EXPECT_EQ(r.error(), core::errc::invalid_argument);
  }
}

TYPED_TEST_P(store_contract, symbol_and_timeframe_are_stored_lowercased) {
  auto id = this->insert(make_report("SoL", "1W", t0));
  auto got = this->store_->get(id);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->symbol, "sol");
  EXPECT_EQ((*got)->timeframe, "1w");
}

TYPED_TEST_P(store_contract, list_pages_newest_first_with_keyset_cursors) {
  auto ids = this->insert_many(7);
  auto p1 = this->list({.limit = 3});
  EXPECT_EQ(ids_of(p1), (std::vector{ids[6], ids[5], ids[4]}));
  ASSERT_TRUE(p1.next_before_id);
  EXPECT_EQ(*p1.next_before_id, ids[4]);
  auto p2 = this->list({.limit = 3, .before_id = p1.next_before_id});
  EXPECT_EQ(ids_of(p2), (std::vector{ids[3], ids[2], ids[1]}));
  ASSERT_TRUE(p2.next_before_id);
  auto p3 = this->list({.limit = 3, .before_id = p2.next_before_id});
  EXPECT_EQ(ids_of(p3), (std::vector{ids[0]}));
  EXPECT_FALSE(p3.next_before_id);

  const auto& s = p1.items.front();
  EXPECT_EQ(s, (report_summary{ids[6], "btc", "1d", at_ms(t0 + 6)}));
}

TYPED_TEST_P(store_contract, a_page_that_ends_the_listing_exactly_has_no_cursor) {
  auto ids = this->insert_many(4);
  auto p1 = this->list({.limit = 2});
  ASSERT_TRUE(p1.next_before_id);
  auto p2 = this->list({.limit = 2, .before_id = p1.next_before_id});
  EXPECT_EQ(ids_of(p2), (std::vector{ids[1], ids[0]}));
  EXPECT_FALSE(p2.next_before_id);
  auto all = this->list({.limit = 4});
  EXPECT_EQ(all.items.size(), 4u);
  EXPECT_FALSE(all.next_before_id);
}

TYPED_TEST_P(store_contract, pages_neither_skip_nor_repeat_when_reports_arrive_between_them) {
  auto ids = this->insert_many(4);
  auto p1 = this->list({.limit = 2});
  this->insert_many(3);  // newer than every listed one
  auto p2 = this->list({.limit = 2, .before_id = p1.next_before_id});
  EXPECT_EQ(ids_of(p2), (std::vector{ids[1], ids[0]}));
}

TYPED_TEST_P(store_contract, list_filters_by_symbol_timeframe_or_both) {
  auto b1 = this->insert(make_report("btc", "1d", t0));
  auto e1 = this->insert(make_report("eth", "1d", t0));
  auto b2 = this->insert(make_report("btc", "1w", t0));
  auto b3 = this->insert(make_report("btc", "1d", t0));
  auto e2 = this->insert(make_report("eth", "1w", t0));

  EXPECT_EQ(ids_of(this->list({.limit = 10, .symbol = "btc"})), (std::vector{b3, b2, b1}));
  EXPECT_EQ(ids_of(this->list({.limit = 10, .symbol = "ETH"})), (std::vector{e2, e1}));
  EXPECT_EQ(ids_of(this->list({.limit = 10, .timeframe = "1w"})), (std::vector{e2, b2}));
  EXPECT_EQ(ids_of(this->list({.limit = 10, .symbol = "btc", .timeframe = "1d"})),
            (std::vector{b3, b1}));
  EXPECT_TRUE(this->list({.limit = 10, .symbol = "sol"}).items.empty());

  auto p1 = this->list({.limit = 1, .symbol = "btc", .timeframe = "1d"});
  EXPECT_EQ(ids_of(p1), (std::vector{b3}));
  ASSERT_TRUE(p1.next_before_id);
  auto p2 =
      this->list({.limit = 1, .before_id = p1.next_before_id, .symbol = "btc", .timeframe = "1d"});
  EXPECT_EQ(ids_of(p2), (std::vector{b1}));
  EXPECT_FALSE(p2.next_before_id);
}

TYPED_TEST_P(store_contract, list_refuses_bad_limits_cursors_and_filters) {
  this->insert_many(2);
  for (page_request bad :
       {page_request{.limit = 0}, page_request{.limit = -1},
        page_request{.limit = max_page_limit + 1}, page_request{.limit = 5, .before_id = 0},
        page_request{.limit = 5, .before_id = -7}, page_request{.limit = 5, .symbol = "b-t-c"},
        page_request{.limit = 5, .timeframe = "1h"}}) {
    auto r = this->store_->list(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), core::errc::invalid_argument);
  }
  EXPECT_EQ(this->list({.limit = max_page_limit}).items.size(), 2u);
  EXPECT_EQ(this->list({.limit = 1}).items.size(), 1u);
}

TYPED_TEST_P(store_contract, an_empty_store_lists_an_empty_last_page_and_counts_zero) {
  auto page = this->list({});
  EXPECT_TRUE(page.items.empty());
  EXPECT_FALSE(page.next_before_id);
  auto n = this->store_->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

TYPED_TEST_P(store_contract, count_counts_every_report) {
  this->insert_many(3, "btc", "1d");
  this->insert_many(2, "eth", "1w");
  auto n = this->store_->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 5);
}

TYPED_TEST_P(store_contract, bad_reports_are_refused_and_nothing_is_stored) {
  struct bad {
    new_report report;
    core::errc why;
  };
  const std::vector<bad> cases = {
      {make_report("btc!", "1d", t0), core::errc::invalid_argument},
      {make_report("", "1d", t0), core::errc::invalid_argument},
      {make_report("abcdefghijklmnop", "1d", t0), core::errc::invalid_argument},
      {make_report("btc", "1h", t0), core::errc::invalid_argument},
      {make_report("btc", "1d", t0, ""), core::errc::invalid_argument},
      {make_report("btc", "1d", t0, std::string("{\"a\":\"\0\"}", 9)),
       core::errc::invalid_argument},
      {make_report("btc", "1d", t0, "{\"a\":\"\xC3\"}"), core::errc::invalid_argument},
      {make_report("btc", "1d", t0, "{\"a\":\"\xED\xA0\x80\"}"), core::errc::invalid_argument},
      {make_report("btc", "1d", t0, std::string(max_body_bytes + 1, ' ')), core::errc::too_large},
      {new_report{"btc", "1d", core::time_point{}, "{}"}, core::errc::invalid_argument},
  };
  for (const auto& c : cases) {
    auto r = this->store_->insert(c.report);
    ASSERT_FALSE(r) << c.report.symbol << " " << c.report.timeframe;
    EXPECT_EQ(r.error(), c.why) << c.report.symbol;
  }
  auto n = this->store_->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(this->store_->stats().failures, 0u);  // refused input is not a database failure
}

TYPED_TEST_P(store_contract, the_database_refuses_to_update_a_stored_report) {
  auto id = this->insert(make_report("btc", "1d", t0, "{\"v\":1}"));
  auto raw =
      this->backend_.exec("UPDATE reports SET body = '{\"v\":2}' WHERE id = " + std::to_string(id));
  EXPECT_FALSE(raw.ok);
  EXPECT_NE(raw.error.find("immutable"), std::string::npos) << raw.error;
  auto sym = this->backend_.exec("UPDATE reports SET symbol = 'eth'");
  EXPECT_FALSE(sym.ok);
  auto got = this->store_->get(id);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->body, "{\"v\":1}");
  EXPECT_EQ((*got)->symbol, "btc");
}

TYPED_TEST_P(store_contract, a_store_used_before_migrate_answers_with_an_error) {
  TypeParam fresh;
  auto store = fresh.open();
  auto id = store->insert(make_report("btc", "1d", t0));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), core::errc::io_error);
  EXPECT_FALSE(store->stats().healthy);
  EXPECT_EQ(store->stats().failures, 1u);
  EXPECT_FALSE(store->stats().last_error.empty());
  ASSERT_FALSE(store->list({}));
  // Migrating afterwards mends it.
  ASSERT_TRUE(store->migrate());
  EXPECT_TRUE(store->insert(make_report("btc", "1d", t0)));
  EXPECT_TRUE(store->stats().healthy);
}

TYPED_TEST_P(store_contract, concurrent_inserts_get_distinct_ids) {
  constexpr int threads = 6, per_thread = 20;
  std::vector<std::vector<std::int64_t>> ids(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto id = this->store_->insert(make_report(t % 2 ? "eth" : "btc", "1d", t0 + i));
        if (id) ids[t].push_back(*id);
        auto read = this->store_->latest(t % 2 ? "eth" : "btc", "1d");
        EXPECT_TRUE(read && *read);
      }
    });
  }
  for (auto& w : workers) w.join();
  std::set<std::int64_t> distinct;
  for (const auto& v : ids) {
    EXPECT_EQ(v.size(), static_cast<std::size_t>(per_thread));
    for (std::size_t i = 1; i < v.size(); ++i) EXPECT_GT(v[i], v[i - 1]);  // per thread
    distinct.insert(v.begin(), v.end());
  }
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(threads * per_thread));
  auto n = this->store_->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, threads * per_thread);
}

TYPED_TEST_P(store_contract, coroutines_await_store_calls_on_the_pool_and_resume_at_home) {
  boost::asio::io_context io;
  blocking_pool pool(2);
  async_report_store async_store(*this->store_, pool);
  std::thread::id io_thread;
  bool done = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        io_thread = std::this_thread::get_id();
        auto id = co_await async_store.insert(make_report("btc", "1d", t0, "{\"a\":1}"));
        EXPECT_EQ(std::this_thread::get_id(), io_thread);
        EXPECT_TRUE(id);
        auto got = co_await async_store.get(id ? *id : 0);
        EXPECT_TRUE(got && *got);
        auto latest = co_await async_store.latest("btc", "1d");
        EXPECT_TRUE(latest && *latest && (*latest)->body == "{\"a\":1}");
        auto page = co_await async_store.list({.limit = 5});
        EXPECT_TRUE(page && page->items.size() == 1);
        auto n = co_await async_store.count();
        EXPECT_TRUE(n && *n == 1);
        auto v = co_await async_store.migrate();
        EXPECT_TRUE(v);
        EXPECT_EQ(std::this_thread::get_id(), io_thread);
        done = true;
      },
      boost::asio::detached);
  io.run();  // returns only when the coroutine is done: pending calls count as work
  EXPECT_TRUE(done);
}

TYPED_TEST_P(store_contract, stats_count_calls_and_stay_healthy) {
  this->insert_many(2);
  ASSERT_TRUE(this->store_->count());
  auto s = this->store_->stats();
  EXPECT_TRUE(s.healthy);
  EXPECT_GE(s.calls, 4u);  // migrate, two inserts, count
  EXPECT_EQ(s.failures, 0u);
  EXPECT_TRUE(s.last_error.empty());
}

REGISTER_TYPED_TEST_SUITE_P(
    store_contract, migrate_is_idempotent_and_records_each_version_once,
    a_second_store_on_the_same_database_finds_the_schema_in_place,
    migrate_refuses_a_schema_newer_than_the_program,
    insert_then_get_returns_the_report_byte_for_byte, created_at_keeps_milliseconds_and_drops_less,
    a_large_body_round_trips, ids_are_positive_and_increase, get_of_an_unknown_id_is_none,
    latest_is_the_newest_of_its_symbol_and_timeframe, latest_refuses_a_bad_symbol_or_timeframe,
    symbol_and_timeframe_are_stored_lowercased, list_pages_newest_first_with_keyset_cursors,
    a_page_that_ends_the_listing_exactly_has_no_cursor,
    pages_neither_skip_nor_repeat_when_reports_arrive_between_them,
    list_filters_by_symbol_timeframe_or_both, list_refuses_bad_limits_cursors_and_filters,
    an_empty_store_lists_an_empty_last_page_and_counts_zero, count_counts_every_report,
    bad_reports_are_refused_and_nothing_is_stored, the_database_refuses_to_update_a_stored_report,
    a_store_used_before_migrate_answers_with_an_error, concurrent_inserts_get_distinct_ids,
    coroutines_await_store_calls_on_the_pool_and_resume_at_home,
    stats_count_calls_and_stay_healthy);

}  // namespace cryptodash::reports::contract
