// The JSON shapes of the server's API (SPEC sections 4 and 5; src/market/payloads.h).
// Numbers the server does not have are null, never a default.

export type SourceState = 'fresh' | 'stale' | 'unavailable';

export interface SourceInfo {
  state: SourceState;
  age_s: number | null;
  error: string | null;
}

export type SourceName = 'global' | 'btc_price' | 'fear_greed' | 'rsi';

export interface Summary {
  market_cap_usd: number | null;
  market_cap_change_24h_pct: number | null;
  volume_24h_usd: number | null;
  btc_dominance_pct: number | null;
  eth_dominance_pct: number | null;
  btc_price_usd: number | null;
  btc_change_24h_pct: number | null;
  fear_greed: { value: number | null; classification: string | null } | null;
  rsi_14: number | null;
  updated_at: string | null;
  sources: Partial<Record<SourceName, SourceInfo>>;
}

export interface Market {
  symbol: string;
  coin_id: string | null;
  price_usd: number;
  change_24h_pct: number | null;
  market_cap_usd: number | null;
  volume_24h_usd: number | null;
  last_updated: string | null;
  source: string;
}

export interface MarketError {
  symbol: string;
  code: string;
  message: string;
}

export interface Markets {
  markets: Market[];
  errors: MarketError[];
}

export interface Candle {
  time: number; // open time, Unix seconds
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  closed: boolean;
}

export interface Candles {
  symbol: string;
  interval: string;
  source: string;
  candles: Candle[];
}

export interface IndicatorPoint {
  time: number;
  value: number;
}

/** rsi / sma / ema answers (macd and bbands have object values; the dashboard does not use them). */
export interface Indicator {
  symbol: string;
  indicator: string;
  period: number;
  interval: string;
  source: string;
  time: number | null;
  value: number | null;
  values: IndicatorPoint[];
}

export interface UpstreamStats {
  circuit_state?: string;
  calls?: number;
  failures?: number;
  rate_limited?: number;
  budget_used?: number;
  budget_limit?: number | null;
  current_interval_s?: number | null;
}

export interface CacheStats {
  l1?: {
    entry_count?: number;
    max_capacity?: number;
    hit_count?: number;
    miss_count?: number;
    hit_rate_percent?: number;
    eviction_count?: number;
    ttl_seconds?: number;
    healthy?: boolean;
  };
  l2?: {
    type?: string;
    healthy?: boolean;
    status?: string;
    hit_count?: number;
    miss_count?: number;
    ttl_seconds?: number;
  };
  disk?: {
    enabled?: boolean;
    entry_count?: number;
    bytes?: number;
    healthy?: boolean;
    hit_count?: number;
    miss_count?: number;
  };
  upstreams?: Record<string, UpstreamStats>;
  strategy?: string;
  cache_strategy?: string;
}

export interface ClearResult {
  cleared: boolean;
  pattern: string;
  l1_entries_removed: number;
}

/** Messages the server sends on /ws (SPEC section 5). */
export type ServerMessage =
  | { type: 'dashboard_update'; data: Summary; timestamp: string }
  | { type: 'market_update'; symbol: string; data: Market; timestamp: string }
  | { type: 'pong' }
  | { type: 'subscribed' | 'unsubscribed'; channels: string[] }
  | { type: 'error'; error: { code: string; message: string } };
