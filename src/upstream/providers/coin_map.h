#pragma once

// Ticker symbols ("btc") and CoinGecko coin ids ("bitcoin"): the dashboard speaks symbols,
// CoinGecko wants ids, and a symbol alone is ambiguous there (hundreds of coins call
// themselves "eth"-something), so the mapping is explicit and configurable.

#include "core/error.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cryptodash::upstream {

/// A one-to-one map between lowercase symbols and CoinGecko ids. Not thread-safe for writes:
/// build it at start-up, then share it read-only (const methods are safe to call concurrently).
class coin_map {
 public:
  /// Which entries a new map starts with.
  enum class start { with_defaults, empty };

  /// `with_defaults` holds the top coins by market cap (btc → bitcoin, eth → ethereum,
  /// sol → solana, bnb → binancecoin, xrp → ripple, ada → cardano, doge → dogecoin,
  /// dot → polkadot, ltc → litecoin, shib → shiba-inu, matic → matic-network, …; about 35).
  explicit coin_map(start s = start::with_defaults);

  /// Maps `symbol` ↔ `id`. The symbol is lowercased and must match core::normalize_symbol,
  /// the id core::normalize_coin_id; otherwise errc::invalid_argument and nothing changes.
  /// Any earlier mapping of the same symbol or of the same id is removed first, so the map
  /// stays one-to-one (`add("pol", "matic-network")` drops matic ↔ matic-network).
  core::result<void> add(std::string_view symbol, std::string_view id);

  /// The CoinGecko id of `symbol` (compared case-insensitively), if mapped.
  std::optional<std::string_view> id_of(std::string_view symbol) const;
  /// The symbol of CoinGecko id `id` (compared case-insensitively), if mapped.
  std::optional<std::string_view> symbol_of(std::string_view id) const;

  std::size_t size() const noexcept { return by_symbol_.size(); }

 private:
  std::unordered_map<std::string, std::string> by_symbol_;
  std::unordered_map<std::string, std::string> by_id_;
};

}  // namespace cryptodash::upstream
