#include "reports/report_cache.h"

#include "config/settings.h"
#include "core/keys.h"
#include "reports/sqlite_store.h"
#include "support/process.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fmt/format.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace cryptodash::reports {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The SQLite store, counting the calls that reach it and failing them on demand.
class counting_store final : public report_store {
 public:
  explicit counting_store(std::unique_ptr<report_store> inner) : inner_(std::move(inner)) {}
  std::string_view backend() const noexcept override { return inner_->backend(); }
  core::result<int> migrate() noexcept override { return inner_->migrate(); }
  core::result<std::int64_t> insert(const new_report& r) noexcept override {
    if (auto e = call()) return e;
    auto id = inner_->insert(r);
    if (after_insert) after_insert();
    return id;
  }
  core::result<std::optional<stored_report>> get(std::int64_t id) noexcept override {
    if (auto e = call()) return e;
    return inner_->get(id);
  }
  core::result<std::optional<stored_report>> latest(std::string_view s,
                                                    std::string_view t) noexcept override {
    if (auto e = call()) return e;
    return inner_->latest(s, t);
  }
  core::result<report_page> list(const page_request& p) noexcept override {
    if (auto e = call()) return e;
    return inner_->list(p);
  }
  core::result<std::int64_t> count() noexcept override { return inner_->count(); }
  store_stats stats() const override { return inner_->stats(); }

  report_store& inner() { return *inner_; }
  std::atomic<int> calls{0};
  std::atomic<bool> down{false};
  std::function<void()> after_insert;  ///< e.g. another instance inserting at the same time

 private:
  boost::system::error_code call() {
    ++calls;
    return down ? make_error_code(core::errc::unavailable) : boost::system::error_code();
  }
  std::unique_ptr<report_store> inner_;
};

class ReportCache : public ::testing::Test {
 protected:
  ReportCache() {
    auto opened = sqlite_store::open({dir_.path() / "reports.db"});
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::make_unique<counting_store>(std::move(*opened));
    EXPECT_TRUE(store_->migrate());
    cache::tiered_options o;
    o.strategy = config::cache_strategy::l1_only;
    o.cache = config::defaults_for(config::app_env::development).cache;
    // Long enough that the reports TTL, not the L1 cap, ends a latest id.
    o.cache.l1.ttl_seconds = o.cache.ttl.reports_seconds * 4;
    o.instance_id = "me";
    tiered_ = std::make_unique<cache::tiered_cache>(o, clock_, nullptr, nullptr, nullptr, nullptr);
    async_ = std::make_unique<async_report_store>(*store_, pool_);
    reports_ =
        std::make_unique<report_cache>(*async_, *tiered_, report_cache::options{.clock = &clock_});
  }

  // Runs the coroutines spawned on ioc_ on `threads` threads until none is left.
  void run_all(int threads) {
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back([this] { ioc_.run(); });
    for (auto& t : pool) t.join();
  }

  template <class T>
  T run(asio::awaitable<T> op) {
    auto f = asio::co_spawn(ioc_, std::move(op), asio::use_future);
    ioc_.restart();
    ioc_.run();
    return f.get();
  }

  // Writes a report straight to the database, as another instance would.
  std::int64_t insert_behind(std::string symbol, std::string timeframe, std::string body = "{}") {
    auto id = store_->inner().insert(
        {std::move(symbol), std::move(timeframe), clock_.now(), std::move(body)});
    EXPECT_TRUE(id);
    return *id;
  }

  testing::temp_dir dir_;
  core::manual_clock clock_;
  std::unique_ptr<counting_store> store_;
  blocking_pool pool_{1};
  std::unique_ptr<cache::tiered_cache> tiered_;
  std::unique_ptr<async_report_store> async_;
  std::unique_ptr<report_cache> reports_;
  asio::io_context ioc_;
};

TEST_F(ReportCache, ten_thousand_reads_of_the_latest_reach_the_database_once) {
  const auto id = insert_behind("btc", "1d", R"({"price_usd":1})");
  for (int i = 0; i < 10'000; ++i) {
    auto r = run(reports_->latest("btc", "1d"));
    ASSERT_TRUE(r);
    ASSERT_TRUE(*r);
    ASSERT_EQ((*r)->id, id);
  }
  EXPECT_EQ(store_->calls.load(), 1);
  const auto st = reports_->stats();
  EXPECT_EQ(st.misses, 1u);
  EXPECT_EQ(st.hits, 9'999u);
  EXPECT_NEAR(st.hit_rate_percent, 99.99, 0.001);
  EXPECT_EQ(st.entry_count, 1u);
  EXPECT_EQ(st.latest_report_id, id);
}

TEST_F(ReportCache, concurrent_readers_of_a_cold_latest_share_one_database_read) {
  const auto id = insert_behind("eth", "1w");
  std::atomic<int> found{0};
  for (int i = 0; i < 500; ++i) {
    asio::co_spawn(
        ioc_,
        [&]() -> asio::awaitable<void> {
          auto r = co_await reports_->latest("ETH", "1W");
          if (r && *r && (*r)->id == id) ++found;
        },
        asio::detached);
  }
  run_all(4);
  EXPECT_EQ(found.load(), 500);
  EXPECT_EQ(store_->calls.load(), 1);
  const auto st = reports_->stats();
  EXPECT_EQ(st.misses, 1u);
  EXPECT_EQ(st.hits, 499u);
}

TEST_F(ReportCache, no_report_yet_is_remembered_and_an_insert_replaces_it_without_a_read) {
  auto none = run(reports_->latest("btc", "1d"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_FALSE(*run(reports_->latest("btc", "1d")));
  EXPECT_EQ(store_->calls.load(), 1);

  auto stored = run(reports_->insert({"BTC", "1D", clock_.now() + 1500us, R"({"x":1})"}));
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)->symbol, "btc");
  EXPECT_EQ((*stored)->timeframe, "1d");
  EXPECT_EQ((*stored)->created_at, clock_.now() + 1ms);  // whole milliseconds, as stored
  EXPECT_EQ(store_->calls.load(), 3);  // the insert, and its check that nothing newer came

  auto latest = run(reports_->latest("btc", "1d"));
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->id, (*stored)->id);
  EXPECT_EQ((*latest)->body, R"({"x":1})");
  auto by_id = run(reports_->get((*stored)->id));
  ASSERT_TRUE(by_id && *by_id);
  EXPECT_EQ(**by_id, **stored);
  EXPECT_EQ(store_->calls.load(), 3);  // neither read went to the database
  // And what the cache returned is what the database holds.
  EXPECT_EQ(*store_->inner().get((*stored)->id).value(), **stored);
}

TEST_F(ReportCache, a_newer_insert_becomes_the_latest) {
  auto first = run(reports_->insert({"btc", "1d", clock_.now(), "{}"}));
  auto second = run(reports_->insert({"btc", "1d", clock_.now(), "{}"}));
  auto other = run(reports_->insert({"btc", "1w", clock_.now(), "{}"}));
  ASSERT_TRUE(first && second && other);
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, (*second)->id);
  EXPECT_EQ((*run(reports_->latest("btc", "1w")))->id, (*other)->id);
  EXPECT_EQ(reports_->stats().latest_report_id, (*other)->id);
}

TEST_F(ReportCache, each_id_is_read_once_and_unknown_ids_are_none) {
  const auto id = insert_behind("sol", "1d");
  std::atomic<int> found{0};
  for (int i = 0; i < 100; ++i) {
    asio::co_spawn(
        ioc_,
        [&]() -> asio::awaitable<void> {
          auto r = co_await reports_->get(id);
          if (r && *r && (*r)->symbol == "sol") ++found;
        },
        asio::detached);
  }
  run_all(4);
  EXPECT_EQ(found.load(), 100);
  EXPECT_EQ(store_->calls.load(), 1);
  EXPECT_EQ(reports_->stats().misses, 1u);
  EXPECT_EQ(reports_->stats().hits, 99u);

  auto missing = run(reports_->get(id + 1000));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  EXPECT_EQ(store_->calls.load(), 2);
  EXPECT_FALSE(*run(reports_->get(0)));
  EXPECT_FALSE(*run(reports_->get(-5)));
  EXPECT_EQ(store_->calls.load(), 2);  // not valid ids: no read
}

TEST_F(ReportCache, priming_loads_the_latest_of_each_symbol_and_timeframe) {
  insert_behind("btc", "1d");
  const auto btc = insert_behind("btc", "1d");
  const auto eth = insert_behind("eth", "1w");
  auto primed = run(reports_->prime());
  ASSERT_TRUE(primed);
  EXPECT_EQ(*primed, 2u);
  const int after_prime = store_->calls.load();
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, btc);
  EXPECT_EQ((*run(reports_->latest("eth", "1w")))->id, eth);
  EXPECT_EQ(store_->calls.load(), after_prime);
  EXPECT_EQ(reports_->stats().latest_report_id, eth);
}

TEST_F(ReportCache, an_id_a_tier_kept_that_the_database_lacks_is_replaced_from_the_database) {
  const auto id = insert_behind("btc", "1d");
  // A pointer left by a database that was replaced.
  run(tiered_->put(*core::cache_key::report("btc", "1d"), R"({"id":9999})",
                   cache::ttl_class::reports));
  auto r = run(reports_->latest("btc", "1d"));
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->id, id);
  auto again = run(reports_->latest("btc", "1d"));
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->id, id);
}

TEST_F(ReportCache, bad_names_are_invalid_arguments) {
  EXPECT_EQ(run(reports_->latest("b!c", "1d")).error(), core::errc::invalid_argument);
  EXPECT_EQ(run(reports_->latest("btc", "1m")).error(), core::errc::invalid_argument);
  EXPECT_EQ(run(reports_->insert({"btc", "2d", clock_.now(), "{}"})).error(),
            core::errc::invalid_argument);
  EXPECT_EQ(store_->calls.load(), 0);
}

TEST_F(ReportCache, a_database_that_is_down_is_an_error_but_what_is_cached_is_still_served) {
  const auto id = insert_behind("btc", "1d");
  ASSERT_TRUE(*run(reports_->latest("btc", "1d")));
  store_->down = true;
  auto cached = run(reports_->latest("btc", "1d"));
  ASSERT_TRUE(cached && *cached);
  EXPECT_EQ((*cached)->id, id);
  EXPECT_EQ(run(reports_->latest("eth", "1d")).error(), core::errc::unavailable);
  EXPECT_EQ(run(reports_->get(id + 1)).error(), core::errc::unavailable);
  EXPECT_EQ(run(reports_->insert({"btc", "1d", clock_.now(), "{}"})).error(),
            core::errc::unavailable);
  // The failed insert changed nothing.
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, id);
}

TEST_F(ReportCache, the_latest_id_expires_with_the_reports_ttl_and_then_sees_other_writers) {
  const auto ttl = std::chrono::seconds(
      config::defaults_for(config::app_env::development).cache.ttl.reports_seconds);
  const auto first = insert_behind("btc", "1d");
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, first);
  const auto second = insert_behind("btc", "1d");  // another instance wrote it
  clock_.advance(ttl - 1s);
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, first);  // still fresh
  EXPECT_EQ(store_->calls.load(), 1);
  clock_.advance(2s);
  // Stale: served at once while one refresh reads the database, then the new one.
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, first);
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, second);
  EXPECT_EQ(store_->calls.load(), 2);  // the refresh, which also loaded report `second`
  EXPECT_EQ(reports_->stats().misses, 1u);  // the first read only
  EXPECT_EQ(reports_->stats().hits, 3u);
}

TEST_F(ReportCache, an_insert_racing_another_instance_leaves_the_newest_id_in_the_tiers) {
  // Another instance inserts a report of the same symbol and timeframe right after this one,
  // and writes its id to the shared tiers before this one writes its own.
  std::int64_t theirs = 0;
  store_->after_insert = [&] {
    store_->after_insert = nullptr;
    theirs = insert_behind("btc", "1d");
  };
  auto ours = run(reports_->insert({"btc", "1d", clock_.now(), "{}"}));
  ASSERT_TRUE(ours && *ours);
  ASSERT_GT(theirs, (*ours)->id);
  auto held = run(tiered_->peek(*core::cache_key::report("btc", "1d")));
  ASSERT_TRUE(held.value);
  EXPECT_EQ(held.value->payload, fmt::format(R"({{"id":{}}})", theirs));
  EXPECT_EQ((*run(reports_->latest("btc", "1d")))->id, theirs);
}

TEST_F(ReportCache, an_id_the_database_lacks_with_no_report_at_all_becomes_none_yet) {
  run(tiered_->put(*core::cache_key::report("eth", "1w"), R"({"id":77})",
                   cache::ttl_class::reports));
  auto r = run(reports_->latest("eth", "1w"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  const int calls = store_->calls.load();
  EXPECT_FALSE(*run(reports_->latest("eth", "1w")));  // remembered as "none yet"
  EXPECT_EQ(store_->calls.load(), calls);
}

}  // namespace
}  // namespace cryptodash::reports
