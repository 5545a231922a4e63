// SMA, EMA (seeded with the SMA) and RSI (Wilder) over closes, the same definitions as the
// server's (src/market/indicators.cpp). Used only to draw an overlay when the indicator API
// answers a single point (a TAAPI-sourced indicator) instead of a series; the headline figure
// always comes from the API.

import type { IndicatorPoint } from './types';

export type IndicatorName = 'sma' | 'ema' | 'rsi';

export function computeSeries(name: IndicatorName, times: readonly number[], closes: readonly number[],
  period: number): IndicatorPoint[] {
  const values = name === 'sma' ? sma(closes, period) : name === 'ema' ? ema(closes, period) : rsi(closes, period);
  const out: IndicatorPoint[] = [];
  values.forEach((v, i) => {
    const t = times[i];
    if (v !== null && t !== undefined) out.push({ time: t, value: v });
  });
  return out;
}

function mean(x: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] ?? 0;
  return sum / (to - from);
}

export function sma(x: readonly number[], period: number): Array<number | null> {
  const out: Array<number | null> = x.map(() => null);
  for (let i = period - 1; i < x.length; i++) out[i] = mean(x, i + 1 - period, i + 1);
  return out;
}

export function ema(x: readonly number[], period: number): Array<number | null> {
  const out: Array<number | null> = x.map(() => null);
  if (x.length < period) return out;
  const alpha = 2 / (period + 1);
  let e = mean(x, 0, period);
  out[period - 1] = e;
  for (let i = period; i < x.length; i++) {
    e += alpha * ((x[i] ?? e) - e);
    out[i] = e;
  }
  return out;
}

export function rsi(x: readonly number[], period: number): Array<number | null> {
  const out: Array<number | null> = x.map(() => null);
  if (x.length <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < x.length; i++) {
    const d = (x[i] ?? 0) - (x[i - 1] ?? 0);
    const up = d > 0 ? d : 0;
    const down = d < 0 ? -d : 0;
    if (i < period) {
      gain += up;
      loss += down;
      continue;
    }
    if (i === period) {
      gain = (gain + up) / period;
      loss = (loss + down) / period;
    } else {
      gain = (gain * (period - 1) + up) / period;
      loss = (loss * (period - 1) + down) / period;
    }
    const total = gain + loss;
    out[i] = total === 0 ? 50 : 100 * (gain / total);
  }
  return out;
}
