#include "market.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace cryptodash::fake {

namespace {

constexpr double day_ms = 86'400'000.0;

// id, symbol, name, image id, price, 24h change %, 24h volume, circulating, total, max,
// ath, ath date, atl, atl date, volatility. Roughly the market of early 2025.
std::vector<coin> initial_coins() {
  auto none = std::optional<double>();
  return {
      {"bitcoin", "btc", "Bitcoin", 1, 97250.0, 1.85, 38.2e9, 19'810'000, 19'810'000, 21e6, 108786,
       "2025-01-20T09:11:54.494Z", 67.81, "2013-07-06T00:00:00.000Z", 1.0},
      {"ethereum", "eth", "Ethereum", 279, 3380.52, -0.74, 21.4e9, 120'520'000, 120'520'000, none,
       4878.26, "2021-11-10T14:24:19.604Z", 0.432979, "2015-10-20T00:00:00.000Z", 1.3},
      {"tether", "usdt", "Tether", 325, 1.0002, 0.01, 80.1e9, 137.4e9, 137.4e9, none, 1.32,
       "2018-07-24T00:00:00.000Z", 0.572521, "2015-03-02T00:00:00.000Z", 0.01},
      {"ripple", "xrp", "XRP", 44, 2.3512, 2.91, 5.3e9, 57.6e9, 99.986e9, 100e9, 3.4,
       "2018-01-07T00:00:00.000Z", 0.00268621, "2014-05-22T00:00:00.000Z", 1.6},
      {"binancecoin", "bnb", "BNB", 825, 690.21, 0.52, 1.7e9, 144.0e6, 144.0e6, 200e6, 793.35,
       "2024-12-04T10:35:25.220Z", 0.0398177, "2017-10-19T00:00:00.000Z", 1.1},
      {"solana", "sol", "Solana", 4128, 195.34, 3.42, 4.2e9, 487.3e6, 592.1e6, none, 293.31,
       "2025-01-19T11:15:27.957Z", 0.500801, "2020-05-11T19:35:23.449Z", 1.7},
      {"usd-coin", "usdc", "USDC", 6319, 0.9999, -0.01, 7.1e9, 52.3e9, 52.3e9, none, 1.17,
       "2019-05-08T00:40:28.300Z", 0.877647, "2023-03-11T08:02:13.837Z", 0.01},
      {"dogecoin", "doge", "Dogecoin", 5, 0.33124, 4.12, 2.1e9, 147.6e9, 147.6e9, none, 0.731578,
       "2021-05-08T05:08:23.458Z", 0.0000869, "2015-05-06T00:00:00.000Z", 2.0},
      {"cardano", "ada", "Cardano", 975, 0.9621, 1.24, 1.1e9, 35.1e9, 45e9, 45e9, 3.09,
       "2021-09-02T06:00:10.474Z", 0.01925275, "2020-03-13T02:22:55.044Z", 1.7},
      {"tron", "trx", "TRON", 1094, 0.24613, -0.32, 0.72e9, 86.2e9, 86.2e9, none, 0.431288,
       "2024-12-04T00:00:00.000Z", 0.00180434, "2017-11-12T00:00:00.000Z", 1.0},
      {"avalanche-2", "avax", "Avalanche", 12559, 36.41, 2.21, 0.61e9, 411.2e6, 450.6e6, 720e6,
       144.96, "2021-11-21T14:18:56.538Z", 2.8, "2020-12-31T13:15:21.540Z", 1.8},
      {"chainlink", "link", "Chainlink", 877, 24.83, 3.04, 0.92e9, 638.1e6, 1e9, 1e9, 52.7,
       "2021-05-10T00:13:57.214Z", 0.148183, "2017-11-29T00:00:00.000Z", 1.7},
      {"shiba-inu", "shib", "Shiba Inu", 11939, 0.00002112, 2.53, 0.61e9, 589'264'883'286'605.0,
       589'500'000'000'000.0, none, 0.00008616, "2021-10-28T03:54:55.568Z", 5.6366e-11,
       "2020-11-28T11:26:25.838Z", 2.1},
      {"polkadot", "dot", "Polkadot", 12171, 6.552, 1.13, 0.31e9, 1.54e9, 1.54e9, none, 54.98,
       "2021-11-04T14:10:09.301Z", 2.7, "2020-08-20T00:00:00.000Z", 1.6},
      {"bitcoin-cash", "bch", "Bitcoin Cash", 780, 452.13, 0.94, 0.35e9, 19.81e6, 19.81e6, 21e6,
       3785.82, "2017-12-20T00:00:00.000Z", 76.93, "2018-12-16T00:00:00.000Z", 1.4},
      {"litecoin", "ltc", "Litecoin", 2, 112.34, 1.71, 0.62e9, 75.4e6, 84e6, 84e6, 410.26,
       "2021-05-10T03:13:07.904Z", 1.15, "2015-01-14T00:00:00.000Z", 1.4},
      {"stellar", "xlm", "Stellar", 100, 0.43882, 2.02, 0.31e9, 30.6e9, 50.0e9, 50e9, 0.875563,
       "2018-01-03T00:00:00.000Z", 0.00047612, "2015-03-05T00:00:00.000Z", 1.5},
      {"uniswap", "uni", "Uniswap", 12504, 13.21, -1.18, 0.3e9, 600.4e6, 1e9, 1e9, 44.92,
       "2021-05-03T05:25:04.822Z", 1.03, "2020-09-17T01:20:38.214Z", 1.8},
      {"near", "near", "NEAR Protocol", 10365, 5.124, 1.52, 0.29e9, 1.2e9, 1.23e9, none, 20.44,
       "2022-01-16T22:09:45.873Z", 0.526762, "2020-11-04T16:09:15.137Z", 1.8},
      {"eos", "eos", "EOS", 738, 0.7811, 0.61, 0.12e9, 1.54e9, 1.54e9, none, 22.71,
       "2018-04-29T07:50:33.540Z", 0.502424, "2017-10-23T00:00:00.000Z", 1.5},
      {"yearn-finance", "yfi", "yearn.finance", 11849, 8498.7, -0.83, 0.03e9, 33'600, 36'600,
       36'666, 90787, "2021-05-12T00:29:37.713Z", 31.65, "2020-07-18T00:00:00.000Z", 1.6},
  };
}

// Units per USD for CoinGecko's fiat (and metal) vs currencies, from the /global capture.
struct fiat {
  const char* code;
  double per_usd;
};
constexpr fiat fiats[] = {
    {"usd", 1.0},        {"aed", 3.673},    {"ars", 1041.25},  {"aud", 1.60947},
    {"bdt", 121.582},    {"bhd", 0.376933}, {"bmd", 1.0},      {"brl", 6.059},
    {"cad", 1.44029},    {"chf", 0.910033}, {"clp", 1013.56},  {"cny", 7.3289},
    {"czk", 24.5495},    {"dkk", 7.24114},  {"eur", 0.970576}, {"gbp", 0.819802},
    {"gel", 2.84},       {"hkd", 7.78538},  {"huf", 401.411},  {"idr", 16385.4},
    {"ils", 3.60307},    {"inr", 86.6069},  {"jpy", 155.422},  {"krw", 1456.92},
    {"kwd", 0.30848},    {"lkr", 296.492},  {"mmk", 2098.0},   {"mxn", 20.8949},
    {"myr", 4.505},      {"ngn", 1556.42},  {"nok", 11.367},   {"nzd", 1.78467},
    {"php", 58.5945},    {"pkr", 278.908},  {"pln", 4.13938},  {"rub", 102.696},
    {"sar", 3.75215},    {"sek", 11.1523},  {"sgd", 1.36609},  {"thb", 34.42},
    {"try", 35.5684},    {"twd", 32.9064},  {"uah", 42.1855},  {"vef", 0.10013},
    {"vnd", 25379.0},    {"zar", 18.6902},  {"xdr", 0.771325}, {"xag", 0.0327203},
    {"xau", 0.00036882},
};

// Crypto vs currencies: the coin whose price converts, and how many units make one coin.
struct crypto_vs {
  const char* code;
  const char* coin_id;
  double units;
};
constexpr crypto_vs crypto_currencies[] = {
    {"btc", "bitcoin", 1},      {"eth", "ethereum", 1},      {"ltc", "litecoin", 1},
    {"bch", "bitcoin-cash", 1}, {"bnb", "binancecoin", 1},   {"eos", "eos", 1},
    {"xrp", "ripple", 1},       {"xlm", "stellar", 1},       {"link", "chainlink", 1},
    {"dot", "polkadot", 1},     {"yfi", "yearn-finance", 1}, {"bits", "bitcoin", 1e6},
    {"sats", "bitcoin", 1e8},
};

constexpr const char* price_like_indicators[] = {
    "ema",         "sma",       "wma",          "atr",           "macd",
    "macd_signal", "macd_hist", "bbands_upper", "bbands_middle", "bbands_lower"};

std::map<std::string, double, std::less<>> initial_indicators(double btc) {
  const double middle = btc * 0.9935;
  return {{"rsi", 54.32},
          {"ema", btc * 0.9962},
          {"sma", btc * 0.9935},
          {"wma", btc * 0.9948},
          {"atr", btc * 0.0085},
          {"macd", 212.57},
          {"macd_signal", 135.64},
          {"macd_hist", 76.93},
          {"bbands_upper", middle * 1.021},
          {"bbands_middle", middle},
          {"bbands_lower", middle * 0.979},
          {"cmf", -0.0813},
          {"adx", 23.4},
          {"cci", 61.2},
          {"mfi", 58.7}};
}

bool is_number(const json::value& v) {
  return v.is_number();
}
double number(const json::value& v) {
  return v.to_number<double>();
}

// Applies one coin's fields from a PUT body; returns an error message.
std::optional<std::string> apply_coin(coin& c, const json::object& fields) {
  for (const auto& kv : fields) {
    const auto& v = kv.value();
    std::string_view k = kv.key();
    auto num = [&](double& out) -> std::optional<std::string> {
      if (!is_number(v)) return "coins." + c.id + "." + std::string(k) + " must be a number";
      out = number(v);
      return std::nullopt;
    };
    auto opt_num = [&](std::optional<double>& out) -> std::optional<std::string> {
      if (v.is_null()) {
        out.reset();
        return std::nullopt;
      }
      if (!is_number(v)) {
        return "coins." + c.id + "." + std::string(k) + " must be a number or null";
      }
      out = number(v);
      return std::nullopt;
    };
    auto str = [&](std::string& out) -> std::optional<std::string> {
      if (!v.is_string()) return "coins." + c.id + "." + std::string(k) + " must be a string";
      out = std::string(v.get_string());
      return std::nullopt;
    };
    std::optional<std::string> err;
    double market_cap = 0;
    if (k == "price")
      err = num(c.price);
    else if (k == "change_24h")
      err = num(c.change_24h);
    else if (k == "volume_24h")
      err = num(c.volume_24h);
    else if (k == "circulating_supply")
      err = num(c.circulating_supply);
    else if (k == "total_supply")
      err = opt_num(c.total_supply);
    else if (k == "max_supply")
      err = opt_num(c.max_supply);
    else if (k == "ath")
      err = num(c.ath);
    else if (k == "atl")
      err = num(c.atl);
    else if (k == "symbol")
      err = str(c.symbol);
    else if (k == "name")
      err = str(c.name);
    else if (k == "market_cap")
      err = num(market_cap);
    else
      err = "unknown field coins." + c.id + "." + std::string(k);
    if (err) return err;
    if (k == "symbol") c.symbol = lower(c.symbol);
  }
  // Values every derived number can be computed from; bad data is the wrong_schema fault's job.
  const std::string at = "coins." + c.id + ".";
  if (!(c.price > 0)) return at + "price must be positive";
  if (!(c.change_24h > -100)) return at + "change_24h must be above -100";
  if (c.volume_24h < 0 || c.circulating_supply < 0 || c.ath < 0 || c.atl < 0 ||
      c.total_supply.value_or(0) < 0 || c.max_supply.value_or(0) < 0) {
    return at + "volumes, supplies, ath and atl must not be negative";
  }
  // market_cap is price × circulating supply; setting it sets the supply (after the price).
  if (auto it = fields.find("market_cap"); it != fields.end()) {
    if (number(it->value()) < 0) return at + "market_cap must not be negative";
    c.circulating_supply = number(it->value()) / c.price;
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> coin::fully_diluted_valuation() const {
  if (max_supply) return price * *max_supply;
  if (total_supply) return price * *total_supply;
  return std::nullopt;
}

market::market(std::uint64_t seed) : coins_(initial_coins()), rng_(seed) {
  fear_greed_ = fear_greed_start_ = 44;
  indicators_ = initial_indicators(coins_.front().price);
  for (const auto& c : coins_) start_prices_[c.id] = c.price;
}

const coin* market::find(std::string_view id) const {
  for (const auto& c : coins_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const coin* market::find_symbol(std::string_view symbol) const {
  const coin* best = nullptr;
  for (const auto& c : coins_) {
    if (iequals(c.symbol, symbol) && (!best || c.market_cap() > best->market_cap())) best = &c;
  }
  return best;
}

std::vector<const coin*> market::ranked() const {
  std::vector<const coin*> out;
  for (const auto& c : coins_) out.push_back(&c);
  std::stable_sort(out.begin(), out.end(),
                   [](const coin* a, const coin* b) { return a->market_cap() > b->market_cap(); });
  return out;
}

int market::rank(const coin& c) const {
  int r = 1;
  for (const auto& other : coins_) {
    if (other.market_cap() > c.market_cap()) ++r;
  }
  return r;
}

const std::vector<std::string>& market::vs_currencies() {
  static const std::vector<std::string> codes = [] {
    std::vector<std::string> out;
    for (const auto& c : crypto_currencies) {
      if (std::string_view(c.code) != "bits" && std::string_view(c.code) != "sats") {
        out.emplace_back(c.code);
      }
    }
    for (const auto& f : fiats) out.emplace_back(f.code);
    out.emplace_back("bits");
    out.emplace_back("sats");
    return out;
  }();
  return codes;
}

std::optional<double> market::per_usd(std::string_view vs) const {
  for (const auto& f : fiats) {
    if (vs == f.code) return f.per_usd;
  }
  for (const auto& c : crypto_currencies) {
    if (vs != c.code) continue;
    const coin* base = find(c.coin_id);
    if (!base || base->price <= 0) return std::nullopt;
    return c.units / base->price;
  }
  return std::nullopt;
}

double market::price_at(const coin& c, std::int64_t t_ms, std::int64_t now_ms) const {
  const std::int64_t anchor = std::min(now_ms, std::max(changed_ms_, now_ms - now_ms % 60'000));
  if (t_ms >= anchor) return c.price;
  // Waves of 90 days, a week, a day, an hour and 5 minutes with per-coin phases; the trend over
  // the last day makes the price a day before the anchor equal open_24h().
  static constexpr double periods_ms[] = {90 * day_ms, 7 * day_ms, day_ms, 3'600'000.0, 300'000.0};
  static constexpr double amplitudes[] = {0.08, 0.03, 0.012, 0.004, 0.0015};
  auto wave = [&](double t) {
    double sum = 0;
    for (int i = 0; i < 5; ++i) {
      double phase = 2 * std::numbers::pi * unit(hash64(c.id, static_cast<std::uint64_t>(i)));
      sum += amplitudes[i] * std::sin(2 * std::numbers::pi * t / periods_ms[i] + phase);
    }
    return c.volatility * sum;
  };
  const double a = static_cast<double>(anchor);
  const double t = static_cast<double>(t_ms);
  const double trend = std::log(c.open_24h() / c.price) - (wave(a - day_ms) - wave(a));
  const double fraction = std::min(1.0, (a - t) / day_ms);
  return c.price * std::exp(wave(t) - wave(a) + trend * fraction);
}

std::pair<double, double> market::range_24h(const coin& c, std::int64_t now_ms) const {
  double hi = c.price, lo = c.price;
  for (std::int64_t t = now_ms - static_cast<std::int64_t>(day_ms); t < now_ms; t += 900'000) {
    double p = price_at(c, t, now_ms);
    hi = std::max(hi, p);
    lo = std::min(lo, p);
  }
  return {hi, lo};
}

int market::fear_greed_at(int days_ago) const {
  if (days_ago <= 0) return fear_greed_;
  double d = days_ago;
  double v = fear_greed_ + 18 * (std::sin(d / 11 + 1.3) - std::sin(1.3)) +
             7 * (std::sin(d / 3.3 + 0.4) - std::sin(0.4)) +
             4 * (unit(static_cast<std::uint64_t>(days_ago)) - 0.5);
  return std::clamp(static_cast<int>(std::lround(v)), 0, 100);
}

std::optional<double> market::indicator(std::string_view name) const {
  auto it = indicators_.find(name);
  if (it == indicators_.end()) return std::nullopt;
  return it->second;
}

bool market::price_like(std::string_view name) {
  return std::find(std::begin(price_like_indicators), std::end(price_like_indicators), name) !=
         std::end(price_like_indicators);
}

void market::tick(std::int64_t now_ms, double tick_seconds) {
  std::normal_distribution<double> normal(0.0, 1.0);
  const double step = std::sqrt(std::max(tick_seconds, 0.001));
  double btc_factor = 1;
  for (auto& c : coins_) {
    const double open = c.open_24h();
    const double start = start_prices_.count(c.id) ? start_prices_[c.id] : c.price;
    // A mean-reverting walk in log space: visible moves, no drift to absurd prices.
    double log_move =
        0.0004 * c.volatility * step * normal(rng_) - 0.001 * std::log(c.price / start);
    if (c.price <= 0) log_move = 0;
    const double factor = std::exp(log_move);
    c.price *= factor;
    c.change_24h = (c.price / open - 1) * 100;
    c.volume_24h *= std::exp(0.002 * step * normal(rng_));
    if (c.id == "bitcoin") btc_factor = factor;
  }
  for (auto& [name, value] : indicators_) {
    if (price_like(name)) value *= btc_factor;
  }
  double& rsi = indicators_["rsi"];
  rsi =
      std::clamp(rsi + 5000 * (btc_factor - 1) + 0.2 * normal(rng_) + 0.01 * (50 - rsi), 1.0, 99.0);
  for (const char* n : {"cmf", "adx", "cci", "mfi"}) {
    auto it = indicators_.find(n);
    if (it != indicators_.end()) it->second *= std::exp(0.002 * normal(rng_));
  }
  std::uniform_real_distribution<double> u(0, 1);
  if (u(rng_) < 0.05 * step) {
    int dir = btc_factor > 1 ? 1 : -1;
    if (u(rng_) < 0.3) dir = -dir;
    if (fear_greed_ > fear_greed_start_ + 20) dir = -1;
    if (fear_greed_ < fear_greed_start_ - 20) dir = 1;
    fear_greed_ = std::clamp(fear_greed_ + dir, 0, 100);
  }
  changed_ms_ = now_ms;
}

std::optional<std::string> market::apply(const json::value& body, std::int64_t now_ms) {
  if (!body.is_object()) return "the body must be a JSON object";
  market next = *this;
  const double btc_before = next.find("bitcoin") ? next.find("bitcoin")->price : 0;
  for (const auto& kv : body.get_object()) {
    std::string_view key = kv.key();
    const auto& v = kv.value();
    if (key == "coins") {
      if (!v.is_object()) return "coins must be an object of coin id → fields";
      for (const auto& entry : v.get_object()) {
        std::string id(entry.key());
        auto it = std::find_if(next.coins_.begin(), next.coins_.end(),
                               [&](const coin& c) { return c.id == id; });
        if (entry.value().is_null()) {  // removes the coin
          if (it != next.coins_.end()) next.coins_.erase(it);
          continue;
        }
        if (!entry.value().is_object()) return "coins." + id + " must be an object or null";
        const auto& fields = entry.value().get_object();
        if (it == next.coins_.end()) {
          if (!fields.contains("symbol") || !fields.contains("name") || !fields.contains("price")) {
            return "new coin " + id + " needs symbol, name and price";
          }
          coin c;
          c.id = id;
          c.image_id = static_cast<int>(hash64(id) % 30000);
          c.circulating_supply = 1e9;
          c.volume_24h = 1e8;
          c.ath_date = c.atl_date = "2021-01-01T00:00:00.000Z";
          c.volatility = 1.5;
          next.coins_.push_back(c);
          it = next.coins_.end() - 1;
        }
        if (auto err = apply_coin(*it, fields)) return err;
        next.start_prices_[it->id] = it->price;
      }
    } else if (key == "fear_greed") {
      if (!v.is_int64() && !v.is_uint64()) return "fear_greed must be an integer 0..100";
      auto n = v.to_number<std::int64_t>();
      if (n < 0 || n > 100) return "fear_greed must be an integer 0..100";
      next.fear_greed_ = next.fear_greed_start_ = static_cast<int>(n);
    } else if (key != "indicators") {
      return "unknown field " + std::string(key) + " (coins, fear_greed, indicators)";
    }
  }
  // A new bitcoin price carries the price-like indicators along, unless they are set too.
  if (const coin* btc = next.find("bitcoin"); btc && btc_before > 0 && btc->price != btc_before) {
    for (auto& [name, value] : next.indicators_) {
      if (price_like(name)) value *= btc->price / btc_before;
    }
  }
  if (const auto* ind = body.get_object().if_contains("indicators")) {
    if (!ind->is_object()) return "indicators must be an object of name → number";
    for (const auto& kv : ind->get_object()) {
      auto it = next.indicators_.find(kv.key());
      if (it == next.indicators_.end()) {
        return "unknown indicator " + std::string(kv.key());
      }
      if (!is_number(kv.value())) {
        return "indicators." + std::string(kv.key()) + " must be a number";
      }
      it->second = number(kv.value());
    }
  }
  next.changed_ms_ = now_ms;
  *this = std::move(next);
  return std::nullopt;
}

json::value market::to_json() const {
  json::object coins;
  for (const auto& c : coins_) {
    auto opt = [](const std::optional<double>& v) { return v ? json::value(*v) : json::value(); };
    coins[c.id] = json::object{{"symbol", c.symbol},
                               {"name", c.name},
                               {"price", c.price},
                               {"change_24h", c.change_24h},
                               {"volume_24h", c.volume_24h},
                               {"market_cap", c.market_cap()},
                               {"circulating_supply", c.circulating_supply},
                               {"total_supply", opt(c.total_supply)},
                               {"max_supply", opt(c.max_supply)},
                               {"ath", c.ath},
                               {"atl", c.atl}};
  }
  json::object indicators;
  for (const auto& [k, v] : indicators_) indicators[k] = v;
  return json::object{{"coins", std::move(coins)},
                      {"fear_greed", fear_greed_},
                      {"indicators", std::move(indicators)}};
}

}  // namespace cryptodash::fake
