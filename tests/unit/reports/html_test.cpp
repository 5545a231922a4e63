// The report page: a full report in both languages, nulls and unavailable inputs, hostile text,
// bad JSON. With REPORT_HTML_OUT=<dir> set, the full report's pages are also written there
// (report_en.html, report_vi.html, and report_degraded_{en,vi}.html with inputs unavailable)
// for a look in a browser.

#include "reports/html.h"

#include "core/error.h"
#include "core/json_text.h"
#include "market/payloads.h"
#include "reports/report.h"
#include "reports/summary_text.h"
#include "unit/reports/report_fixtures.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <numbers>
#include <string>

namespace cryptodash::reports {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using core::errc;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace fixtures;

std::string render(const json::object& report, language lang, std::int64_t id = 42) {
  auto page = render_report_html(core::to_json(report), id, lang);
  EXPECT_TRUE(page.has_value()) << (page ? "" : page.error().message);
  return page ? *page : std::string();
}

TEST(html_escape, escapes_the_five_special_characters_and_keeps_utf8) {
  EXPECT_EQ(html_escape(R"(<a href="x" title='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(html_escape("Tiếng Việt — 64.321,50 USD"), "Tiếng Việt — 64.321,50 USD");
  EXPECT_EQ(html_escape(""), "");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
}

TEST(report_html, full_report_in_english) {
  const auto r = full_report();
  const auto page = render(r, language::en);
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_THAT(page, HasSubstr("<title>BTC market report — 1 day</title>"));
  EXPECT_THAT(page, HasSubstr("<h1>BTC market report</h1>"));
  EXPECT_THAT(page, HasSubstr("Created Nov 22, 2026, 10:30 UTC"));
  EXPECT_THAT(page, HasSubstr("$64,321.50"));
  EXPECT_THAT(page, HasSubstr(html_escape(r.at("summary").at("en").as_string())));
  EXPECT_THAT(page, HasSubstr("Fear &amp; Greed"));
  // Figures: compact amounts, percents, indicators.
  EXPECT_THAT(page, HasSubstr("$1.27T"));
  EXPECT_THAT(page, HasSubstr("$2.41T"));
  EXPECT_THAT(page, HasSubstr("$31.00B"));
  EXPECT_THAT(page, HasSubstr("52.3%"));
  EXPECT_THAT(page, HasSubstr("+2.14%"));
  EXPECT_THAT(page, HasSubstr("21,034.50 BTC"));
  EXPECT_THAT(page, HasSubstr("58.2"));
  EXPECT_THAT(page, HasSubstr("$63,010.70"));
  EXPECT_THAT(page, HasSubstr("Signal 98.20 · Histogram 22.30"));
  EXPECT_THAT(page, HasSubstr(">Greed<"));
  // Freshness: fresh badges, and the stale one with its age and reason.
  // Fresh: market, candles (chart and period card), Fear & Greed, indicators.
  EXPECT_EQ(count(page, "class=\"badge badge-fresh\""), 5u);
  EXPECT_THAT(page, HasSubstr("Stale · 1 h 10 min"));
  EXPECT_THAT(page, HasSubstr("Reason: timeout after 10000 ms"));
  // The chart: one group per candle, price and time labels, nothing fetched or run.
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 1u);
  EXPECT_EQ(count(page, "<g class=\"candle "), 24u);
  EXPECT_THAT(page, HasSubstr(">64,000</text>"));
  EXPECT_THAT(page, HasSubstr(format_price(r.at("high").as_double(), language::en)));
  EXPECT_THAT(page, HasSubstr(format_price(r.at("low").as_double(), language::en)));
  EXPECT_THAT(page, HasSubstr(">Nov 22</text>"));
  EXPECT_THAT(page, HasSubstr(">16:00</text>"));
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  EXPECT_THAT(page, Not(HasSubstr("url(")));
  EXPECT_EQ(count(page, "<style>"), 1u);
  // Links.
  EXPECT_THAT(page, HasSubstr("href=\"/crypto_report/42/pdf?lang=en\""));
  EXPECT_THAT(page, HasSubstr("href=\"/crypto_report/42?lang=vi\""));
  EXPECT_TRUE(page.ends_with("</html>\n"));
}

TEST(report_html, full_report_in_vietnamese) {
  const auto r = full_report();
  const auto page = render(r, language::vi, 7);
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html lang=\"vi\">"));
  EXPECT_THAT(page, HasSubstr("<title>Báo cáo thị trường BTC — 1 ngày</title>"));
  EXPECT_THAT(page, HasSubstr("Tạo lúc 10:30 UTC, ngày 22/11/2026"));
  EXPECT_THAT(page, HasSubstr("64.321,50 USD"));
  EXPECT_THAT(page, HasSubstr("1,27 nghìn tỷ USD"));
  EXPECT_THAT(page, HasSubstr("52,3%"));
  EXPECT_THAT(page, HasSubstr("21.034,50 BTC"));
  EXPECT_THAT(page, HasSubstr(html_escape(r.at("summary").at("vi").as_string())));
  for (std::string_view label :
       {"Thị trường", "24 giờ qua", "Thị trường chung", "Tổng vốn hóa", "Tỷ trọng BTC",
        "Khối lượng 24 giờ", "Cao nhất", "Thấp nhất", "Chỉ số Sợ hãi &amp; Tham lam",
        "Chỉ báo kỹ thuật (1h)", "Tín hiệu", "Trung tính", ">Tham lam<", "Giá trong 24 giờ qua",
        "Mới", "Cũ · 1 giờ 10 phút", "Lý do: hết thời gian chờ sau 10000 ms", "Tải PDF",
        "Báo cáo số 7"}) {
    EXPECT_THAT(page, HasSubstr(label));
  }
  EXPECT_EQ(count(page, "<g class=\"candle "), 24u);
  EXPECT_THAT(page, HasSubstr(">64.000</text>"));
  EXPECT_THAT(page, HasSubstr(">22/11</text>"));
  EXPECT_THAT(page, HasSubstr("href=\"/crypto_report/7/pdf?lang=vi\""));
  EXPECT_THAT(page, HasSubstr("href=\"/crypto_report/7?lang=en\""));
}

// A real report built from a price alone: every other figure is null, every other input
// unavailable with its reason.
TEST(report_html, nulls_show_a_dash_and_the_unavailable_reason) {
  const auto now = core::manual_clock::default_start();
  upstream::coingecko::coin_price p;
  p.id = "bitcoin";
  p.prices.push_back({"usd", 64321.5, std::nullopt, std::nullopt, std::nullopt});
  p.last_updated_at = now;
  auto e = std::make_shared<cache::entry>();
  e->payload = *market::market_payload("btc", p);
  e->created_at = now - 5s;
  e->fresh_until = now + 60s;
  e->stale_until = now + 3600s;
  report_inputs in;
  in.symbol = "btc";
  in.timeframe = "1w";
  in.market = cache::lookup{std::move(e), cache::source::l1, true, {}};
  const cache::lookup down{nullptr, cache::source::none, false,
                           make_error_code(errc::circuit_open)};
  in.candles = in.global = in.fear_greed = down;
  in.rsi = in.sma = in.ema = in.macd = in.bbands = down;
  const auto report = build_report(in, now);
  ASSERT_TRUE(report.has_value()) << report.error().message;

  const auto en = render_report_html(*report, 3, language::en);
  ASSERT_TRUE(en.has_value()) << en.error().message;
  EXPECT_THAT(*en, HasSubstr("<title>BTC market report — 1 week</title>"));
  EXPECT_THAT(*en, HasSubstr("$64,321.50"));
  // Market cap, 24h change, 24h volume, period change, high, low, volume, total cap, two
  // dominances, Fear & Greed, RSI, SMA, EMA, MACD, Bollinger: 16 figures, none made up.
  EXPECT_GE(count(*en, "is-missing\">—</dd>"), 16u);
  // Candles (chart and period card), global, Fear & Greed, indicators.
  EXPECT_EQ(count(*en, "class=\"badge badge-unavailable\""), 5u);
  EXPECT_THAT(*en, HasSubstr("Reason: circuit open"));
  EXPECT_THAT(*en, HasSubstr("No candles for this period."));
  EXPECT_THAT(*en, Not(HasSubstr("<svg class=\"chart\"")));
  EXPECT_THAT(*en, Not(HasSubstr("$0.00")));
  EXPECT_THAT(*en, Not(HasSubstr("n/a")));

  const auto vi = render_report_html(*report, 3, language::vi);
  ASSERT_TRUE(vi.has_value());
  EXPECT_THAT(*vi, HasSubstr("Không có dữ liệu"));
  EXPECT_THAT(*vi, HasSubstr("Lý do: cầu dao đang mở (nguồn tạm ngưng)"));
  EXPECT_THAT(*vi, HasSubstr("macd: cầu dao đang mở"));
  EXPECT_THAT(*vi, HasSubstr("Không có nến cho giai đoạn này."));
}

TEST(report_html, hostile_text_is_escaped) {
  auto r = full_report();
  r["symbol"] = "<img src=x onerror=alert(1)>";
  r["fear_greed"] = json::object{{"value", 50}, {"classification", "<script>alert(1)</script>"}};
  r["summary"] = json::object{{"en", "Up & \"away\" <b>now</b>"}, {"vi", "x"}};
  r["created_at"] = "<i>yesterday</i>";
  r["candle_interval"] = "1h\" onload=\"x";
  r["sources"].as_object()["global"] =
      source("unavailable", std::nullopt, "he said \"no\" & <left>");
  const auto page = render(r, language::en);
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("<img")));
  EXPECT_THAT(page, Not(HasSubstr("<b>")));
  EXPECT_THAT(page, Not(HasSubstr("<i>")));
  EXPECT_THAT(page, Not(HasSubstr("\" onload=\"")));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(page, HasSubstr("&lt;IMG SRC=X ONERROR=ALERT(1)&gt; market report"));
  EXPECT_THAT(page, HasSubstr("Up &amp; &quot;away&quot; &lt;b&gt;now&lt;/b&gt;"));
  EXPECT_THAT(page, HasSubstr("Created &lt;i&gt;yesterday&lt;/i&gt;"));
  EXPECT_THAT(page, HasSubstr("Reason: he said &quot;no&quot; &amp; &lt;left&gt;"));
}

TEST(report_html, bad_json_is_an_error_not_a_page) {
  for (std::string_view bad :
       {"", "not json", "{\"symbol\": \"btc\",", "[1, 2]", "\"btc\"", "{\"timeframe\": \"1d\"}",
        "{\"symbol\": \"btc\"}", "{\"symbol\": 5, \"timeframe\": \"1d\"}",
        "{\"symbol\": \"\", \"timeframe\": \"1d\"}",
        "{\"symbol\": \"btc\", \"timeframe\": null}"}) {
    const auto page = render_report_html(bad, 1, language::en);
    ASSERT_FALSE(page.has_value()) << bad;
    EXPECT_EQ(page.error().code, make_error_code(errc::invalid_argument)) << bad;
    EXPECT_THAT(page.error().message, HasSubstr("cannot render the report page")) << bad;
  }
  EXPECT_THAT(render_report_html("{\"symbol\": \"btc\"}", 1, language::en).error().message,
              HasSubstr("no timeframe"));
  EXPECT_THAT(render_report_html("[]", 1, language::en).error().message,
              HasSubstr("not a JSON object"));
}

TEST(report_html, figures_of_other_shapes_are_missing_not_invented) {
  auto r = full_report();
  r["price_usd"] = "64321.5";  // a string is not a number
  r["indicators"] = "broken";
  r["candles"] = json::array{json::array{1, 2}, "x", json::array{1795341600000, 1, 2, 1, 1.5, 3}};
  r.erase("sources");
  const auto page = render(r, language::en);
  EXPECT_THAT(page, HasSubstr("<span class=\"price num\">—</span>"));
  EXPECT_THAT(page, HasSubstr("<dt>Price</dt><dd class=\"num is-missing\">—</dd>"));
  EXPECT_EQ(count(page, "<g class=\"candle "), 1u);
  EXPECT_EQ(count(page, "class=\"badge "), 0u);
  EXPECT_GE(count(page, "is-missing\">—</dd>"), 6u);
}

TEST(report_html, extreme_numbers_render_without_a_hang) {
  auto r = full_report();
  r["candles"] = json::array{json::array{1795341600000, 1e17, 1e17 + 16, 1e17, 1e17 + 16, 1},
                             json::array{1e300, 1, 2, 1, 2, 1}, json::array{-5, 1, 2, 1, 2, 1}};
  r["sources"].as_object()["market"] = source("stale", 0);
  r["sources"].as_object()["market"].as_object()["age_s"] = 1e300;
  const auto page = render(r, language::en);
  EXPECT_EQ(count(page, "<g class=\"candle "), 1u);
  EXPECT_LE(count(page, "<text class=\"axis\""), 21u);
  EXPECT_THAT(page, HasSubstr("badge-stale"));
}

TEST(report_html, small_prices_keep_their_digits) {
  auto r = full_report();
  r["symbol"] = "shib";
  r["price_usd"] = 0.00001234;
  const auto page = render(r, language::en);
  EXPECT_THAT(page, HasSubstr("$0.00001234"));
  EXPECT_THAT(render(r, language::vi), HasSubstr("0,00001234 USD"));
}

}  // namespace
}  // namespace cryptodash::reports
