#include "upstream/providers/coin_map.h"

#include "core/keys.h"

#include <array>
#include <utility>

namespace cryptodash::upstream {
namespace {

// Top coins by market cap (2024–2025), as CoinGecko names them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 36> default_coins{{
    {"btc", "bitcoin"},
    {"eth", "ethereum"},
    {"usdt", "tether"},
    {"bnb", "binancecoin"},
    {"sol", "solana"},
    {"xrp", "ripple"},
    {"usdc", "usd-coin"},
    {"ada", "cardano"},
    {"doge", "dogecoin"},
    {"trx", "tron"},
    {"ton", "the-open-network"},
    {"avax", "avalanche-2"},
    {"shib", "shiba-inu"},
    {"dot", "polkadot"},
    {"link", "chainlink"},
    {"bch", "bitcoin-cash"},
    {"ltc", "litecoin"},
    {"matic", "matic-network"},
    {"near", "near"},
    {"uni", "uniswap"},
    {"xlm", "stellar"},
    {"atom", "cosmos"},
    {"xmr", "monero"},
    {"etc", "ethereum-classic"},
    {"fil", "filecoin"},
    {"apt", "aptos"},
    {"arb", "arbitrum"},
    {"op", "optimism"},
    {"hbar", "hedera-hashgraph"},
    {"icp", "internet-computer"},
    {"algo", "algorand"},
    {"vet", "vechain"},
    {"dai", "dai"},
    {"sui", "sui"},
    {"pepe", "pepe"},
    {"steth", "staked-ether"},
}};

}  // namespace

coin_map::coin_map(start s) {
  if (s == start::empty) return;
  for (auto [symbol, id] : default_coins) {
    by_symbol_.emplace(symbol, id);
    by_id_.emplace(id, symbol);
  }
}

core::result<void> coin_map::add(std::string_view symbol, std::string_view id) {
  auto sym = core::normalize_symbol(symbol);
  auto cid = core::normalize_coin_id(id);
  if (!sym || !cid) return make_error_code(core::errc::invalid_argument);
  if (auto it = by_symbol_.find(*sym); it != by_symbol_.end()) {
    by_id_.erase(it->second);
    by_symbol_.erase(it);
  }
  if (auto it = by_id_.find(*cid); it != by_id_.end()) {
    by_symbol_.erase(it->second);
    by_id_.erase(it);
  }
  by_symbol_.emplace(*sym, *cid);
  by_id_.emplace(std::move(*cid), std::move(*sym));
  return {};
}

std::optional<std::string_view> coin_map::id_of(std::string_view symbol) const {
  auto sym = core::normalize_symbol(symbol);
  if (!sym) return std::nullopt;
  auto it = by_symbol_.find(*sym);
  if (it == by_symbol_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> coin_map::symbol_of(std::string_view id) const {
  auto cid = core::normalize_coin_id(id);
  if (!cid) return std::nullopt;
  auto it = by_id_.find(*cid);
  if (it == by_id_.end()) return std::nullopt;
  return std::string_view(it->second);
}

}  // namespace cryptodash::upstream
