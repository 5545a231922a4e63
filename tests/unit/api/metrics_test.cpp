#include "api/metrics.h"

#include "support/prometheus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cryptodash::api {
namespace {

using test::parse_prometheus;
using test::parsed;
using test::sum_of;
using test::value_of;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Parses `text`, failing the test (with the parser's reason and the text) if it is not valid.
parsed parse_ok(const std::string& text) {
  std::string error;
  auto p = parse_prometheus(text, &error);
  if (!p) {
    ADD_FAILURE() << "not valid exposition: " << error << "\n" << text;
    return {};
  }
  return *p;
}

// The parser's complaint about `text`, or "" if it accepts it.
std::string parse_error(std::string_view text) {
  std::string error;
  if (parse_prometheus(text, &error)) return "";
  EXPECT_FALSE(error.empty());
  return error;
}

// ---- registry ---------------------------------------------------------------------------------

TEST(Metrics, ContentTypeIsTextFormat004) {
  EXPECT_EQ(metrics::content_type, "text/plain; version=0.0.4; charset=utf-8");
}

TEST(Metrics, EmptyRegistryRendersNothing) {
  metrics m;
  EXPECT_EQ(m.render(), "");
}

TEST(Metrics, CountersRenderAndParse) {
  metrics m;
  auto& requests = m.counter("http_requests_total", "HTTP requests answered.", {"route", "code"});
  auto& starts = m.counter("process_starts_total", "Starts.");
  requests.with({"/api/summary", "200"}).inc();
  requests.with({"/api/summary", "200"}).inc(4);
  requests.with({"/api/quotes", "503"}).inc(2);

  std::string text = m.render();
  parsed p = parse_ok(text);
  EXPECT_EQ(p.types["http_requests_total"], "counter");
  EXPECT_EQ(p.helps["http_requests_total"], "HTTP requests answered.");
  EXPECT_EQ(value_of(p, "http_requests_total", {{"route", "/api/summary"}, {"code", "200"}}), 5);
  EXPECT_EQ(value_of(p, "http_requests_total", {{"route", "/api/quotes"}, {"code", "503"}}), 2);
  EXPECT_EQ(sum_of(p, "http_requests_total"), 7);
  // A family without labels is exported at 0 before anything happens.
  EXPECT_EQ(value_of(p, "process_starts_total"), 0);
  starts.with({}).inc();
  EXPECT_EQ(value_of(parse_ok(m.render()), "process_starts_total"), 1);

  // Children sorted by label values: the output is deterministic.
  EXPECT_NE(text.find("http_requests_total{route=\"/api/quotes\",code=\"503\"} 2\n"
                      "http_requests_total{route=\"/api/summary\",code=\"200\"} 5\n"),
            std::string::npos)
      << text;
}

TEST(Metrics, WithReturnsTheSameChildEveryTime) {
  metrics m;
  auto& f = m.counter("c_total", "", {"a"});
  counter& first = f.with({"x"});
  EXPECT_EQ(&first, &f.with({"x"}));
  std::vector<std::string_view> values{"x"};
  EXPECT_EQ(&first, &f.with(values));
  EXPECT_NE(&first, &f.with({"y"}));
}

TEST(Metrics, ManyChildrenSurviveTheIndexGrowing) {
  metrics m;
  auto& f = m.counter("c_total", "", {"k", "v"});
  std::vector<counter*> children;
  for (int i = 0; i < 1000; ++i) {
    std::string k = std::to_string(i);
    children.push_back(&f.with({k, "v"}));
    children.back()->inc(static_cast<std::uint64_t>(i));
  }
  for (int i = 0; i < 1000; ++i) {
    std::string k = std::to_string(i);
    ASSERT_EQ(children[static_cast<std::size_t>(i)], &f.with({k, "v"})) << i;
  }
  parsed p = parse_ok(m.render());
  EXPECT_EQ(p.samples.size(), 1000u);
  EXPECT_EQ(value_of(p, "c_total", {{"k", "999"}, {"v", "v"}}), 999);
  EXPECT_EQ(sum_of(p, "c_total", {{"v", "v"}}), 999.0 * 1000 / 2);
}

TEST(Metrics, LabelValuesAreNotConfusedAcrossBoundaries) {
  metrics m;
  auto& f = m.counter("c_total", "", {"a", "b"});
  f.with({"ab", ""}).inc(1);
  f.with({"a", "b"}).inc(2);
  f.with({"", "ab"}).inc(3);
  parsed p = parse_ok(m.render());
  EXPECT_EQ(value_of(p, "c_total", {{"a", "ab"}, {"b", ""}}), 1);
  EXPECT_EQ(value_of(p, "c_total", {{"a", "a"}, {"b", "b"}}), 2);
  EXPECT_EQ(value_of(p, "c_total", {{"a", ""}, {"b", "ab"}}), 3);
}

TEST(Metrics, WrongNumberOfLabelValuesGetsADetachedChild) {
  metrics m;
  auto& f = m.counter("c_total", "", {"a", "b"});
  f.with({"only_one"}).inc(7);
  f.with({"1", "2", "3"}).inc(7);
  parsed p = parse_ok(m.render());
  EXPECT_TRUE(p.samples.empty());
}

TEST(Metrics, HistogramRendersCumulativeBuckets) {
  metrics m;
  auto& f = m.histogram("request_seconds", "Request latency.", {"route"}, {0.1, 0.5, 1});
  histogram& h = f.with({"/a"});
  h.observe(0.05);
  h.observe(0.1);  // on the bound: le is inclusive
  h.observe(0.3);
  h.observe(2);
  h.observe(2);

  std::string text = m.render();
  parsed p = parse_ok(text);
  EXPECT_EQ(p.types["request_seconds"], "histogram");
  auto bucket = [&](const char* le) {
    return value_of(p, "request_seconds_bucket", {{"route", "/a"}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.1"), 2);
  EXPECT_EQ(bucket("0.5"), 3);
  EXPECT_EQ(bucket("1"), 3);
  EXPECT_EQ(bucket("+Inf"), 5);
  EXPECT_EQ(value_of(p, "request_seconds_count", {{"route", "/a"}}), 5);
  EXPECT_DOUBLE_EQ(value_of(p, "request_seconds_sum", {{"route", "/a"}}), 4.45);
  EXPECT_NE(text.find("request_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"), std::string::npos)
      << text;

  histogram::snapshot s = h.read();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{2, 3, 3, 5}));
  EXPECT_EQ(s.count(), 5u);
}

TEST(Metrics, HistogramWithoutLabelsAndNaN) {
  metrics m;
  auto& f = m.histogram("job_seconds", "", {}, {1, 2, inf});  // a final +Inf is implicit anyway
  EXPECT_EQ(f.upper_bounds(), (std::vector<double>{1, 2}));
  parsed p = parse_ok(m.render());
  EXPECT_EQ(value_of(p, "job_seconds_count"), 0);
  EXPECT_EQ(value_of(p, "job_seconds_bucket", {{"le", "+Inf"}}), 0);

  f.with({}).observe(nan);
  p = parse_ok(m.render());
  EXPECT_EQ(value_of(p, "job_seconds_bucket", {{"le", "2"}}), 0);
  EXPECT_EQ(value_of(p, "job_seconds_bucket", {{"le", "+Inf"}}), 1);
  EXPECT_TRUE(std::isnan(value_of(p, "job_seconds_sum")));
}

TEST(Metrics, HistogramBoundsAreValidated) {
  metrics m;
  EXPECT_THROW(m.histogram("h1", "", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(m.histogram("h2", "", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(m.histogram("h3", "", {}, {nan}), std::invalid_argument);
  EXPECT_THROW(m.histogram("h4", "", {}, {-inf, 1}), std::invalid_argument);
  EXPECT_THROW(m.histogram("h5", "", {"le"}, {1}), std::invalid_argument);
  EXPECT_NO_THROW(m.histogram("h6", "", {}, {}));  // just +Inf
}

TEST(Metrics, NamesAreValidatedAtRegistration) {
  metrics m;
  EXPECT_THROW(m.counter("", ""), std::invalid_argument);
  EXPECT_THROW(m.counter("1abc", ""), std::invalid_argument);
  EXPECT_THROW(m.counter("a-b", ""), std::invalid_argument);
  EXPECT_THROW(m.counter("a b", ""), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "", {"1x"}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok", "", {""}), std::invalid_argument);
  EXPECT_NO_THROW(m.counter("ns:sub_system_total", "", {"_a", "b9"}));
}

TEST(Metrics, ReRegistrationReturnsTheSameFamilyOrThrows) {
  metrics m;
  auto& a = m.counter("c_total", "help", {"x"});
  EXPECT_EQ(&a, &m.counter("c_total", "other help is fine", {"x"}));
  EXPECT_THROW(m.counter("c_total", "", {"y"}), std::invalid_argument);
  EXPECT_THROW(m.histogram("c_total", "", {"x"}, {1}), std::invalid_argument);

  auto& h = m.histogram("lat", "", {}, {1, 2});
  EXPECT_EQ(&h, &m.histogram("lat", "", {}, {1, 2}));
  EXPECT_THROW(m.histogram("lat", "", {}, {1, 3}), std::invalid_argument);
  EXPECT_THROW(m.counter("lat", ""), std::invalid_argument);
  // The histogram's own series names are taken too.
  EXPECT_THROW(m.counter("lat_count", ""), std::invalid_argument);
  EXPECT_THROW(m.counter("lat_bucket", ""), std::invalid_argument);
}

TEST(Metrics, FamiliesInRegistrationOrderThenCollectors) {
  metrics m;
  m.counter("zz_total", "");
  m.add_collector([](exposition& out) {
    out.family("aa_collected", "", metric_type::gauge);
    out.sample("aa_collected", {}, 1);
  });
  m.histogram("mm_seconds", "", {}, {1});
  m.counter("aa_total", "");
  std::string text = m.render();
  auto zz = text.find("# TYPE zz_total");
  auto mm = text.find("# TYPE mm_seconds");
  auto aa = text.find("# TYPE aa_total");
  auto col = text.find("# TYPE aa_collected");
  EXPECT_LT(zz, mm);
  EXPECT_LT(mm, aa);
  EXPECT_LT(aa, col);
  EXPECT_NE(col, std::string::npos);
  parse_ok(text);
}

// ---- collectors and number formatting ---------------------------------------------------------

TEST(Metrics, CollectorsWriteGaugesAndCounters) {
  metrics m;
  m.add_collector([](exposition& out) {
    out.family("cache_entries", "Entries per tier.", metric_type::gauge);
    out.sample("cache_entries", {{"tier", "l1"}}, 42);
    out.sample("cache_entries", {{"tier", "disk"}}, 1234567);
    std::string tier = "redis";  // labels may be built at run time, too
    std::vector<exposition::label> labels{{"tier", tier}};
    out.sample("cache_entries", labels, 0);
    out.family("upstream_calls_total", "", metric_type::counter);
    out.sample("upstream_calls_total", {{"upstream", "coingecko"}, {"outcome", "ok"}}, 17);
  });
  m.add_collector([](exposition& out) {
    out.family("breaker_open", "1 while the circuit is open.", metric_type::gauge);
    out.sample("breaker_open", {{"upstream", "binance"}}, 1);
  });
  std::string text = m.render();
  parsed p = parse_ok(text);
  EXPECT_EQ(p.types["cache_entries"], "gauge");
  EXPECT_EQ(p.types["upstream_calls_total"], "counter");
  EXPECT_EQ(p.helps["breaker_open"], "1 while the circuit is open.");
  EXPECT_EQ(value_of(p, "cache_entries", {{"tier", "l1"}}), 42);
  EXPECT_EQ(value_of(p, "cache_entries", {{"tier", "redis"}}), 0);
  EXPECT_EQ(sum_of(p, "cache_entries"), 42 + 1234567);
  EXPECT_EQ(sum_of(p, "upstream_calls_total", {{"upstream", "coingecko"}}), 17);
  EXPECT_EQ(value_of(p, "breaker_open", {{"upstream", "binance"}}), 1);
  EXPECT_NE(text.find("cache_entries{tier=\"l1\"} 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cache_entries{tier=\"disk\"} 1234567\n"), std::string::npos) << text;
  EXPECT_EQ(m.collector_errors(), 0u);
}

TEST(Metrics, NumbersAreWrittenAsPrometheusReadsThem) {
  const std::pair<double, const char*> cases[] = {
      {42, "42"},      {-3, "-3"},
      {0, "0"},        {-0.0, "0"},
      {0.25, "0.25"},  {0.1, "0.1"},
      {1e-7, "1e-07"}, {9007199254740992.0, "9007199254740992"},
      {1e20, "1e+20"}, {123456.789, "123456.789"},
      {inf, "+Inf"},   {-inf, "-Inf"},
      {nan, "NaN"},
  };
  metrics m;
  m.add_collector([&](exposition& out) {
    out.family("g", "", metric_type::gauge);
    int i = 0;
    for (const auto& c : cases) out.sample("g", {{"i", std::to_string(i++)}}, c.first);
  });
  std::string text = m.render();
  parsed p = parse_ok(text);
  int i = 0;
  for (const auto& [v, spelled] : cases) {
    std::string idx = std::to_string(i++);
    std::string line = "g{i=\"" + idx + "\"} " + spelled + "\n";
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
    double got = value_of(p, "g", {{"i", idx}});
    if (std::isnan(v)) {
      EXPECT_TRUE(std::isnan(got));
    } else {
      EXPECT_EQ(got, v) << spelled;  // exact round trip
    }
  }
}

TEST(Metrics, CollectorMistakesAreDroppedAndCounted) {
  metrics m;
  m.counter("registered_total", "");
  m.histogram("lat_seconds", "", {}, {1});
  m.add_collector([](exposition& out) {
    out.sample("orphan", {}, 1);                               // 1: outside a family
    out.family("bad-name", "", metric_type::gauge);            // 2: invalid name
    out.sample("bad-name", {}, 1);                             //    dropped with it
    out.family("registered_total", "", metric_type::counter);  // 3: taken by the registry
    out.sample("registered_total", {}, 5);
    out.family("lat_seconds_count", "", metric_type::gauge);  // 4: a histogram's series
    out.family("good", "", metric_type::gauge);
    out.sample("good", {{"a", "1"}}, 1);
    out.sample("other", {}, 2);                       // 5: not the family's name
    out.sample("good", {{"1a", "x"}}, 3);             // 6: invalid label name
    out.sample("good", {{"b", "x"}, {"b", "y"}}, 4);  // 7: repeated label
    out.sample("good", {{"__name__", "x"}}, 4);       // 8: reserved label
    out.family("good", "", metric_type::gauge);       // 9: written twice
    out.sample("good", {{"a", "2"}}, 1);
  });
  m.add_collector([](exposition& out) {
    out.family("partial", "", metric_type::gauge);
    out.sample("partial", {}, 1);
    throw std::runtime_error("boom");  // 10
  });
  m.add_collector([](exposition& out) {
    out.sample("partial", {}, 2);  // 11: a new collector starts outside any family
    out.family("after", "", metric_type::gauge);
    out.sample("after", {}, 3);
  });

  std::string text = m.render();
  parsed p = parse_ok(text);
  EXPECT_EQ(m.collector_errors(), 11u);
  EXPECT_EQ(value_of(p, "registered_total"), 0);
  EXPECT_EQ(value_of(p, "good", {{"a", "1"}}), 1);
  EXPECT_EQ(sum_of(p, "good"), 1);
  EXPECT_EQ(value_of(p, "partial"), 1);
  EXPECT_EQ(value_of(p, "after"), 3);
  EXPECT_EQ(text.find("orphan"), std::string::npos);
  EXPECT_EQ(text.find("bad-name"), std::string::npos);

  m.render();
  EXPECT_EQ(m.collector_errors(), 22u);
}

// ---- escaping ---------------------------------------------------------------------------------

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  metrics m;
  const std::string tricky = "back\\slash \"quoted\"\nnew line {x=\"y\"}, é";
  auto& f = m.counter("esc_total", "Help with \\ and\nnewline and \"quotes\".", {"v"});
  f.with({tricky}).inc(3);
  m.add_collector([&](exposition& out) {
    out.family("esc_gauge", "", metric_type::gauge);
    out.sample("esc_gauge", {{"v", tricky}}, 1);
  });
  std::string text = m.render();
  EXPECT_NE(text.find("# HELP esc_total Help with \\\\ and\\nnewline and \"quotes\".\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(esc_total{v="back\\slash \"quoted\"\nnew line {x=\"y\"}, é"} 3)"),
            std::string::npos)
      << text;
  parsed p = parse_ok(text);
  EXPECT_EQ(p.helps["esc_total"], "Help with \\ and\nnewline and \"quotes\".");
  EXPECT_EQ(value_of(p, "esc_total", {{"v", tricky}}), 3);
  EXPECT_EQ(value_of(p, "esc_gauge", {{"v", tricky}}), 1);
}

TEST(Metrics, InvalidUtf8IsReplaced) {
  metrics m;
  auto& f = m.counter("u_total", "bad \xff help", {"v"});
  f.with({"a\xc3"}).inc();          // truncated sequence
  f.with({"b\xed\xa0\x80"}).inc();  // a surrogate
  std::string text = m.render();
  parsed p = parse_ok(text);
  EXPECT_EQ(p.helps["u_total"], "bad \xEF\xBF\xBD help");
  EXPECT_EQ(value_of(p, "u_total", {{"v", "a\xEF\xBF\xBD"}}), 1);
  EXPECT_EQ(value_of(p, "u_total", {{"v", "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}}), 1);
}

// ---- concurrency ------------------------------------------------------------------------------

TEST(Metrics, ConcurrentIncrementsSumExactly) {
  metrics m;
  auto& f = m.counter("work_total", "", {"worker"});
  auto& lat = m.histogram("work_seconds", "", {"worker"}, {0.001, 0.01, 0.1});
  counter& shared = m.counter("shared_total", "").with({});
  constexpr int threads = 4;
  constexpr int per_thread = 100'000;

  std::atomic<int> running{threads};
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::string me = std::to_string(t);
      for (int i = 0; i < per_thread; ++i) {
        shared.inc();
        // Looked up every time on purpose: with() of existing children races with creation of
        // new ones (each thread adds its own) and with render().
        f.with({me}).inc();
        if (i % 100 == 0) lat.with({me}).observe(0.005);
        if (i % 10'000 == 0) f.with({me, "wrong arity"}).inc();
      }
      running.fetch_sub(1);
    });
  }
  // Scrape while they work: every render must be valid.
  int renders = 0;
  while (running.load() > 0 || renders == 0) {
    parsed p = parse_ok(m.render());
    EXPECT_LE(value_of(p, "shared_total"), threads * per_thread);
    ++renders;
  }
  for (auto& th : pool) th.join();

  parsed p = parse_ok(m.render());
  EXPECT_EQ(value_of(p, "shared_total"), threads * per_thread);
  EXPECT_EQ(sum_of(p, "work_total"), threads * per_thread);
  for (int t = 0; t < threads; ++t) {
    std::string me = std::to_string(t);
    EXPECT_EQ(value_of(p, "work_total", {{"worker", me}}), per_thread);
    EXPECT_EQ(value_of(p, "work_seconds_count", {{"worker", me}}), per_thread / 100);
    EXPECT_EQ(value_of(p, "work_seconds_bucket", {{"worker", me}, {"le", "0.01"}}),
              per_thread / 100);
  }
  EXPECT_NEAR(sum_of(p, "work_seconds_sum"), threads * per_thread * 0.005 / 100, 1e-9);
}

// ---- the test parser itself -------------------------------------------------------------------

TEST(PrometheusParser, AcceptsTheFullGrammar) {
  const std::string text =
      "# A free comment\n"
      "#another one\n"
      "\n"
      "# HELP a_total Some \\\\ help\\n.\n"
      "# TYPE a_total counter\n"
      "a_total{x=\"1\",y=\"q\\\"\\\\\\n\"} 3 1700000000000\n"
      "a_total{ x = \"2\" , } 4.5e1\n"
      "  a_total{} 0  \n"
      "# TYPE g gauge\n"
      "g +Inf\n"
      "g{s=\"-\"} -Inf\n"
      "g{s=\"n\"} NaN\n"
      "g{s=\"p\"} +12\n"
      "g{s=\"d\"} .5\n"
      "untyped_thing -1\n"
      "# HELP h\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"0.5\"} 1\n"
      "h_bucket{le=\"1\"} 1\n"
      "h_bucket{le=\"+Inf\"} 2\n"
      "h_sum 3.5\n"
      "h_count 2\n"
      "# TYPE s summary\n"
      "s{quantile=\"0.5\"} 1\n"
      "s_sum 2\n"
      "s_count 2\n";
  parsed p = parse_ok(text);
  EXPECT_EQ(p.samples.size(), 17u);
  EXPECT_EQ(p.helps["a_total"], "Some \\ help\n.");
  EXPECT_EQ(p.helps["h"], "");
  EXPECT_EQ(p.types["h"], "histogram");
  EXPECT_EQ(value_of(p, "a_total", {{"x", "1"}, {"y", "q\"\\\n"}}), 3);
  EXPECT_EQ(value_of(p, "a_total", {{"x", "2"}}), 45);
  EXPECT_EQ(value_of(p, "a_total"), 0);
  EXPECT_EQ(value_of(p, "g"), inf);
  EXPECT_EQ(value_of(p, "g", {{"s", "-"}}), -inf);
  EXPECT_TRUE(std::isnan(value_of(p, "g", {{"s", "n"}})));
  EXPECT_EQ(value_of(p, "g", {{"s", "p"}}), 12);
  EXPECT_EQ(value_of(p, "g", {{"s", "d"}}), 0.5);
  EXPECT_EQ(value_of(p, "untyped_thing"), -1);
  EXPECT_TRUE(std::isnan(value_of(p, "absent")));
  EXPECT_TRUE(std::isnan(value_of(p, "a_total", {{"x", "9"}})));
  EXPECT_EQ(sum_of(p, "a_total"), 48);
  EXPECT_EQ(sum_of(p, "a_total", {{"x", "1"}}), 3);
  EXPECT_EQ(sum_of(p, "absent"), 0);

  EXPECT_EQ(parse_error(""), "");
  EXPECT_EQ(parse_error("\n\n"), "");
}

TEST(PrometheusParser, RejectsMalformedLines) {
  const std::pair<const char*, const char*> bad[] = {
      {"1abc 1\n", "invalid metric name"},
      {"a-b 1\n", "unexpected '-'"},
      {"a{1x=\"v\"} 1\n", "invalid label name"},
      {"a{x-y=\"v\"} 1\n", "expected '='"},
      {"a{x=\"v} 1\n", "unterminated label value"},
      {"a{x=\"v\\\"} 1\n", "unterminated label value"},
      {"a{x=\"v\" 1\n", "expected ',' or '}'"},
      {"a{x=\"v\",\n", "unterminated label set"},
      {"a{x=v} 1\n", "expected '\"'"},
      {"a{x=\"\\t\"} 1\n", "invalid escape"},
      {"a{x=\"1\",x=\"2\"} 1\n", "repeated"},
      {"a{x=\"\xff\"} 1\n", "UTF-8"},
      {"a\n", "without a value"},
      {"a{} \n", "invalid value"},
      {"a 1x\n", "invalid value"},
      {"a inf\n", "invalid value"},
      {"a nan\n", "invalid value"},
      {"a 0x10\n", "invalid value"},
      {"a 1 2.5\n", "invalid timestamp"},
      {"a 1 2 3\n", "unexpected text"},
      {"a 1", "newline"},
      {"a 1\r\n", "invalid value"},
      {"# TYPE a counter\n# TYPE a counter\na 1\n", "second TYPE"},
      {"# TYPE a counter\n# TYPE a gauge\n", "second TYPE"},
      {"# HELP a x\n# HELP a y\n", "second HELP"},
      {"# HELP a bad \\t escape\n", "invalid escape"},
      {"# TYPE a flux\n", "unknown type"},
      {"# TYPE a\n", "unknown type"},
      {"# TYPE\n", "without a metric name"},
      {"# TYPE 9a counter\n", "invalid metric name"},
      {"# TYPE a counter extra\n", "unexpected text"},
      {"a 1\n# TYPE a gauge\n", "after a sample"},
      {"h_bucket{le=\"1\"} 1\n# TYPE h histogram\n", "after a sample"},
      {"a 1\na 2\n", "written twice"},
      {"a{x=\"1\"} 1\nb 1\na{x=\"2\"} 1\n", "not written together"},
      {"# TYPE c counter\nc -1\n", ">= 0"},
      {"# TYPE c counter\nc NaN\n", ">= 0"},
  };
  for (const auto& [text, why] : bad) {
    std::string error = parse_error(text);
    EXPECT_NE(error.find(why), std::string::npos)
        << "input: " << text << "\nerror: " << error << "\nexpected: " << why;
  }
}

TEST(PrometheusParser, RejectsBrokenHistograms) {
  const std::string head = "# TYPE h histogram\n";
  const std::pair<std::string, const char*> bad[] = {
      {"h_bucket 1\nh_sum 1\nh_count 1\n", "without an le"},
      {"h_bucket{le=\"x\"} 1\nh_sum 1\nh_count 1\n", "invalid le"},
      {"h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "decrease"},
      {"h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
       "increasing le"},
      {"h_bucket{le=\"1\"} 1\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "written twice"},
      {"h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "missing le=\"+Inf\""},
      {"h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "differs"},
      {"h_bucket{le=\"+Inf\"} 2\nh_sum 1\n", "missing _count"},
      {"h_bucket{le=\"+Inf\"} 2\nh_count 2\n", "missing _sum"},
      {"h_sum 1\nh_count 0\n", "no _bucket"},
      {"h_bucket{le=\"+Inf\"} 2\nh_sum{le=\"1\"} 1\nh_count 2\n", "must not have an le"},
      {"h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\nh_bucket{le=\"+Inf\",a=\"b\"} 1\n",
       "missing _count"},
      {"h_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\nh_bucket{le=\"2\"} 1\n", "after its _sum"},
      {"h 1\n", "without _bucket"},
      {"h_bucket{le=\"+Inf\"} -1\nh_sum 1\nh_count -1\n", ">= 0"},
  };
  for (const auto& [body, why] : bad) {
    std::string error = parse_error(head + body);
    EXPECT_NE(error.find(why), std::string::npos)
        << "input: " << body << "\nerror: " << error << "\nexpected: " << why;
  }
  // A histogram's series may differ in other labels, each checked on its own.
  parse_ok(head +
           "h_bucket{a=\"1\",le=\"+Inf\"} 1\nh_sum{a=\"1\"} 1\nh_count{a=\"1\"} 1\n"
           "h_bucket{a=\"2\",le=\"1\"} 0\nh_bucket{a=\"2\",le=\"+Inf\"} 3\nh_sum{a=\"2\"} 9\n"
           "h_count{a=\"2\"} 3\n");
}

TEST(PrometheusParser, ErrorsNameTheLine) {
  std::string error = parse_error("# TYPE a counter\na 1\nb{x=\"1} 2\n");
  EXPECT_EQ(error.rfind("line 3: ", 0), 0u) << error;
  EXPECT_FALSE(parse_prometheus("a{x=\"1} 2\n").has_value());  // no error string wanted
}

}  // namespace
}  // namespace cryptodash::api
