// CoinGecko v3 (/coingecko/...) and alternative.me Fear & Greed (/fear_greed/fng/).
// Shapes follow /work/shared/fixtures/upstream (coingecko/*.json, alternative_me/*.json).

#include "apis.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace cryptodash::fake {

namespace {

constexpr double day_ms = 86'400'000.0;
constexpr std::int64_t hour_ms = 3'600'000;

// Captured bodies (error.*.json), served verbatim.
constexpr std::string_view invalid_vs_body = R"({"error":"invalid vs_currency"})";
constexpr std::string_view coin_not_found_body = R"({"error":"coin not found"})";

reply missing(std::string_view param) {
  return json_reply(400, json::object{{"error", "Missing parameter " + std::string(param)}});
}

reply time_range_exceeded(std::int64_t now_ms) {
  std::string ts = iso8601_ms(now_ms);
  ts.pop_back();  // "...955Z" → "...955+00:00", as the capture writes it
  ts += "+00:00";
  return json_reply(
      401,
      json::object{
          {"error", json::object{{"status",
                                  json::object{{"timestamp", ts},
                                               {"error_code", 10012},
                                               {"error_message",
                                                "Your request exceeds the allowed time "
                                                "range. Public API users are limited to "
                                                "querying historical data within the past "
                                                "365 days. Upgrade to a paid plan to enjoy "
                                                "full historical data access: "
                                                "https://www.coingecko.com/en/api/pricing. "}}}}}});
}

std::optional<long long> parse_int(std::string_view s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// `precision=<0..18>` rounds to that many decimals; absent or "full" keeps every digit.
struct rounding {
  int decimals = -1;
  explicit rounding(const api_request& req) {
    if (auto p = parse_int(req.get("precision")); p && *p >= 0 && *p <= 18) {
      decimals = static_cast<int>(*p);
    }
  }
  double operator()(double v) const {
    if (decimals < 0) return v;
    double scale = std::pow(10.0, decimals);
    return std::round(v * scale) / scale;
  }
};

json::value opt_number(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::value integer(double v) {
  return json::value(static_cast<std::int64_t>(std::llround(v)));
}

std::string image(const coin& c, std::string_view size) {
  return "https://coin-images.coingecko.com/coins/images/" + std::to_string(c.image_id) + "/" +
         std::string(size) + "/" + c.id + ".png?1696501400";
}

reply global(const api_request& req, const market& m) {
  double cap = 0, volume = 0, weighted_change = 0;
  for (const auto& c : m.coins()) {
    cap += c.market_cap();
    volume += c.volume_24h;
    weighted_change += c.market_cap() * c.change_24h;
  }
  // The fake's coins are most, not all, of the market.
  const double total_cap = cap / 0.93;
  const double total_volume = volume / 0.88;
  json::object caps, volumes, percentages;
  for (const auto& vs : market::vs_currencies()) {
    if (auto rate = m.per_usd(vs)) {
      caps[vs] = total_cap * *rate;
      volumes[vs] = total_volume * *rate;
    }
  }
  auto ranked = m.ranked();
  for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
    percentages[ranked[i]->symbol] = total_cap > 0 ? ranked[i]->market_cap() / total_cap * 100 : 0;
  }
  json::object data{{"active_cryptocurrencies", 16733},
                    {"upcoming_icos", 0},
                    {"ongoing_icos", 49},
                    {"ended_icos", 3376},
                    {"markets", 1203},
                    {"total_market_cap", std::move(caps)},
                    {"total_volume", std::move(volumes)},
                    {"market_cap_percentage", std::move(percentages)},
                    {"market_cap_change_percentage_24h_usd", cap > 0 ? weighted_change / cap : 0.0},
                    {"updated_at", req.now_ms / 1000}};
  return json_reply(200, json::object{{"data", std::move(data)}});
}

reply simple_price(const api_request& req, const market& m) {
  if (!req.has("ids")) return missing("ids");
  if (!req.has("vs_currencies")) {
    return raw_json_reply(400, R"({"error":"Missing parameter vs_currencies"})");
  }
  auto ids = split(lower(req.get("ids")), ',');
  std::sort(ids.begin(), ids.end());  // the capture lists coins alphabetically
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const auto currencies = split(lower(req.get("vs_currencies")), ',');
  const bool with_cap = req.flag("include_market_cap");
  const bool with_volume = req.flag("include_24hr_vol");
  const bool with_change = req.flag("include_24hr_change");
  const bool with_updated = req.flag("include_last_updated_at");
  const rounding round(req);
  json::object out;
  for (const auto& id : ids) {
    const coin* c = m.find(id);
    if (!c) continue;  // unknown ids are dropped silently
    json::object o;
    for (const auto& vs : currencies) {
      auto rate = m.per_usd(vs);
      if (!rate) continue;
      o[vs] = round(c->price * *rate);
      if (with_cap) o[vs + "_market_cap"] = c->market_cap() * *rate;
      if (with_volume) o[vs + "_24h_vol"] = c->volume_24h * *rate;
      if (with_change) o[vs + "_24h_change"] = c->change_24h;
    }
    if (with_updated) o["last_updated_at"] = req.now_ms / 1000;
    out[id] = std::move(o);
  }
  return json_reply(200, out);
}

json::object market_entry(const api_request& req, const market& m, const coin& c, double rate) {
  const rounding round(req);
  const auto [hi, lo] = m.range_24h(c, req.now_ms);
  const double price = c.price * rate;
  const double open = c.open_24h() * rate;
  const double cap = c.market_cap() * rate;
  const double cap_open = c.open_24h() * c.circulating_supply * rate;
  const double ath = std::max(c.ath, c.price) * rate;
  const double atl = std::min(c.atl, c.price) * rate;
  auto fdv = c.fully_diluted_valuation();
  json::object o{
      {"id", c.id},
      {"symbol", c.symbol},
      {"name", c.name},
      {"image", image(c, "large")},
      {"current_price", round(price)},
      {"market_cap", integer(cap)},
      {"market_cap_rank", m.rank(c)},
      {"fully_diluted_valuation", fdv ? integer(*fdv * rate) : json::value(nullptr)},
      {"total_volume", integer(c.volume_24h * rate)},
      {"high_24h", round(hi * rate)},
      {"low_24h", round(lo * rate)},
      {"price_change_24h", price - open},
      {"price_change_percentage_24h", c.change_24h},
      {"market_cap_change_24h", cap - cap_open},
      {"market_cap_change_percentage_24h", cap_open > 0 ? (cap / cap_open - 1) * 100 : 0},
      {"circulating_supply", c.circulating_supply},
      {"total_supply", opt_number(c.total_supply)},
      {"max_supply", opt_number(c.max_supply)},
      {"ath", ath},
      {"ath_change_percentage", ath > 0 ? (price / ath - 1) * 100 : 0},
      {"ath_date", c.ath_date},
      {"atl", atl},
      {"atl_change_percentage", atl > 0 ? (price / atl - 1) * 100 : 0},
      {"atl_date", c.atl_date},
      {"roi", nullptr},
      {"last_updated", iso8601_ms(req.now_ms)}};
  if (req.flag("sparkline")) {
    json::array points;
    for (int i = 167; i >= 0; --i)
      points.push_back(m.price_at(c, req.now_ms - i * hour_ms, req.now_ms) * rate);
    o["sparkline_in_7d"] = json::object{{"price", std::move(points)}};
  }
  static constexpr std::pair<std::string_view, std::int64_t> frames[] = {
      {"1h", hour_ms},
      {"24h", 24 * hour_ms},
      {"7d", 7 * 24 * hour_ms},
      {"14d", 14 * 24 * hour_ms},
      {"30d", 30 * 24 * hour_ms},
      {"200d", 200 * 24 * hour_ms},
      {"1y", 365 * 24 * hour_ms}};
  for (const auto& tf : split(req.get("price_change_percentage"), ',')) {
    for (const auto& [frame, ms] : frames) {
      if (tf != frame) continue;
      double then = m.price_at(c, req.now_ms - ms, req.now_ms);
      o["price_change_percentage_" + tf + "_in_currency"] =
          frame == "24h" ? c.change_24h : (c.price / then - 1) * 100;
    }
  }
  return o;
}

reply coins_markets(const api_request& req, const market& m) {
  if (!req.has("vs_currency")) return missing("vs_currency");
  auto rate = m.per_usd(lower(req.get("vs_currency")));
  if (!rate) return raw_json_reply(400, std::string(invalid_vs_body));
  auto coins = m.ranked();
  if (req.has("ids")) {
    auto ids = split(lower(req.get("ids")), ',');
    std::erase_if(coins, [&](const coin* c) {
      return std::find(ids.begin(), ids.end(), c->id) == ids.end();
    });
  }
  auto order = req.get("order", "market_cap_desc");
  auto by = [&](auto key, bool desc) {
    std::stable_sort(coins.begin(), coins.end(), [&](const coin* a, const coin* b) {
      return desc ? key(*a) > key(*b) : key(*a) < key(*b);
    });
  };
  if (order == "market_cap_asc") by([](const coin& c) { return c.market_cap(); }, false);
  if (order == "volume_desc") by([](const coin& c) { return c.volume_24h; }, true);
  if (order == "volume_asc") by([](const coin& c) { return c.volume_24h; }, false);
  if (order == "id_asc") by([](const coin& c) { return c.id; }, false);
  if (order == "id_desc") by([](const coin& c) { return c.id; }, true);
  const long long per_page =
      std::clamp(parse_int(req.get("per_page", "100")).value_or(100), 1LL, 250LL);
  const long long page = std::max(parse_int(req.get("page", "1")).value_or(1), 1LL);
  json::array out;
  const auto first = static_cast<std::size_t>((page - 1) * per_page);
  for (std::size_t i = first; i < coins.size() && i < first + static_cast<std::size_t>(per_page);
       ++i) {
    out.push_back(market_entry(req, m, *coins[i], *rate));
  }
  return json_reply(200, out);
}

reply market_chart(const api_request& req, const market& m, const coin& c) {
  if (!req.has("vs_currency")) return missing("vs_currency");
  auto rate = m.per_usd(lower(req.get("vs_currency")));
  if (!rate) return raw_json_reply(400, std::string(invalid_vs_body));
  if (!req.has("days")) return missing("days");
  if (req.get("days") == "max") return time_range_exceeded(req.now_ms);
  auto days = parse_double(req.get("days"));
  if (!days || *days <= 0) return json_reply(400, json::object{{"error", "invalid days"}});
  if (*days > 365) return time_range_exceeded(req.now_ms);
  // Auto granularity: 5-minutely up to a day, hourly up to 90 days, then daily at 00:00 UTC.
  std::int64_t step = *days <= 1 ? 300'000 : *days <= 90 ? hour_ms : 24 * hour_ms;
  if (req.get("interval") == "daily") step = 24 * hour_ms;
  const std::int64_t now = req.now_ms;
  const std::int64_t start = now - static_cast<std::int64_t>(*days * day_ms);
  std::vector<std::int64_t> times;
  for (std::int64_t t = (start + step - 1) / step * step; t < now; t += step) times.push_back(t);
  times.push_back(now);  // the last point is "now", unaligned
  json::array prices, caps, volumes;
  for (auto t : times) {
    double p = m.price_at(c, t, now) * *rate;
    double wave = 1 + 0.15 * std::sin(static_cast<double>(t) / (6 * hour_ms) + unit(hash64(c.id)));
    prices.push_back(json::array{t, p});
    caps.push_back(json::array{t, p * c.circulating_supply});
    volumes.push_back(json::array{t, c.volume_24h * *rate * wave});
  }
  return json_reply(200, json::object{{"prices", std::move(prices)},
                                      {"market_caps", std::move(caps)},
                                      {"total_volumes", std::move(volumes)}});
}

reply coin_details(const api_request& req, const market& m, const coin& c) {
  const auto [hi, lo] = m.range_24h(c, req.now_ms);
  auto fdv = c.fully_diluted_valuation();
  json::object price, cap, fdvs, volume, high, low, ath;
  for (const auto& vs : market::vs_currencies()) {
    auto rate = m.per_usd(vs);
    if (!rate) continue;
    price[vs] = c.price * *rate;
    cap[vs] = integer(c.market_cap() * *rate);
    if (fdv) fdvs[vs] = integer(*fdv * *rate);
    volume[vs] = integer(c.volume_24h * *rate);
    high[vs] = hi * *rate;
    low[vs] = lo * *rate;
    ath[vs] = std::max(c.ath, c.price) * *rate;
  }
  const std::string updated = iso8601_ms(req.now_ms);
  json::object o{{"id", c.id},
                 {"symbol", c.symbol},
                 {"name", c.name},
                 {"web_slug", c.id},
                 {"asset_platform_id", nullptr},
                 {"categories", json::array{"Cryptocurrency"}},
                 {"description", json::object{{"en", ""}}},
                 {"image", json::object{{"thumb", image(c, "thumb")},
                                        {"small", image(c, "small")},
                                        {"large", image(c, "large")}}},
                 {"genesis_date", nullptr},
                 {"market_cap_rank", m.rank(c)}};
  if (req.flag("market_data", true)) {
    const double open = c.open_24h();
    o["market_data"] =
        json::object{{"current_price", std::move(price)},
                     {"ath", std::move(ath)},
                     {"ath_date", json::object{{"usd", c.ath_date}}},
                     {"atl_date", json::object{{"usd", c.atl_date}}},
                     {"market_cap", std::move(cap)},
                     {"market_cap_rank", m.rank(c)},
                     {"fully_diluted_valuation", std::move(fdvs)},
                     {"total_volume", std::move(volume)},
                     {"high_24h", std::move(high)},
                     {"low_24h", std::move(low)},
                     {"price_change_24h", c.price - open},
                     {"price_change_percentage_24h", c.change_24h},
                     {"market_cap_change_24h", (c.price - open) * c.circulating_supply},
                     {"market_cap_change_percentage_24h", c.change_24h},
                     {"total_supply", opt_number(c.total_supply)},
                     {"max_supply", opt_number(c.max_supply)},
                     {"circulating_supply", c.circulating_supply},
                     {"last_updated", updated}};
  }
  o["last_updated"] = updated;
  return json_reply(200, o);
}

const char* classification(int v) {
  if (v < 25) return "Extreme Fear";
  if (v < 47) return "Fear";
  if (v < 55) return "Neutral";
  if (v < 76) return "Greed";
  return "Extreme Greed";
}

}  // namespace

reply coingecko(const api_request& req, const market& m) {
  const std::string& p = req.sub;
  if (req.method == "GET") {
    if (p == "/ping") return raw_json_reply(200, R"({"gecko_says":"(V3) To the Moon!"})");
    if (p == "/global") return global(req, m);
    if (p == "/simple/price") return simple_price(req, m);
    if (p == "/simple/supported_vs_currencies") {
      json::array codes;
      for (const auto& vs : market::vs_currencies()) codes.emplace_back(vs);
      return json_reply(200, codes);
    }
    if (p == "/coins/markets") return coins_markets(req, m);
    if (p.starts_with("/coins/")) {
      auto rest = std::string_view(p).substr(7);
      auto slash = rest.find('/');
      auto id = rest.substr(0, slash);
      auto tail = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
      if (!id.empty() && (tail.empty() || tail == "/market_chart")) {
        const coin* c = m.find(id);
        if (!c) return raw_json_reply(404, std::string(coin_not_found_body));
        return tail.empty() ? coin_details(req, m, *c) : market_chart(req, m, *c);
      }
    }
  }
  return json_reply(404, json::object{{"error",
                                       "Incorrect path. Please check "
                                       "https://www.coingecko.com/api/"}});
}

reply fear_greed(const api_request& req, const market& m) {
  if (req.method != "GET" || (req.sub != "/fng/" && req.sub != "/fng")) {
    return json_reply(404, json::object{{"name", "Fear and Greed Index"},
                                        {"data", json::array{}},
                                        {"metadata", json::object{{"error", "Not found"}}}});
  }
  // Daily values since 2018-02-01; limit=0 asks for all of them.
  const auto today = req.now_ms - req.now_ms % static_cast<std::int64_t>(day_ms);
  const auto history = (today - 1'517'443'200'000LL) / static_cast<std::int64_t>(day_ms) + 1;
  long long limit = parse_int(req.get("limit", "1")).value_or(1);
  if (limit <= 0 || limit > history) limit = history;
  json::array data;
  for (long long i = 0; i < limit; ++i) {
    int v = m.fear_greed_at(static_cast<int>(i));
    json::object entry{
        {"value", std::to_string(v)},
        {"value_classification", classification(v)},
        {"timestamp", std::to_string((today - i * static_cast<std::int64_t>(day_ms)) / 1000)}};
    if (i == 0) {
      auto left = (today + static_cast<std::int64_t>(day_ms) - req.now_ms) / 1000;
      entry["time_until_update"] = std::to_string(left);
    }
    data.push_back(std::move(entry));
  }
  return json_reply(200, json::object{{"name", "Fear and Greed Index"},
                                      {"data", std::move(data)},
                                      {"metadata", json::object{{"error", nullptr}}}});
}

}  // namespace cryptodash::fake
