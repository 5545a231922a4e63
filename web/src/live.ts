// The live channel: a WebSocket to /ws (SPEC section 5), reconnected with exponential backoff;
// after `maxAttempts` failed reconnects it falls back to polling the HTTP API every `pollMs`
// and keeps retrying the socket every `retryMs` in the background. A socket from which no
// answer to our ping arrives within `pongTimeoutMs` counts as dead.

import type { ServerMessage } from './types';

export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'polling';

export const timing = {
  backoffBaseMs: 500,
  backoffMaxMs: 8000,
  maxAttempts: 5,
  pollMs: 5000,
  retryMs: 30000,
  pingMs: 25000,
  pongTimeoutMs: 10000,
};

export interface LiveHandlers {
  message(m: ServerMessage): void;
  state(s: ConnState): void;
  /** Fetches over HTTP what the socket would have pushed; called every pollMs while polling. */
  poll(): Promise<void>;
}

export class LiveConnection {
  private ws: WebSocket | null = null;
  private current: ConnState = 'connecting';
  private failures = 0; // connections in a row that ended before any message came
  private polling = false;
  private reconnectTimer: number | undefined;
  private pollTimer: number | undefined;
  private pingTimer: number | undefined;
  private pongTimer: number | undefined;
  private wanted = new Set<string>(); // channels the page wants
  private sent = new Set<string>(); // channels subscribed on the current socket

  constructor(private readonly handlers: LiveHandlers) {}

  get state(): ConnState {
    return this.current;
  }

  start(): void {
    this.setState('connecting');
    this.connect();
  }

  /** The channels to be subscribed to (e.g. ["market:btc"]); the rest are unsubscribed. */
  setChannels(channels: readonly string[]): void {
    this.wanted = new Set(channels);
    this.syncChannels();
  }

  private url(): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  private connect(): void {
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.failed();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.stopPolling();
      this.sent.clear();
      this.setState('live');
      this.syncChannels();
      this.startHeartbeat();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return;
      this.failures = 0;
      window.clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
      let m: ServerMessage;
      try {
        m = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return; // not ours to show; the server only sends JSON
      }
      if (m && typeof m === 'object' && m.type !== 'pong') this.handlers.message(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.detach();
      this.failed();
    };
    ws.onerror = () => {
      // a close event follows and does the bookkeeping
    };
  }

  /** Forgets the current socket (its events are ignored from now on) and closes it. */
  private detach(): void {
    const ws = this.ws;
    this.ws = null;
    this.sent.clear();
    this.stopHeartbeat();
    if (ws) {
      ws.onopen = null;
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    }
  }

  private failed(): void {
    if (this.polling) {
      this.reconnectTimer = window.setTimeout(() => this.connect(), timing.retryMs);
      this.setState('polling');
      return;
    }
    this.failures += 1;
    if (this.failures > timing.maxAttempts) {
      this.startPolling();
      this.reconnectTimer = window.setTimeout(() => this.connect(), timing.retryMs);
      return;
    }
    const base = Math.min(timing.backoffBaseMs * 2 ** (this.failures - 1), timing.backoffMaxMs);
    const delay = base * (0.8 + Math.random() * 0.4);
    this.setState('reconnecting');
    this.reconnectTimer = window.setTimeout(() => this.connect(), delay);
  }

  private startPolling(): void {
    this.polling = true;
    this.setState('polling');
    const tick = async (): Promise<void> => {
      try {
        await this.handlers.poll();
      } finally {
        if (this.polling) this.pollTimer = window.setTimeout(() => void tick(), timing.pollMs);
      }
    };
    void tick();
  }

  private stopPolling(): void {
    this.polling = false;
    window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.pingTimer = window.setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: 'ping' }));
      if (this.pongTimer === undefined) {
        this.pongTimer = window.setTimeout(() => {
          this.pongTimer = undefined;
          if (this.ws === ws) {
            this.detach();
            this.failed();
          }
        }, timing.pongTimeoutMs);
      }
    }, timing.pingMs);
  }

  private stopHeartbeat(): void {
    window.clearInterval(this.pingTimer);
    window.clearTimeout(this.pongTimer);
    this.pingTimer = undefined;
    this.pongTimer = undefined;
  }

  private syncChannels(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const drop = [...this.sent].filter((c) => !this.wanted.has(c));
    const add = [...this.wanted].filter((c) => !this.sent.has(c));
    if (drop.length > 0) ws.send(JSON.stringify({ type: 'unsubscribe', channels: drop }));
    if (add.length > 0) ws.send(JSON.stringify({ type: 'subscribe', channels: add }));
    this.sent = new Set(this.wanted);
  }

  private setState(s: ConnState): void {
    if (this.current === s) return;
    this.current = s;
    this.handlers.state(s);
  }
}
