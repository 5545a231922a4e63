// The HTTP API against the fake upstream (and a real redis-server where the test needs one):
// the summary with per-source state, single flight through the cache, input validation, admin
// auth, metrics, and update-cache filling Redis for a server whose upstreams all fail.

#include "server_fixture.h"
#include "support/fake_upstream.h"
#include "support/prometheus.h"
#include "support/redis_server.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

namespace cryptodash::testing {
namespace {

namespace json = boost::json;
using cryptodash::test::parse_prometheus;
using cryptodash::test::sum_of;
using cryptodash::test::value_of;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

json::value get_json(int port, const std::string& target, unsigned expected_status = 200,
                     const std::string& headers = "") {
  auto res = http_get(port, target, headers);
  EXPECT_TRUE(res) << target;
  if (!res) return nullptr;
  EXPECT_EQ(res->result_int(), expected_status) << target << ": " << res->body();
  return json::parse(res->body());
}

std::int64_t path_calls(fake_upstream& fake, const std::string& path) {
  auto calls = fake.calls();
  const auto* p = calls.at("paths").as_object().if_contains(path);
  return p == nullptr ? 0 : p->to_number<std::int64_t>();
}

TEST(api, summary_carries_the_fakes_values_all_fresh) {
  fake_upstream fake;
  fake.set_values(R"({"coins": {"bitcoin": {"price": 64321.5, "change_24h": 2.14}},
                      "fear_greed": 72})");
  auto s = start_server({}, upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();

  auto body = get_json(s.port, "/api/crypto/dashboard-summary");
  EXPECT_EQ(body.at("btc_price_usd").to_number<double>(), 64321.5);
  EXPECT_EQ(body.at("btc_change_24h_pct").to_number<double>(), 2.14);
  EXPECT_EQ(body.at("fear_greed").at("value").to_number<int>(), 72);
  EXPECT_TRUE(body.at("fear_greed").at("classification").is_string());
  EXPECT_GT(body.at("market_cap_usd").to_number<double>(), 0);
  EXPECT_TRUE(body.at("rsi_14").is_number());
  for (const char* part : {"global", "btc_price", "fear_greed", "rsi"}) {
    const auto& src = body.at("sources").at(part);
    EXPECT_EQ(src.at("state"), "fresh") << part;
    EXPECT_TRUE(src.at("error").is_null()) << part;
  }
  // The legacy alias answers the same shape.
  EXPECT_EQ(get_json(s.port, "/api/crypto/dashboard-summary/cached").at("btc_price_usd"),
            body.at("btc_price_usd"));
}

TEST(api, a_hanging_source_costs_only_its_own_timeout_and_blanks_only_itself) {
  fake_upstream fake;
  fake.set_fault(R"({"path": "/fear_greed", "hang": true})");
  auto s = start_server({"--set", "upstreams.fear_greed.timeout_ms=1000", "--set",
                         "upstreams.fear_greed.max_retries=0"},
                        upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();

  auto started = steady::now();
  auto body = get_json(s.port, "/api/crypto/dashboard-summary");
  auto took = steady::now() - started;
  EXPECT_LT(took, milliseconds(1000 + 100));
  EXPECT_TRUE(body.at("fear_greed").is_null());
  EXPECT_EQ(body.at("sources").at("fear_greed").at("state"), "unavailable");
  EXPECT_EQ(body.at("sources").at("fear_greed").at("error"), "timeout after 1000 ms");
  for (const char* part : {"global", "btc_price", "rsi"}) {
    EXPECT_EQ(body.at("sources").at(part).at("state"), "fresh") << part;
  }
  EXPECT_TRUE(body.at("btc_price_usd").is_number());
}

TEST(api, two_hundred_identical_requests_make_one_upstream_call_per_source) {
  fake_upstream fake;
  auto s = start_server({}, upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();

  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      http_connection c(s.port);
      for (int i = 0; i < 25; ++i) {
        auto res = c.get("/api/crypto/dashboard-summary");
        if (res && res->result_int() == 200) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(path_calls(fake, "/coingecko/global"), 1);
  EXPECT_EQ(path_calls(fake, "/coingecko/simple/price"), 1);
  EXPECT_EQ(path_calls(fake, "/fear_greed/fng/"), 1);
  EXPECT_EQ(path_calls(fake, "/binance/api/v3/klines"), 1);

  // The cache stats say the same: five computes (global, BTC price, index, candles, RSI; the
  // RSI comes from the cached candles without an upstream call).
  auto stats = get_json(s.port, "/api/cache-stats");
  EXPECT_EQ(stats.at("computes").at("computes").to_number<int>(), 5);
  EXPECT_EQ(stats.at("upstreams").at("coingecko").at("calls").to_number<int>(), 2);
  EXPECT_EQ(stats.at("upstreams").at("fear_greed").at("calls").to_number<int>(), 1);
  EXPECT_EQ(stats.at("upstreams").at("binance").at("calls").to_number<int>(), 1);
  // 800 part lookups; only the requests of the first wave (one per client connection, 8)
  // can miss — every later one finds all four parts fresh in L1.
  EXPECT_GE(stats.at("l1").at("hit_count").to_number<int>(), (200 - 8) * 4);
  // Each lookup counted once, hit or miss: the 800 part lookups and the RSI compute's one
  // lookup of the candles.
  EXPECT_EQ(stats.at("l1").at("hit_count").to_number<int>() +
                stats.at("l1").at("miss_count").to_number<int>(),
            800 + 1);
  for (const char* tier : {"l1", "l2", "disk", "report_cache", "upstreams"}) {
    EXPECT_TRUE(stats.as_object().contains(tier)) << tier;
  }
}

// A market answer found fresh in L1 is written straight from the entry (router::try_fast);
// it must say what the full path says: validators, freshness, HEAD, 304, HTTP/1.0, CORS, and
// one L1 lookup per request.
TEST(api, a_cached_market_answer_carries_its_validators_on_every_path) {
  namespace http = boost::beast::http;
  fake_upstream fake;
  auto s = start_server({}, upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();
  const std::string target = "/api/crypto/market/btc";

  auto first = http_get(s.port, target);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["X-Cache"], "miss");
  const std::string tag((*first)[http::field::etag]);
  ASSERT_FALSE(tag.empty());

  http_connection c(s.port);
  auto hit = c.get(target);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->result_int(), 200);
  EXPECT_EQ((*hit)["X-Cache"], "hit");
  EXPECT_EQ((*hit)[http::field::etag], tag);
  EXPECT_EQ((*hit)[http::field::content_type], "application/json");
  EXPECT_TRUE((*hit)[http::field::cache_control].starts_with("public, max-age="));
  EXPECT_NE((*hit)[http::field::cache_control], "public, max-age=0");
  EXPECT_FALSE((*hit)[http::field::age].empty());
  EXPECT_EQ(hit->body(), first->body());

  auto same = c.get(target, "If-None-Match: " + tag + "\r\n");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->result_int(), 304);
  EXPECT_TRUE(same->body().empty());
  EXPECT_EQ(same->count(http::field::content_length), 0U);
  EXPECT_EQ((*same)[http::field::etag], tag);

  c.send("HEAD " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_response(/*to_head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->result_int(), 200);
  EXPECT_EQ((*head)[http::field::content_length], std::to_string(first->body().size()));
  EXPECT_EQ((*c.get(target))["X-Cache"], "hit");  // nothing of a body was left on the wire

  auto cors = c.get(target, "Origin: https://dash.example\r\n");
  ASSERT_TRUE(cors);
  EXPECT_EQ((*cors)["X-Cache"], "hit");
  EXPECT_EQ((*cors)[http::field::access_control_allow_origin], "https://dash.example");

  http_connection old(s.port);
  for (int i = 0; i < 2; ++i) {  // HTTP/1.0 keep-alive: the connection serves a second request
    old.send("GET " + target + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto res = old.read_response();
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->version(), 10U);
    EXPECT_EQ((*res)[http::field::connection], "keep-alive");
    EXPECT_EQ(res->body(), first->body());
  }
  http_connection closing(s.port);
  closing.send("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  auto last = closing.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)[http::field::connection], "close");
  EXPECT_TRUE(closing.closed_by_peer());

  // One L1 lookup per request, hit or miss, whichever path answered.
  auto l1 = [&] {
    auto st = get_json(s.port, "/api/cache-stats").at("l1");
    return st.at("hit_count").to_number<int>() + st.at("miss_count").to_number<int>();
  };
  auto l1_hits = [&] {
    return get_json(s.port, "/api/cache-stats").at("l1").at("hit_count").to_number<int>();
  };
  const int before = l1();
  const int hits_before = l1_hits();
  for (const char* symbol : {"btc", "btc", "eth", "eth", "zzzq", "zzzq"}) {
    auto res = c.get(std::string("/api/crypto/market/") + symbol);
    ASSERT_TRUE(res) << symbol;
    EXPECT_EQ(res->result_int(), std::string_view(symbol) == "zzzq" ? 404 : 200) << symbol;
  }
  EXPECT_EQ(l1() - before, 6);
  EXPECT_EQ(l1_hits() - hits_before, 4);  // btc twice, then eth and zzzq once cached
  EXPECT_EQ(path_calls(fake, "/coingecko/simple/price"), 2);  // btc, eth

  // Tokenomics has a fast handler too: a miss then a hit, one lookup each, the hit counted as
  // one (its probe looked under the right key); a bad id is still refused by the handler (400)
  // without a lookup.
  const int before_tokenomics = l1();
  const int hits_before_tokenomics = l1_hits();
  auto tok = c.get("/api/crypto/tokenomics/bitcoin");
  ASSERT_TRUE(tok);
  EXPECT_EQ((*tok)["X-Cache"], "miss");
  auto tok_hit = c.get("/api/crypto/tokenomics/bitcoin");
  ASSERT_TRUE(tok_hit);
  EXPECT_EQ((*tok_hit)["X-Cache"], "hit");
  EXPECT_EQ(tok_hit->body(), tok->body());
  auto bad = c.get("/api/crypto/tokenomics/BIT*COIN");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_int(), 400);
  EXPECT_EQ(l1() - before_tokenomics, 2);
  EXPECT_EQ(l1_hits() - hits_before_tokenomics, 1);
}

TEST(api, bad_symbols_are_400_in_the_spec_error_shape) {
  fake_upstream fake;
  auto s = start_server({}, upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();
  const std::string long_symbol(200, 'a');
  for (const std::string& target :
       {std::string("/api/crypto/market/../x"), std::string("/api/crypto/market/..%2Fx"),
        std::string("/api/crypto/market/BTC*"), std::string("/api/crypto/market/%00"),
        "/api/crypto/market/" + long_symbol, std::string("/api/crypto/markets?symbols=btc,%00"),
        std::string("/api/crypto/candles/btc?interval=7h"),
        std::string("/api/crypto/candles/btc?limit=0"),
        std::string("/api/crypto/indicator/btc/rsi/0"),
        std::string("/api/crypto/indicator/btc/wma/14"),
        std::string("/api/crypto/tokenomics/Bit_coin")}) {
    auto body = get_json(s.port, target, 400);
    ASSERT_TRUE(body.is_object()) << target;
    EXPECT_EQ(body.at("error").at("code"), "invalid_argument") << target;
    EXPECT_TRUE(body.at("error").at("message").is_string()) << target;
  }
  EXPECT_EQ(path_calls(fake, "/coingecko/simple/price"), 0);  // nothing reached an upstream

  // A well-formed but unknown symbol is a 404, cached: asking again costs no upstream call.
  get_json(s.port, "/api/crypto/market/zzzq", 404);
  auto calls = fake.calls().at("total").to_number<int>();
  get_json(s.port, "/api/crypto/market/zzzq", 404);
  EXPECT_EQ(fake.calls().at("total").to_number<int>(), calls);
}

TEST(api, admin_routes_need_the_token_and_never_show_secrets) {
  fake_upstream fake;
  {
    auto s = start_server({}, upstream_env(fake));  // no token configured
    ASSERT_NE(s.port, 0) << s.process->err();
    EXPECT_EQ(get_json(s.port, "/admin/config", 403).at("error").at("code"), "admin_disabled");
  }
  auto env = upstream_env(fake);
  env["ADMIN_TOKEN"] = "adm-token-4711";
  env["COINGECKO_API_KEY"] = "cg-key-0815";
  env["TAAPI_SECRET"] = "taapi-secret-42";
  auto s = start_server({}, env);
  ASSERT_NE(s.port, 0) << s.process->err();
  EXPECT_EQ(get_json(s.port, "/admin/config", 401).at("error").at("code"), "unauthorized");
  get_json(s.port, "/admin/config", 401, "Authorization: Bearer adm-token-4710\r\n");
  get_json(s.port, "/admin/cache/stats", 401, "Authorization: Bearer nope\r\n");
  auto res = http_get(s.port, "/admin/config", "Authorization: Bearer adm-token-4711\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  for (const char* secret : {"adm-token-4711", "cg-key-0815", "taapi-secret-42"}) {
    EXPECT_EQ(res->body().find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(res->body().find("<redacted>"), std::string::npos);
  // POST routes refuse the same way.
  http_connection c(s.port);
  c.send("POST /clear-cache HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  auto refused = c.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 401);
}

TEST(api, forced_refresh_takes_the_new_value_and_is_rate_limited) {
  fake_upstream fake;
  auto env = upstream_env(fake);
  env["ADMIN_TOKEN"] = "adm-token-4711";
  auto s = start_server({"--set", "server.refresh_rate_limit_per_minute=1"}, env);
  ASSERT_NE(s.port, 0) << s.process->err();
  EXPECT_EQ(get_json(s.port, "/api/crypto/dashboard-summary").at("btc_price_usd"), 97250);
  fake.set_values(R"({"coins": {"bitcoin": {"price": 70001.25}}})");
  // Still cached (fresh for a minute) until forced.
  EXPECT_EQ(get_json(s.port, "/api/crypto/dashboard-summary").at("btc_price_usd"), 97250);
  get_json(s.port, "/api/crypto/dashboard-summary/refresh", 405);

  auto post = [&](const std::string& auth) {
    http_connection c(s.port);
    c.send("POST /api/crypto/dashboard-summary/refresh HTTP/1.1\r\nHost: x\r\n" + auth +
           "Content-Length: 0\r\n\r\n");
    return c.read_response();
  };
  auto refused = post("");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 401);
  auto forced = post("Authorization: Bearer adm-token-4711\r\n");
  ASSERT_TRUE(forced);
  ASSERT_EQ(forced->result_int(), 200) << forced->body();
  EXPECT_EQ(json::parse(forced->body()).at("btc_price_usd").to_number<double>(), 70001.25);
  EXPECT_EQ(get_json(s.port, "/api/crypto/dashboard-summary").at("btc_price_usd").to_number<double>(),
            70001.25);
  auto limited = post("Authorization: Bearer adm-token-4711\r\n");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->result_int(), 429);
  EXPECT_FALSE((*limited)[boost::beast::http::field::retry_after].empty());
}

TEST(api, metrics_parse_and_move_with_traffic) {
  fake_upstream fake;
  auto s = start_server({}, upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();
  auto scrape = [&] {
    auto res = http_get(s.port, "/metrics");
    EXPECT_TRUE(res);
    std::string error;
    auto parsed = parse_prometheus(res ? res->body() : "", &error);
    EXPECT_TRUE(parsed) << error;
    return parsed.value_or(cryptodash::test::parsed{});
  };
  const std::map<std::string, std::string> market_ok = {
      {"route", "/api/crypto/market/{symbol}"}, {"method", "GET"}, {"status", "200"}};
  auto before = scrape();
  for (int i = 0; i < 3; ++i) get_json(s.port, "/api/crypto/market/btc");
  auto after = scrape();
  double b = value_of(before, "cryptodash_http_requests_total", market_ok);
  EXPECT_EQ(std::isnan(b) ? 0 : b, 0);
  EXPECT_EQ(value_of(after, "cryptodash_http_requests_total", market_ok), 3);
  EXPECT_GE(sum_of(after, "cryptodash_cache_hits_total", {{"tier", "l1"}}), 2);
  EXPECT_EQ(value_of(after, "cryptodash_upstream_calls_total", {{"provider", "coingecko"}}), 1);
  EXPECT_EQ(value_of(after, "cryptodash_upstream_circuit_state",
                     {{"provider", "coingecko"}, {"state", "closed"}}),
            1);
  EXPECT_GE(sum_of(after, "cryptodash_http_request_duration_seconds_count",
                   {{"route", "/api/crypto/market/{symbol}"}}),
            3);

  // Each request lands in its own route's and status's series, however they alternate on a
  // connection (each thread reuses the series of its previous request when they match).
  http_connection c(s.port);
  for (const char* target : {"/api/crypto/market/btc", "/api/crypto/market/zzzq",
                             "/api/crypto/market/zzzq", "/api/crypto/market/btc", "/livez",
                             "/api/crypto/market/btc", "/livez"}) {
    ASSERT_TRUE(c.get(target)) << target;
  }
  auto mixed = scrape();
  auto market_404 = market_ok;
  market_404["status"] = "404";
  EXPECT_EQ(value_of(mixed, "cryptodash_http_requests_total", market_ok), 3 + 3);
  EXPECT_EQ(value_of(mixed, "cryptodash_http_requests_total", market_404), 2);
  EXPECT_EQ(value_of(mixed, "cryptodash_http_requests_total",
                     {{"route", "/livez"}, {"method", "GET"}, {"status", "200"}}),
            2);
  EXPECT_EQ(sum_of(mixed, "cryptodash_http_request_duration_seconds_count",
                   {{"route", "/api/crypto/market/{symbol}"}}),
            3 + 5);
}

TEST(api, update_cache_fills_redis_for_a_server_whose_upstreams_all_fail) {
  redis_server redis;
  fake_upstream fake;
  temp_dir work;
  auto env = upstream_env(fake);
  env["REDIS_URL"] = redis.url();
  env["CACHE_DIR"] = (work.path() / "cli-cache").string();
  auto cli = run({CRYPTODASH_BINARY, "update-cache", "--coins", "bitcoin", "ethereum"}, env);
  ASSERT_EQ(cli.code, 0) << cli.out << cli.err;
  EXPECT_NE(cli.out.find("updated (2)"), std::string::npos) << cli.out;

  fake.set_fault(R"({"path": "/", "status": 503})");
  auto server_env = upstream_env(fake);
  server_env["REDIS_URL"] = redis.url();  // a fresh cache dir: only Redis has the data
  auto s = start_server({}, server_env);
  ASSERT_NE(s.port, 0) << s.process->err();
  auto btc = get_json(s.port, "/api/crypto/market/btc");
  EXPECT_EQ(btc.at("coin_id"), "bitcoin");
  EXPECT_TRUE(btc.at("price_usd").is_number());
  auto eth = get_json(s.port, "/api/crypto/market/eth");
  EXPECT_EQ(eth.at("coin_id"), "ethereum");
  auto tok = get_json(s.port, "/api/crypto/tokenomics/bitcoin");
  EXPECT_TRUE(tok.at("max_supply").is_number());
  // A coin nobody fetched is unavailable (the upstreams answer 503: a bad gateway for us),
  // not invented.
  get_json(s.port, "/api/crypto/market/sol", 502);

  auto stats = run({CRYPTODASH_BINARY, "cache", "stats"}, server_env);
  ASSERT_EQ(stats.code, 0) << stats.err;
  auto st = json::parse(stats.out);
  EXPECT_GE(st.at("l2").at("keys").to_number<int>(), 4);
}

// The scheduler keeps symbols requested over HTTP fresh, but never the unknown ones (which
// would let anyone spend the upstream budget by asking for names that do not exist).
TEST(api, requested_symbols_are_refreshed_in_the_background_unknown_ones_are_not) {
  fake_upstream fake;
  auto s = start_server({"--set", "scheduler.enabled=true", "--set",
                         "scheduler.market_interval_seconds=1"},
                        upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();
  get_json(s.port, "/api/crypto/market/zzzq", 404);
  get_json(s.port, "/api/crypto/market/eth");
  const auto tickers = path_calls(fake, "/binance/api/v3/ticker/24hr");
  const auto prices = path_calls(fake, "/coingecko/simple/price");
  std::this_thread::sleep_for(std::chrono::seconds(4));  // medium class: every 2 s
  EXPECT_GT(path_calls(fake, "/coingecko/simple/price"), prices) << "eth was not refreshed";
  EXPECT_EQ(path_calls(fake, "/binance/api/v3/ticker/24hr"), tickers)
      << "the unknown symbol was looked up again";
}

// With a provider's budget 80 % used the strategy turns conservative and the dashboard's
// interval doubles (SPEC section 3).
TEST(api, a_budget_80_percent_used_makes_the_strategy_conservative) {
  fake_upstream fake;
  auto s = start_server({"--set", "scheduler.enabled=true", "--set",
                         "upstreams.coingecko.monthly_budget=10"},
                        upstream_env(fake));
  ASSERT_NE(s.port, 0) << s.process->err();
  auto stats = [&] { return get_json(s.port, "/api/cache-stats"); };
  // Each new CoinGecko-mapped symbol costs one /simple/price call.
  for (const char* symbol : {"btc", "eth", "sol", "bnb", "xrp", "ada", "doge", "dot"}) {
    get_json(s.port, std::string("/api/crypto/market/") + symbol);
    if (stats().at("upstreams").at("coingecko").at("budget_used").to_number<int>() >= 8) break;
  }
  ASSERT_GE(stats().at("upstreams").at("coingecko").at("budget_used").to_number<int>(), 8);
  json::value last;
  EXPECT_TRUE(eventually(
      [&] {
        last = stats();
        return last.at("strategy") == "conservative";
      },
      std::chrono::seconds(5)))
      << last.at("scheduler");
  // Conservative: twice the 300 s dashboard interval.
  EXPECT_EQ(last.at("upstreams").at("fear_greed").at("current_interval_s").to_number<int>(), 600)
      << last.at("upstreams");
}

}  // namespace
}  // namespace cryptodash::testing
