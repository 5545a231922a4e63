// Market reports end to end, on SQLite and on a real PostgreSQL: `cryptodash report generate`
// against the fake upstream, then the server's listing, JSON, HTML page and PDF (its text read
// back with pdftotext), POST /api/reports, the report cache's figures, and the daily job.

#include "server_fixture.h"
#include "support/fake_upstream.h"
#include "support/postgres_server.h"
#include "support/redis_server.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

namespace cryptodash::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr const char* admin_token = "report-admin-5150";

// The text of a PDF, as pdftotext extracts it (UTF-8, layout kept).
std::string pdf_text(const temp_dir& dir, const std::string& pdf) {
  const auto file = dir.path() / "report.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  auto r = run({"/usr/bin/pdftotext", "-enc", "UTF-8", "-layout", file.string(), "-"});
  EXPECT_EQ(r.code, 0) << r.err;
  return r.out;
}

std::optional<http_response> post(int port, const std::string& target, const std::string& body,
                                  const std::string& headers) {
  http_connection c(port);
  c.send("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  return c.read_response();
}

json::value get_json(int port, const std::string& target, unsigned status = 200) {
  auto res = http_get(port, target);
  EXPECT_TRUE(res) << target;
  if (!res) return nullptr;
  EXPECT_EQ(res->result_int(), status) << target << ": " << res->body();
  return json::parse(res->body());
}

// reports.daily_at_utc for the minute before now (UTC).
std::string slot_a_minute_ago() {
  const auto minutes = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now())
                           .time_since_epoch()
                           .count();
  const auto minute_of_day = (minutes - 1) % 1440;
  return fmt::format("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60);
}

enum class backend { sqlite, postgresql };

class Reports : public ::testing::TestWithParam<backend> {
 protected:
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() { pg_.reset(); }

  void SetUp() override {
    fake_.set_values(R"({"coins": {"bitcoin": {"price": 64321.5, "change_24h": 2.14}}})");
    if (GetParam() == backend::sqlite) {
      database_url_ = "sqlite://" + (dir_.path() / "reports.db").string();
    } else {
      if (!pg_) pg_ = std::make_unique<postgres_server>();
      const auto name = "reports_" + std::to_string(++databases_);
      pg_->create_database(name);
      database_url_ = pg_->url(name);
    }
  }

  std::map<std::string, std::string> env() const {
    auto e = upstream_env(fake_);
    e["DATABASE_URL"] = database_url_;
    e["CACHE_DIR"] = (dir_.path() / "cli-cache").string();
    e["ADMIN_TOKEN"] = admin_token;
    e["APP_ENV"] = "development";
    return e;
  }

  run_result generate(const std::string& symbol, const std::string& timeframe) {
    return run(
        {CRYPTODASH_BINARY, "report", "generate", "--symbol", symbol, "--timeframe", timeframe},
        env(), std::chrono::seconds(60));
  }

  static inline std::unique_ptr<postgres_server> pg_;
  static inline int databases_ = 0;
  temp_dir dir_;
  fake_upstream fake_;
  std::string database_url_;
};

TEST_P(Reports, generated_reports_are_listed_fetched_and_shown_as_page_and_pdf) {
  auto made = generate("btc", "1d");
  ASSERT_EQ(made.code, 0) << made.out << made.err;
  EXPECT_NE(made.out.find("report 1 written: btc 1d"), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("BTC"), std::string::npos) << made.out;  // the summary

  auto s = start_server({}, env());
  ASSERT_NE(s.port, 0) << s.process->err();

  auto list = get_json(s.port, "/api/reports");
  ASSERT_EQ(list.at("items").as_array().size(), 1u) << list;
  const auto& item = list.at("items").at(0);
  EXPECT_EQ(item.at("id"), 1);
  EXPECT_EQ(item.at("symbol"), "btc");
  EXPECT_EQ(item.at("timeframe"), "1d");
  EXPECT_EQ(item.at("links").at("pdf"), "/crypto_report/1/pdf");
  EXPECT_TRUE(list.at("next_before_id").is_null());

  auto one = get_json(s.port, "/api/reports/1");
  EXPECT_EQ(one.at("symbol"), "btc");
  EXPECT_EQ(one.at("report").at("price_usd").to_number<double>(), 64321.5);
  EXPECT_EQ(one.at("report").at("sources").at("market").at("state"), "fresh");

  // The latest page, in English by default.
  auto page = http_get(s.port, "/crypto_report");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->result_int(), 200) << page->body();
  EXPECT_EQ((*page)[boost::beast::http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ((*page)[boost::beast::http::field::content_location], "/crypto_report/1");
  EXPECT_EQ((*page)[boost::beast::http::field::cache_control], "no-cache");  // the latest moves
  EXPECT_EQ((*page)[boost::beast::http::field::vary], "Accept-Language");
  EXPECT_FALSE((*page)["Content-Security-Policy"].empty());
  EXPECT_NE(page->body().find("BTC"), std::string::npos);
  EXPECT_NE(page->body().find("$64,321.50"), std::string::npos);
  EXPECT_NE(page->body().find("<svg"), std::string::npos);  // the chart

  // Vietnamese, by Accept-Language, and by ?lang= over it.
  auto vi = http_get(s.port, "/crypto_report/1", "Accept-Language: vi-VN,vi;q=0.9,en;q=0.5\r\n");
  ASSERT_TRUE(vi);
  ASSERT_EQ(vi->result_int(), 200);
  EXPECT_NE(vi->body().find("Báo cáo thị trường"), std::string::npos);
  EXPECT_NE(vi->body().find("64.321,50"), std::string::npos);
  EXPECT_EQ((*vi)[boost::beast::http::field::vary], "Accept-Language");
  auto en = http_get(s.port, "/crypto_report/1?lang=en", "Accept-Language: vi\r\n");
  ASSERT_TRUE(en);
  EXPECT_NE(en->body().find("$64,321.50"), std::string::npos);
  // A report by id never changes; with ?lang= the header plays no part.
  EXPECT_EQ((*en)[boost::beast::http::field::cache_control], "public, max-age=3600");
  EXPECT_EQ(en->count(boost::beast::http::field::vary), 0u);
  auto latest_vi = http_get(s.port, "/crypto_report?lang=vi");
  ASSERT_TRUE(latest_vi);
  ASSERT_EQ(latest_vi->result_int(), 200);
  EXPECT_EQ((*latest_vi)[boost::beast::http::field::content_location], "/crypto_report/1?lang=vi");
  EXPECT_NE(latest_vi->body().find("Báo cáo thị trường"), std::string::npos);
  // An unchanged page is not sent again.
  auto again =
      http_get(s.port, "/crypto_report/1?lang=en",
               "If-None-Match: " + std::string((*en)[boost::beast::http::field::etag]) + "\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result_int(), 304);

  // The PDF, in Vietnamese: text extracted from it.
  auto pdf = http_get(s.port, "/crypto_report/1/pdf?lang=vi");
  ASSERT_TRUE(pdf);
  ASSERT_EQ(pdf->result_int(), 200) << pdf->body();
  EXPECT_EQ((*pdf)[boost::beast::http::field::content_type], "application/pdf");
  ASSERT_TRUE(pdf->body().starts_with("%PDF-"));
  auto text = pdf_text(dir_, pdf->body());
  EXPECT_NE(text.find("BTC"), std::string::npos) << text;
  EXPECT_NE(text.find("64.321,50"), std::string::npos) << text;
  EXPECT_NE(text.find("Báo cáo thị trường"), std::string::npos) << text;
  auto pdf_en = http_get(s.port, "/crypto_report/1/pdf?lang=en");
  ASSERT_TRUE(pdf_en);
  auto text_en = pdf_text(dir_, pdf_en->body());
  EXPECT_NE(text_en.find("$64,321.50"), std::string::npos) << text_en;

  // Unknown and malformed ids, bad parameters.
  auto missing = http_get(s.port, "/crypto_report/999");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 404);
  get_json(s.port, "/api/reports/999", 404);
  get_json(s.port, "/crypto_report/999/pdf", 404);
  for (const auto* bad :
       {"/crypto_report/abc", "/crypto_report/0", "/crypto_report/-1", "/crypto_report/01",
        "/crypto_report/99999999999999999999", "/crypto_report/1?lang=fr", "/api/reports?limit=0",
        "/api/reports?limit=101", "/api/reports?before_id=x", "/api/reports?timeframe=2d",
        "/crypto_report?symbol=b%21c"}) {
    auto res = http_get(s.port, bad);
    ASSERT_TRUE(res) << bad;
    EXPECT_EQ(res->result_int(), 400) << bad << ": " << res->body();
  }
  auto none_yet = http_get(s.port, "/crypto_report?symbol=eth&timeframe=1w");
  ASSERT_TRUE(none_yet);
  EXPECT_EQ(none_yet->result_int(), 404);

  // A report written elsewhere, stored by an admin.
  const std::string external =
      R"({"symbol": "ETH", "timeframe": "1w", "created_at": "2026-11-30T08:00:00Z",
          "price_usd": 3012.75, "summary": {"en": "Written elsewhere.", "vi": "Viết nơi khác."}})";
  auto refused = post(s.port, "/api/reports", external, "");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 401);
  auto bad_body = post(s.port, "/api/reports", R"({"symbol": "eth"})",
                       std::string("Authorization: Bearer ") + admin_token + "\r\n");
  ASSERT_TRUE(bad_body);
  EXPECT_EQ(bad_body->result_int(), 400);
  auto stored = post(s.port, "/api/reports", external,
                     std::string("Authorization: Bearer ") + admin_token + "\r\n");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->result_int(), 201) << stored->body();
  EXPECT_EQ((*stored)[boost::beast::http::field::location], "/api/reports/2");
  auto eth = http_get(s.port, "/crypto_report?symbol=eth&timeframe=1w");
  ASSERT_TRUE(eth);
  ASSERT_EQ(eth->result_int(), 200);
  EXPECT_NE(eth->body().find("ETH"), std::string::npos);
  EXPECT_NE(eth->body().find("$3,012.75"), std::string::npos);
  EXPECT_NE(eth->body().find("Written elsewhere."), std::string::npos);
  auto eth_json = get_json(s.port, "/api/reports/2");
  EXPECT_EQ(eth_json.at("created_at"), "2026-11-30T08:00:00.000Z");
  EXPECT_EQ(eth_json.at("report").at("symbol"), "eth");

  // Paging, newest first.
  auto first_page = get_json(s.port, "/api/reports?limit=1");
  ASSERT_EQ(first_page.at("items").as_array().size(), 1u);
  EXPECT_EQ(first_page.at("items").at(0).at("id"), 2);
  EXPECT_EQ(first_page.at("next_before_id"), 2);
  auto second_page = get_json(s.port, "/api/reports?limit=1&before_id=2");
  EXPECT_EQ(second_page.at("items").at(0).at("id"), 1);
  EXPECT_TRUE(second_page.at("next_before_id").is_null());
  EXPECT_EQ(get_json(s.port, "/api/reports?symbol=eth").at("items").as_array().size(), 1u);

  auto stats = get_json(s.port, "/api/cache-stats").at("report_cache");
  EXPECT_EQ(stats.at("latest_report_id"), 2);
  EXPECT_GE(stats.at("entry_count").to_number<int>(), 2);
}

TEST_P(Reports, reading_the_latest_ten_thousand_times_reads_the_database_once) {
  ASSERT_EQ(generate("btc", "1d").code, 0);
  auto s = start_server({}, env());
  ASSERT_NE(s.port, 0) << s.process->err();
  auto before = get_json(s.port, "/api/cache-stats").at("report_cache");
  http_connection c(s.port);
  for (int i = 0; i < 10'000; ++i) {
    auto res = c.get("/crypto_report");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 200);
  }
  auto after = get_json(s.port, "/api/cache-stats").at("report_cache");
  // Primed at start (the database read then), every read since a hit.
  EXPECT_EQ(after.at("miss_count"), before.at("miss_count"));
  EXPECT_EQ(after.at("hit_count").to_number<std::int64_t>() -
                before.at("hit_count").to_number<std::int64_t>(),
            10'000);
  EXPECT_EQ(before.at("miss_count"), 1);
}

TEST_P(Reports, a_database_that_cannot_be_opened_stops_the_start_with_a_clear_message) {
  auto e = env();
  e["DATABASE_URL"] = GetParam() == backend::sqlite
                          ? "sqlite:///proc/no-such-dir/reports.db"
                          : "postgresql://nobody:secret-pw@127.0.0.1:1/none";
  auto r = run({CRYPTODASH_BINARY, "serve", "--listen-addr", "127.0.0.1", "--port", "0"}, e,
               seconds(30));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("DATABASE_URL"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret-pw"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(backends, Reports, ::testing::Values(backend::sqlite, backend::postgresql),
                         [](const auto& param_info) {
                           return param_info.param == backend::sqlite ? "sqlite" : "postgresql";
                         });

// PostgreSQL stopped under a running server: cached reports are still served, listings answer
// 503, /health says degraded (and /metrics), and all is well again once it is back.
TEST(ReportsOnPostgres, a_database_that_goes_away_degrades_and_comes_back) {
  fake_upstream fake;
  fake.set_values(R"({"coins": {"bitcoin": {"price": 64321.5}}})");
  postgres_server pg;
  pg.create_database("reports");
  temp_dir dir;
  auto e = upstream_env(fake);
  e["DATABASE_URL"] = pg.url("reports");
  e["CACHE_DIR"] = (dir.path() / "cli-cache").string();
  e["APP_ENV"] = "development";
  auto made = run({CRYPTODASH_BINARY, "report", "generate"}, e, seconds(60));
  ASSERT_EQ(made.code, 0) << made.out << made.err;
  e.erase("CACHE_DIR");
  auto s = start_server({}, e);
  ASSERT_NE(s.port, 0) << s.process->err();
  EXPECT_EQ(get_json(s.port, "/health").at("status"), "healthy");

  pg.stop();
  auto page = http_get(s.port, "/crypto_report");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->result_int(), 200);  // primed at start: no database needed
  auto listing = get_json(s.port, "/api/reports", 503);
  EXPECT_EQ(listing.at("error").at("code"), "unavailable");
  auto health = get_json(s.port, "/health");
  EXPECT_EQ(health.at("status"), "degraded");
  EXPECT_EQ(health.at("report_db").at("backend"), "postgresql");
  EXPECT_EQ(health.at("report_db").at("healthy"), false);
  auto metrics = http_get(s.port, "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body().find("cryptodash_report_db_healthy 0"), std::string::npos);

  pg.start();
  EXPECT_TRUE(eventually(
      [&] {
        auto res = http_get(s.port, "/api/reports");
        return res && res->result_int() == 200;
      },
      seconds(20)));
  EXPECT_EQ(get_json(s.port, "/health").at("status"), "healthy");
  EXPECT_NE(s.process->err().find("reports postgresql: database failing"), std::string::npos)
      << s.process->err();
}

// A server whose daily slot passed a minute ago (it was down then): the report of btc, whose
// newest is older than the slot, is written soon after start — once; eth's, written after the
// slot (by hand, say), counts as this slot's.
TEST(DailyReports, a_missed_slot_is_made_soon_after_start_once) {
  fake_upstream fake;
  temp_dir dir;
  const auto slot = slot_a_minute_ago();
  auto e = upstream_env(fake);
  e["DATABASE_URL"] = "sqlite://" + (dir.path() / "reports.db").string();
  e["ADMIN_TOKEN"] = admin_token;
  {
    // The reports there were before: stored through a server without the daily job.
    auto seed = start_server({}, e);
    ASSERT_NE(seed.port, 0) << seed.process->err();
    const auto now = std::chrono::system_clock::now();
    auto rfc3339 = [](std::chrono::system_clock::time_point t) {
      return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                         fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
    };
    const auto before_slot = rfc3339(now - std::chrono::minutes(62));
    const auto after_slot = rfc3339(now);
    const auto auth = std::string("Authorization: Bearer ") + admin_token + "\r\n";
    for (const auto& [symbol, at] : {std::pair{"btc", before_slot}, std::pair{"eth", after_slot}}) {
      auto body = fmt::format(R"({{"symbol":"{}","timeframe":"1d","created_at":"{}"}})", symbol, at);
      auto posted = post(seed.port, "/api/reports", body, auth);
      ASSERT_TRUE(posted);
      ASSERT_EQ(posted->result_int(), 201) << posted->body();
    }
  }
  std::vector<std::string> args = {
      "--set", "scheduler.enabled=true",       "--set", "reports.daily_enabled=true",
      "--set", "reports.daily_at_utc=" + slot, "--set", "reports.symbols=btc,eth",
      "--set", "reports.timeframes=1d"};
  auto a = start_server(args, e);
  ASSERT_NE(a.port, 0) << a.process->err();
  auto count = [&](const char* symbol) {
    auto list = get_json(a.port, fmt::format("/api/reports?symbol={}&timeframe=1d", symbol));
    return list.is_object() ? list.at("items").as_array().size() : 0u;
  };
  auto daily = [&] { return get_json(a.port, "/api/cache-stats").at("report_cache").at("daily"); };
  ASSERT_TRUE(eventually([&] { return !daily().at("last_check").is_null(); }, seconds(30)))
      << a.process->err();
  const auto first_check = daily().at("last_check");
  EXPECT_EQ(daily().at("generated"), 1);
  EXPECT_EQ(count("btc"), 2u);
  EXPECT_EQ(count("eth"), 1u);
  EXPECT_NE(a.process->err().find("daily report btc 1d written"), std::string::npos)
      << a.process->err();
  EXPECT_EQ(a.process->err().find("daily report eth 1d written"), std::string::npos);
  auto page = http_get(a.port, "/crypto_report");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->result_int(), 200);
  EXPECT_EQ((*page)[boost::beast::http::field::content_location], "/crypto_report/3");

  // The next check (30 s later) finds nothing due.
  ASSERT_TRUE(eventually([&] { return daily().at("last_check") != first_check; }, seconds(45)))
      << a.process->err();
  EXPECT_EQ(daily().at("generated"), 1);
  EXPECT_EQ(count("btc"), 2u);
  EXPECT_EQ(count("eth"), 1u);
}

// Two instances on one Redis and one database, both past their daily slot with no report yet,
// the fake's candles slow (so a report takes seconds to gather): only the lease holder writes
// it — an instance that did not check for leadership would write a second one.
TEST(DailyReports, with_shared_redis_only_the_leader_writes_the_due_report) {
  fake_upstream fake;
  redis_server redis;
  temp_dir dir;
  fake.set_fault(R"({"path": "/binance/api/v3/klines", "delay_ms": 2500})");
  auto e = upstream_env(fake);
  e["DATABASE_URL"] = "sqlite://" + (dir.path() / "reports.db").string();
  e["REDIS_URL"] = redis.url();
  std::vector<std::string> args = {"--set", "scheduler.enabled=true",
                                   "--set", "reports.daily_enabled=true",
                                   "--set", "reports.daily_at_utc=" + slot_a_minute_ago(),
                                   "--set", "reports.symbols=btc",
                                   "--set", "reports.timeframes=1d"};
  auto a = start_server(args, e);
  ASSERT_NE(a.port, 0) << a.process->err();
  auto b = start_server(args, e);
  ASSERT_NE(b.port, 0) << b.process->err();
  auto daily = [](int port) {
    return get_json(port, "/api/cache-stats").at("report_cache").at("daily");
  };
  ASSERT_TRUE(eventually(
      [&] {
        auto da = daily(a.port);
        auto db = daily(b.port);
        return da.at("generated").to_number<int>() + db.at("generated").to_number<int>() >= 1 &&
               !da.at("last_check").is_null() && !db.at("last_check").is_null();
      },
      seconds(40)))
      << a.process->err() << b.process->err();
  auto da = daily(a.port);
  auto db = daily(b.port);
  EXPECT_EQ(da.at("generated").to_number<int>() + db.at("generated").to_number<int>(), 1)
      << da << db;
  EXPECT_EQ(get_json(a.port, "/api/reports").at("items").as_array().size(), 1u);
}

}  // namespace
}  // namespace cryptodash::testing
