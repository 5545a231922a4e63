// HTTP calls to the cryptodash API. Every call resolves to a value or throws an ApiError that
// carries the HTTP status and the server's error code and message (SPEC section 4).

import type { CacheStats, Candles, ClearResult, Indicator, Markets, Summary } from './types';

export class ApiError extends Error {
  /** 0 when the server could not be reached. */
  readonly status: number;
  readonly code: string;
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

interface Options {
  method?: 'GET' | 'POST';
  token?: string | null;
  body?: unknown;
  signal?: AbortSignal;
}

async function call<T>(path: string, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers['Authorization'] = `Bearer ${options.token}`;
  const init: RequestInit = { method: options.method ?? 'GET', headers, cache: 'no-cache' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'network error');
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    body = null;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = Number(res.headers.get('Retry-After'));
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText,
      Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  if (body === null || typeof body !== 'object') {
    throw new ApiError(res.status, 'bad_body', 'the server answered something that is not JSON');
  }
  return body as T;
}

export const api = {
  summary: (signal?: AbortSignal) =>
    call<Summary>('/api/crypto/dashboard-summary', signal ? { signal } : {}),
  markets: (symbols: readonly string[], signal?: AbortSignal) =>
    call<Markets>(`/api/crypto/markets?symbols=${symbols.map(encodeURIComponent).join(',')}`,
      signal ? { signal } : {}),
  candles: (symbol: string, interval: string, limit: number, signal?: AbortSignal) =>
    call<Candles>(`/api/crypto/candles/${encodeURIComponent(symbol)}?interval=${interval}&limit=${limit}`,
      signal ? { signal } : {}),
  indicator: (symbol: string, name: string, period: number, interval: string, signal: AbortSignal) =>
    call<Indicator>(`/api/crypto/indicator/${encodeURIComponent(symbol)}/${name}/${period}?interval=${interval}`,
      { signal }),
  cacheStats: (token: string | null) => call<CacheStats>('/api/cache-stats', { token }),
  clearCache: (token: string) =>
    call<ClearResult>('/admin/cache/clear', { method: 'POST', token, body: {} }),
  forceRefresh: (token: string) =>
    call<Summary>('/api/crypto/dashboard-summary/refresh', { method: 'POST', token }),
};
