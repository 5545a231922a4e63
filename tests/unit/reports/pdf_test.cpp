// The report PDF: content in both languages read back with poppler's pdftotext, embedded
// fonts (pdffonts), nulls and unavailable inputs, hostile text kept on the page (pdftotext
// -bbox), bad JSON, two threads at once. With REPORT_PDF_OUT=<dir> set, PDFs are also written
// there for a look (report_en.pdf, report_vi.pdf; hostile_en.pdf, hostile_vi.pdf).

#include "reports/pdf.h"

#include "core/error.h"
#include "core/json_text.h"
#include "reports/html.h"
#include "reports/summary_text.h"
#include "support/process.h"
#include "unit/reports/report_fixtures.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cryptodash::reports {
namespace {

namespace json = boost::json;
using core::errc;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace fixtures;

std::string render(const json::object& report, language lang, std::int64_t id = 42) {
  auto pdf = render_report_pdf(core::to_json(report), id, lang);
  EXPECT_TRUE(pdf.has_value()) << (pdf ? "" : pdf.error().message);
  return pdf ? *pdf : std::string();
}

// A poppler tool's output for `pdf` (written to a temp file): `tool args… file -`.
std::string poppler(const std::string& pdf, std::string_view tool,
                    std::vector<std::string> args = {}) {
  const cryptodash::testing::temp_dir dir;
  const auto file = dir.write("report.pdf", pdf);
  std::vector<std::string> argv{"/usr/bin/" + std::string(tool)};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(file.string());
  if (tool == "pdftotext") argv.emplace_back("-");
  const auto r = cryptodash::testing::run(argv);
  EXPECT_EQ(r.code, 0) << tool << ": " << r.err;
  return r.out;
}

// The text of the PDF with every run of white space (line ends included) as one space.
std::string text_of(const std::string& pdf) {
  const auto raw = poppler(pdf, "pdftotext", {"-enc", "UTF-8"});
  std::string out;
  for (char c : raw) {
    const bool space = c == ' ' || c == '\n' || c == '\f' || c == '\t';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  return out;
}

void expect_a_whole_pdf(const std::string& pdf) {
  EXPECT_TRUE(pdf.starts_with("%PDF-")) << pdf.substr(0, 16);
  EXPECT_TRUE(pdf.ends_with("%%EOF") || pdf.ends_with("%%EOF\n"));
}

struct layout_check {
  int pages = 0;
  int words = 0;
  std::vector<std::string> outside;  // words not within the page's margins
};

// Every word's box (pdftotext -bbox) within the page, 36 pt of margin on each side.
layout_check words_on_pages(const std::string& pdf) {
  const auto html = poppler(pdf, "pdftotext", {"-bbox", "-enc", "UTF-8"});
  const std::regex page(R"re(<page width="([0-9.]+)" height="([0-9.]+)">)re");
  const std::regex word(
      R"re(<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">([^<]*)</word>)re");
  layout_check r;
  double width = 0, height = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), page); it != std::sregex_iterator();
       ++it) {
    ++r.pages;
    width = std::stod((*it)[1]);
    height = std::stod((*it)[2]);
  }
  for (auto it = std::sregex_iterator(html.begin(), html.end(), word); it != std::sregex_iterator();
       ++it) {
    ++r.words;
    const double left = std::stod((*it)[1]), top = std::stod((*it)[2]);
    const double right = std::stod((*it)[3]), bottom = std::stod((*it)[4]);
    if (left < 36 || top < 30 || right > width - 36 || bottom > height - 24) {
      r.outside.push_back(fmt::format("{} at ({:.1f},{:.1f})-({:.1f},{:.1f})",
                                      std::string((*it)[5]).substr(0, 40), left, top, right,
                                      bottom));
    }
  }
  return r;
}

int pages_of(const std::string& pdf) {
  const auto info = poppler(pdf, "pdfinfo");
  std::smatch m;
  return std::regex_search(info, m, std::regex(R"(Pages:\s+(\d+))")) ? std::stoi(m[1]) : -1;
}

// The full report in `lang` as report #`id`: a whole PDF of one page holding every text of
// `expected` and the summary, no word off the page. Returns the PDF and its text.
std::pair<std::string, std::string> full_report_holds(language lang, std::int64_t id,
                                                      std::vector<std::string_view> expected) {
  const auto r = full_report();
  auto pdf = render(r, lang, id);
  expect_a_whole_pdf(pdf);
  auto text = text_of(pdf);
  for (auto s : expected) EXPECT_THAT(text, HasSubstr(s));
  // The summary reads as one paragraph, whatever its line breaks.
  const auto summary = r.at("summary").at(lang == language::en ? "en" : "vi").as_string();
  EXPECT_THAT(text, HasSubstr(std::string(summary)));
  EXPECT_EQ(pages_of(pdf), 1);
  const auto layout = words_on_pages(pdf);
  EXPECT_GT(layout.words, 100);
  EXPECT_THAT(layout.outside, ::testing::IsEmpty());
  return {std::move(pdf), std::move(text)};
}

TEST(report_pdf, full_report_in_english) {
  const auto [pdf, text] = full_report_holds(language::en, 42,
                                             {"cryptodash",
                                              "BTC market report",
                                              "1 day",
                                              "Created Nov 22, 2026, 10:30 UTC",
                                              "Report #42",
                                              "$64,321.50",
                                              "+2.14%",
                                              "Price over the past 24 hours",
                                              "24 candles of 1h · UTC",
                                              "64,000",
                                              "Nov 22",
                                              "16:00",
                                              "$1.27T",
                                              "$2.41T",
                                              "$31.00B",
                                              "52.3%",
                                              "21,034.50 BTC",
                                              "58.2",
                                              "Neutral",
                                              "$63,010.70",
                                              "Signal 98.20 · Histogram 22.30",
                                              "Greed",
                                              "72",
                                              "FEAR & GREED INDEX",
                                              "Fresh",
                                              "Stale · 1 h 10 min",
                                              "Reason: timeout after 10000 ms",
                                              "Data from CoinGecko",
                                              "Page 1"});
  EXPECT_THAT(text, Not(HasSubstr("Unavailable")));
  EXPECT_THAT(poppler(pdf, "pdfinfo"), HasSubstr("BTC market report — 1 day"));
  if (const char* dir = std::getenv("REPORT_PDF_OUT")) {
    std::ofstream(std::string(dir) + "/report_en.pdf", std::ios::binary) << pdf;
    std::ofstream(std::string(dir) + "/report_vi.pdf", std::ios::binary)
        << render(full_report(), language::vi);
  }
}

TEST(report_pdf, full_report_in_vietnamese) {
  full_report_holds(language::vi, 7,
                    {"Báo cáo thị trường",
                     "Báo cáo thị trường BTC",
                     "1 ngày",
                     "Báo cáo số 7",
                     "Tạo lúc 10:30 UTC, ngày 22/11/2026",
                     "64.321,50 USD",
                     "1,27 nghìn tỷ USD",
                     "52,3%",
                     "21.034,50 BTC",
                     "64.000",
                     "22/11",
                     "Giá trong 24 giờ qua",
                     "THỊ TRƯỜNG CHUNG",
                     "CHỈ SỐ SỢ HÃI & THAM LAM",
                     "CHỈ BÁO KỸ THUẬT (1H)",
                     "Tổng vốn hóa",
                     "Tỷ trọng BTC",
                     "Cao nhất",
                     "Thấp nhất",
                     "Tín hiệu",
                     "Trung tính",
                     "Tham lam",
                     "Mới",
                     "Cũ · 1 giờ 10 phút",
                     "Lý do: hết thời gian chờ sau 10000 ms",
                     "Trang 1"});
}

TEST(report_pdf, fonts_are_dejavu_and_embedded) {
  const auto fonts = poppler(render(full_report(), language::vi), "pdffonts");
  // name, type (may hold a space), encoding, emb, sub, uni, object, generation.
  int dejavu = 0, rows = 0;
  std::istringstream lines(fonts);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.starts_with("name") || line.starts_with("---")) continue;
    ++rows;
    std::vector<std::string> cols;
    std::istringstream words(line);
    for (std::string w; words >> w;) cols.push_back(w);
    ASSERT_GE(cols.size(), 7u) << line;
    EXPECT_EQ(cols[cols.size() - 5], "yes") << "not embedded: " << line;
    if (line.find("DejaVuSans") != std::string::npos) ++dejavu;
  }
  EXPECT_GE(dejavu, 2) << fonts;  // regular and bold
  EXPECT_EQ(dejavu, rows) << fonts;
}

// Every figure null, every input but the market unavailable, no candles.
TEST(report_pdf, nulls_show_a_dash_and_the_unavailable_reason) {
  auto r = full_report();
  for (std::string_view key :
       {"change_pct", "high", "low", "volume", "market_cap_usd", "change_24h_pct", "volume_24h_usd",
        "btc_dominance_pct", "eth_dominance_pct", "total_market_cap_usd", "fear_greed",
        "indicators"}) {
    r[key] = nullptr;
  }
  r["timeframe"] = "1w";
  r["candles"] = json::array{};
  r.erase("summary");
  for (std::string_view key : {"candles", "global", "fear_greed"}) {
    r["sources"].as_object()[key] = source("unavailable", std::nullopt, "circuit open");
  }
  r["sources"].as_object()["indicators"] =
      source("unavailable", std::nullopt, "macd: circuit open; bbands: not found");

  const auto en = render(r, language::en);
  expect_a_whole_pdf(en);
  const auto text = text_of(en);
  EXPECT_THAT(text, HasSubstr("BTC market report"));
  EXPECT_THAT(text, HasSubstr("1 week"));
  EXPECT_THAT(text, HasSubstr("$64,321.50"));
  // 24h change, market cap, 24h volume, period change, high, low, volume, total cap, two
  // dominances, Fear & Greed, RSI, SMA, EMA, MACD, Bollinger: 16 figures, none made up.
  EXPECT_GE(count(text, "—"), 16u);
  EXPECT_GE(count(text, "Unavailable"), 5u);
  EXPECT_THAT(text, HasSubstr("Reason: circuit open"));
  EXPECT_THAT(text, HasSubstr("Reason: macd: circuit open; bbands: not found"));
  EXPECT_THAT(text, HasSubstr("No candles for this period."));
  EXPECT_THAT(text, Not(HasSubstr("$0.00")));

  const auto vi = text_of(render(r, language::vi));
  EXPECT_THAT(vi, HasSubstr("Không có dữ liệu"));
  EXPECT_THAT(vi, HasSubstr("Lý do: cầu dao đang mở (nguồn tạm ngưng)"));
  EXPECT_THAT(vi, HasSubstr("Không có nến cho giai đoạn này."));
}

// The same refusals as the HTML page, word for word.
TEST(report_pdf, bad_json_is_the_pages_error_not_a_document) {
  for (std::string_view bad :
       {"", "{", "7", "[]", "[{\"symbol\": \"eth\", \"timeframe\": \"1w\"}]",
        "{\"timeframe\": \"1w\"}", "{\"symbol\": null, \"timeframe\": \"1w\"}",
        "{\"symbol\": \"eth\", \"timeframe\": 1}", "{\"symbol\": \"eth\", \"timeframe\": \"\"}"}) {
    const auto pdf = render_report_pdf(bad, 1, language::vi);
    const auto page = render_report_html(bad, 1, language::vi);
    ASSERT_FALSE(pdf.has_value()) << bad;
    ASSERT_FALSE(page.has_value()) << bad;
    EXPECT_EQ(pdf.error().code, make_error_code(errc::invalid_argument)) << bad;
    EXPECT_EQ(pdf.error().message, page.error().message) << bad;
  }
}

// Long and hostile texts, numbers at the ends of what a double holds, 2000 candles: the
// document is made, spans pages, and no word leaves the page.
TEST(report_pdf, hostile_text_and_extreme_numbers_stay_on_the_page) {
  auto r = full_report();
  std::string summary;
  for (int i = 0; i < 1200; ++i) summary += fmt::format("Sentence {} of a long summary. ", i);
  summary += std::string(3000, 'W') + " <script>alert(1)</script> end of summary";
  r["summary"] = json::object{{"en", summary}, {"vi", summary}};
  r["symbol"] = std::string(300, 'x') + "<script>";
  r["timeframe"] = std::string(200, 'T');
  r["created_at"] = std::string(500, 'C');
  r["candle_interval"] = std::string(400, 'i');
  r["price_usd"] = 1.7e308;
  r["market_cap_usd"] = -1.7e308;
  r["change_pct"] = 1e300;
  r["volume"] = 1e250;
  r["btc_dominance_pct"] = -1e-300;
  r["fear_greed"] = json::object{{"value", 1e9}, {"classification", std::string(2000, 'G')}};
  r["indicators"].as_object()["rsi_14"] = -1e300;
  r["sources"].as_object()["global"] = source("unavailable", 1000000000, std::string(5000, 'r'));
  r["sources"].as_object()["market"] = source("stale", 0);
  r["sources"].as_object()["market"].as_object()["age_s"] = 1e300;
  json::array candles;
  for (int i = 0; i < 2000; ++i) {
    const double p = i % 7 == 0 ? 1e300 : i % 5 == 0 ? 1e-300 : 100.0 + i;
    candles.push_back(json::array{1795341600000LL - (1999 - i) * 60000LL, p, p * 1.5, p / 2, p,
                                  i % 3 == 0 ? 1e300 : 5.0});
  }
  r["candles"] = std::move(candles);

  for (auto lang : {language::en, language::vi}) {
    const auto pdf = render(r, lang);
    expect_a_whole_pdf(pdf);
    if (const char* dir = std::getenv("REPORT_PDF_OUT")) {
      std::ofstream(fmt::format("{}/hostile_{}.pdf", dir, lang == language::en ? "en" : "vi"),
                    std::ios::binary)
          << pdf;
    }
    const auto layout = words_on_pages(pdf);
    EXPECT_GE(layout.pages, 2);
    EXPECT_EQ(layout.pages, pages_of(pdf));
    EXPECT_THAT(layout.outside, ::testing::IsEmpty());
    // (Found or not: the text is pages long, so no dump of it.)
    const auto text = text_of(pdf);
    EXPECT_TRUE(text.find("Sentence 1199 of a long summary.") != std::string::npos);
    EXPECT_TRUE(text.find("<script>alert(1)</script> end of summary") != std::string::npos);
    // The newest 1000 candles are drawn.
    EXPECT_TRUE(text.find(lang == language::en ? "1000 candles" : "1000 nến") != std::string::npos);
  }
}

TEST(report_pdf, the_same_report_gives_the_same_bytes) {
  const auto r = full_report();
  EXPECT_EQ(render(r, language::en), render(r, language::en));
  EXPECT_NE(render(r, language::en), render(r, language::vi));
}

// Rendering runs on a pool of blocking threads: two threads asking at once (render_report_pdf
// lets one document render at a time, over one shared font map) get what one alone gets.
TEST(report_pdf, two_threads_render_at_once) {
  const auto body = core::to_json(full_report());
  const auto alone_en = render_report_pdf(body, 1, language::en);
  const auto alone_vi = render_report_pdf(body, 1, language::vi);
  ASSERT_TRUE(alone_en && alone_vi);
  std::vector<report_result> en(3), vi(3);
  std::thread a([&] {
    for (auto& r : en) r = render_report_pdf(body, 1, language::en);
  });
  std::thread b([&] {
    for (auto& r : vi) r = render_report_pdf(body, 1, language::vi);
  });
  a.join();
  b.join();
  for (const auto& r : en) {
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(*r, *alone_en);
  }
  for (const auto& r : vi) {
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(*r, *alone_vi);
  }
}

}  // namespace
}  // namespace cryptodash::reports
