#include "upstream/providers/coingecko.h"

#include "core/keys.h"
#include "upstream/providers/common.h"
#include "upstream/providers/json_read.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace cryptodash::upstream::coingecko {
namespace {

namespace json = boost::json;

core::result<std::string> vs_currency(std::string_view text) {
  if (text.empty() || text.size() > 10) return make_error_code(core::errc::invalid_argument);
  std::string out;
  for (char c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c < 'a' || c > 'z') return make_error_code(core::errc::invalid_argument);
    out += c;
  }
  return out;
}

// The normalised, encoded, comma-joined list; invalid_argument on a bad or repeated item or
// a count outside 1..max.
template <class Normalize>
core::result<std::string> join(std::span<const std::string> items, std::size_t max,
                               Normalize normalize) {
  if (items.empty() || items.size() > max) return make_error_code(core::errc::invalid_argument);
  std::vector<std::string> seen;
  std::string out;
  for (const auto& item : items) {
    auto n = normalize(item);
    if (!n || std::find(seen.begin(), seen.end(), *n) != seen.end()) {
      return make_error_code(core::errc::invalid_argument);
    }
    if (!out.empty()) out += ',';
    out += percent_encode(*n);
    seen.push_back(std::move(*n));
  }
  return out;
}

call_request with_key(call_request c, std::string_view demo_key) {
  if (!demo_key.empty()) c.headers.emplace_back(demo_key_header, demo_key);
  return c;
}

amounts read_amounts(json_reader& rd, const json::object& o) {
  amounts out;
  for (const auto& [k, v] : o) out.emplace(std::string(k), rd.number(v, sign::non_negative));
  return out;
}

double usd_of(json_reader& rd, const amounts& a) {
  auto it = a.find("usd");
  rd.check(it != a.end());
  return it != a.end() ? it->second : 0;
}

std::vector<chart_point> read_series(json_reader& rd, const json::object& o, std::string_view key,
                                     core::time_point now) {
  std::vector<chart_point> out;
  const auto& a = rd.array(o, key);
  out.reserve(a.size());
  for (const auto& v : a) {
    const auto& pair = rd.array(v, 2);
    if (!rd.ok()) break;
    chart_point p{rd.unix_millis(rd.integer(pair[0]), now), rd.number(pair[1], sign::non_negative)};
    rd.check(out.empty() || out.back().time <= p.time);
    out.push_back(p);
  }
  return out;
}

// `"key": {"usd": 1.0, ...}` → the usd amount; nullopt when the member is null, not an object
// with usd (CoinGecko sends `{}` for unknown values), and only then.
std::optional<double> nullable_usd(json_reader& rd, const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr || v->is_null()) return std::nullopt;
  const auto& amounts = rd.object(*v);
  const auto* usd = amounts.if_contains("usd");
  if (usd == nullptr || usd->is_null()) return std::nullopt;
  return rd.number(*usd, sign::non_negative);
}

market read_market(json_reader& rd, const json::object& o, core::time_point now) {
  market m;
  m.id = rd.name(o, "id");
  m.symbol = rd.name(o, "symbol");
  m.name = rd.name(o, "name");
  m.current_price = rd.number(o, "current_price", sign::non_negative);
  m.market_cap = rd.number(o, "market_cap", sign::non_negative);
  if (const auto* rank = o.if_contains("market_cap_rank"); rank != nullptr && rank->is_null()) {
    m.market_cap_rank = std::nullopt;  // unranked (small or new coins)
  } else {
    const auto r = rd.integer(o, "market_cap_rank");
    rd.check(r >= 1 && r <= 1'000'000);
    m.market_cap_rank = static_cast<int>(r);
  }
  m.fully_diluted_valuation = rd.nullable_number(o, "fully_diluted_valuation", sign::non_negative);
  m.total_volume = rd.number(o, "total_volume", sign::non_negative);
  m.high_24h = rd.number(o, "high_24h", sign::non_negative);
  m.low_24h = rd.number(o, "low_24h", sign::non_negative);
  m.price_change_24h = rd.number(o, "price_change_24h");
  m.price_change_percentage_24h = rd.number(o, "price_change_percentage_24h");
  m.market_cap_change_24h = rd.number(o, "market_cap_change_24h");
  m.market_cap_change_percentage_24h = rd.number(o, "market_cap_change_percentage_24h");
  m.circulating_supply = rd.nullable_number(o, "circulating_supply", sign::non_negative);
  m.total_supply = rd.nullable_number(o, "total_supply", sign::non_negative);
  m.max_supply = rd.nullable_number(o, "max_supply", sign::non_negative);
  m.ath = rd.number(o, "ath", sign::non_negative);
  m.atl = rd.number(o, "atl", sign::non_negative);
  if (const auto* roi = o.if_contains("roi"); roi != nullptr && !roi->is_null()) {
    const auto& r = rd.object(*roi);
    m.roi = return_on_investment{rd.number(r, "times"), std::string(rd.name(r, "currency")),
                                 rd.number(r, "percentage")};
  } else {
    rd.check(roi != nullptr);
  }
  m.last_updated = rd.iso8601(rd.string(o, "last_updated"), now);
  return m;
}

}  // namespace

// ---- Requests -------------------------------------------------------------------------------

call_request global_request(std::string_view demo_key) {
  return with_key(target_builder("/global").get("global"), demo_key);
}

core::result<call_request> simple_price_request(std::span<const std::string> ids,
                                                std::span<const std::string> vs_currencies,
                                                std::string_view demo_key) {
  auto id_list =
      join(ids, max_ids, [](const std::string& s) { return core::normalize_coin_id(s); });
  auto cur_list =
      join(vs_currencies, max_currencies, [](const std::string& s) { return vs_currency(s); });
  if (!id_list || !cur_list) return make_error_code(core::errc::invalid_argument);
  target_builder t("/simple/price");
  t.add_encoded("ids", *id_list)
      .add_encoded("vs_currencies", *cur_list)
      .add("include_market_cap", "true")
      .add("include_24hr_vol", "true")
      .add("include_24hr_change", "true")
      .add("include_last_updated_at", "true");
  return with_key(t.get("simple_price"), demo_key);
}

core::result<call_request> markets_request(std::string_view vs, int per_page, int page,
                                           std::string_view demo_key) {
  auto cur = vs_currency(vs);
  if (!cur || per_page < 1 || per_page > max_per_page || page < 1) {
    return make_error_code(core::errc::invalid_argument);
  }
  target_builder t("/coins/markets");
  t.add("vs_currency", *cur)
      .add("order", "market_cap_desc")
      .add("per_page", std::to_string(per_page))
      .add("page", std::to_string(page));
  return with_key(t.get("coins_markets"), demo_key);
}

core::result<call_request> market_chart_request(std::string_view id, std::string_view vs, int days,
                                                std::string_view demo_key) {
  auto cid = core::normalize_coin_id(id);
  auto cur = vs_currency(vs);
  if (!cid || !cur || days < 1 || days > max_chart_days) {
    return make_error_code(core::errc::invalid_argument);
  }
  target_builder t("/coins/" + *cid + "/market_chart");  // ids are [a-z0-9-]: no encoding
  t.add("vs_currency", *cur).add("days", std::to_string(days));
  return with_key(t.get("market_chart"), demo_key);
}

core::result<call_request> coin_request(std::string_view id, std::string_view demo_key) {
  auto cid = core::normalize_coin_id(id);
  if (!cid) return make_error_code(core::errc::invalid_argument);
  target_builder t("/coins/" + *cid);
  for (const char* flag :
       {"localization", "tickers", "community_data", "developer_data", "sparkline"}) {
    t.add(flag, "false");
  }
  return with_key(t.get("coin"), demo_key);
}

// ---- Parsers --------------------------------------------------------------------------------

const currency_price* coin_price::find(std::string_view currency) const noexcept {
  auto it = std::find_if(prices.begin(), prices.end(),
                         [&](const auto& p) { return p.currency == currency; });
  return it != prices.end() ? &*it : nullptr;
}

core::result<global_market> parse_global(const call_response& r, core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& d = rd.object(rd.object(*doc), "data");
  global_market g;
  auto active = rd.integer(d, "active_cryptocurrencies");
  auto markets = rd.integer(d, "markets");
  rd.check(active >= 0 && active <= 10'000'000 && markets >= 0 && markets <= 10'000'000);
  g.active_cryptocurrencies = static_cast<int>(active);
  g.markets = static_cast<int>(markets);
  g.total_market_cap = read_amounts(rd, rd.object(d, "total_market_cap"));
  g.total_volume = read_amounts(rd, rd.object(d, "total_volume"));
  g.market_cap_percentage = read_amounts(rd, rd.object(d, "market_cap_percentage"));
  g.total_market_cap_usd = usd_of(rd, g.total_market_cap);
  g.total_volume_usd = usd_of(rd, g.total_volume);
  g.market_cap_change_percentage_24h_usd = rd.number(d, "market_cap_change_percentage_24h_usd");
  g.updated_at = rd.unix_seconds(rd.integer(d, "updated_at"), now);
  if (!rd.ok()) return rd.error();
  return g;
}

core::result<std::vector<coin_price>> parse_simple_price(const call_response& r,
                                                         core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  std::vector<coin_price> out;
  for (const auto& [id, v] : rd.object(*doc)) {
    coin_price c;
    c.id = id;
    rd.check(core::normalize_coin_id(c.id).has_value());
    const auto& o = rd.object(v);
    // First the prices (keys without '_'), then the suffixed keys that refer to them.
    for (const auto& [k, val] : o) {
      if (k.find('_') != json::string_view::npos) continue;
      auto cur = vs_currency(k);
      rd.check(cur.has_value());
      c.prices.push_back({cur ? *cur : std::string(), rd.number(val, sign::non_negative)});
    }
    std::sort(c.prices.begin(), c.prices.end(),
              [](const auto& a, const auto& b) { return a.currency < b.currency; });
    for (const auto& [k, val] : o) {
      std::string_view key(k.data(), k.size());
      if (key == "last_updated_at") {
        c.last_updated_at = rd.unix_seconds(rd.integer(val), now);
        continue;
      }
      auto underscore = key.find('_');
      if (underscore == std::string_view::npos) continue;
      auto cur = key.substr(0, underscore);
      auto suffix = key.substr(underscore);
      auto it = std::find_if(c.prices.begin(), c.prices.end(),
                             [&](const auto& p) { return p.currency == cur; });
      bool known = it != c.prices.end() &&
                   (suffix == "_market_cap" || suffix == "_24h_vol" || suffix == "_24h_change");
      if (!known) {
        rd.fail(core::errc::bad_response);  // a figure without its price, or an unknown key
      } else if (suffix == "_market_cap") {
        it->market_cap = rd.number(val, sign::non_negative);
      } else if (suffix == "_24h_vol") {
        it->volume_24h = rd.number(val, sign::non_negative);
      } else if (!val.is_null()) {
        it->change_24h = rd.number(val);
      }
    }
    rd.check(!c.prices.empty());
    out.push_back(std::move(c));
  }
  if (!rd.ok()) return rd.error();
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

core::result<coin_price> parse_simple_price_one(const call_response& r, std::string_view id,
                                                core::time_point now) {
  auto all = parse_simple_price(r, now);
  if (!all) return all.error();
  auto it = std::find_if(all->begin(), all->end(), [&](const auto& c) { return c.id == id; });
  if (it == all->end()) return make_error_code(core::errc::not_found);
  return std::move(*it);
}

core::result<std::vector<market>> parse_markets(const call_response& r, core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& a = rd.array(*doc);
  std::vector<market> out;
  out.reserve(a.size());
  for (const auto& v : a) {
    out.push_back(read_market(rd, rd.object(v), now));
    if (!rd.ok()) break;
  }
  if (!rd.ok()) return rd.error();
  return out;
}

core::result<market_chart> parse_market_chart(const call_response& r, core::time_point now) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& o = rd.object(*doc);
  market_chart c;
  c.prices = read_series(rd, o, "prices", now);
  c.market_caps = read_series(rd, o, "market_caps", now);
  c.total_volumes = read_series(rd, o, "total_volumes", now);
  if (!rd.ok()) return rd.error();
  return c;
}

core::result<coin_details> parse_coin(const call_response& r) {
  auto doc = parse_body(r);
  if (!doc) return doc.error();
  json_reader rd;
  const auto& o = rd.object(*doc);
  const auto& md = rd.object(o, "market_data");
  coin_details c;
  c.id = rd.name(o, "id");
  c.symbol = rd.name(o, "symbol");
  c.name = rd.name(o, "name");
  c.price_usd = rd.number(rd.object(md, "current_price"), "usd", sign::non_negative);
  c.market_cap_usd = rd.number(rd.object(md, "market_cap"), "usd", sign::non_negative);
  c.fully_diluted_valuation_usd = nullable_usd(rd, md, "fully_diluted_valuation");
  c.circulating_supply = rd.nullable_number(md, "circulating_supply", sign::non_negative);
  c.total_supply = rd.nullable_number(md, "total_supply", sign::non_negative);
  c.max_supply = rd.nullable_number(md, "max_supply", sign::non_negative);
  if (!rd.ok()) return rd.error();
  return c;
}

}  // namespace cryptodash::upstream::coingecko
