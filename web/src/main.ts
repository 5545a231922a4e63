// The dashboard page: builds the views, loads the data over HTTP, then keeps it live over the
// WebSocket (or by polling when the socket cannot be had). All state lives here and in the
// views; a language switch re-renders from it without fetching anything.

import { AdminPanel } from './admin';
import { ApiError, api } from './api';
import { SummaryCards } from './cards';
import { ChartPanel, isInterval, type Interval } from './chart';
import { byId, h, setAttr, setText, svg } from './dom';
import { I18n, initialLang, isLang, rememberLang, type Lang } from './i18n';
import { LiveConnection, timing, type ConnState } from './live';
import { MarketTable } from './markets';
import { SourcesPanel } from './sources';
import type { ServerMessage, Summary } from './types';

const defaultSymbols = ['btc', 'eth', 'sol', 'bnb', 'xrp'];
const marketsRefreshMs = 60_000; // the table's other rows, while the socket pushes only the chosen one
const sparklineRefreshMs = 300_000;

let i18n = new I18n(initialLang());
const current = (): I18n => i18n;

/** Symbols from `?symbols=a,b,c` when valid, else the default list. */
function watchedSymbols(): string[] {
  const param = new URLSearchParams(location.search).get('symbols');
  if (param) {
    const list = [...new Set(param.toLowerCase().split(',').map((s) => s.trim()))]
      .filter((s) => /^[a-z0-9]{1,15}$/.test(s)).slice(0, 20);
    if (list.length > 0) return list;
  }
  return defaultSymbols;
}

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage blocked
  }
}

class Header {
  readonly el: HTMLElement;
  private readonly tagline: HTMLElement;
  private readonly updated: HTMLElement;
  private readonly conn: HTMLElement;
  private readonly connText: HTMLElement;
  private readonly connLabel: HTMLElement;
  private readonly langLabel: HTMLElement;
  readonly langSelect: HTMLSelectElement;
  private state: ConnState = 'connecting';
  private updatedAt: Date | null = null;

  constructor() {
    this.tagline = h('span', { class: 'brand-tag' });
    const logo = svg('svg', { viewBox: '0 0 32 32', class: 'logo', 'aria-hidden': 'true' },
      svg('rect', { x: 1, y: 1, width: 30, height: 30, rx: 9, class: 'logo-bg' }),
      svg('path', { d: 'M8 21 L13 15 L17 18 L24 10', class: 'logo-line' }),
      svg('circle', { cx: 24, cy: 10, r: 2.2, class: 'logo-dot' }));
    this.updated = h('span', { class: 'updated', 'data-testid': 'updated-at' });
    this.connText = h('span', { class: 'conn-text' });
    this.connLabel = h('span', { class: 'sr-only' });
    this.conn = h('div', { class: 'conn', role: 'status', 'aria-live': 'polite', 'data-testid': 'conn-state', 'data-state': 'connecting' },
      h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), this.connLabel, this.connText);
    this.langLabel = h('span', { class: 'sr-only' });
    this.langSelect = h('select', { class: 'select select-compact', 'data-testid': 'lang-select' },
      h('option', { value: 'en', lang: 'en' }, 'English'), h('option', { value: 'vi', lang: 'vi' }, 'Tiếng Việt'));
    this.el = h('header', { class: 'topbar' },
      h('div', { class: 'brand' }, logo, h('div', { class: 'brand-text' }, h('span', { class: 'brand-name' }, 'cryptodash'), this.tagline)),
      h('div', { class: 'topbar-right' }, this.updated, this.conn, h('label', { class: 'lang' }, this.langLabel, this.langSelect)));
  }

  get connState(): ConnState {
    return this.state;
  }

  setState(s: ConnState): void {
    this.state = s;
    this.render();
  }

  setUpdated(iso: string | null): void {
    const d = iso ? new Date(iso) : null;
    this.updatedAt = d && !Number.isNaN(d.getTime()) ? d : null;
    this.render();
  }

  render(): void {
    const t = i18n;
    setText(this.tagline, t.t('app.tagline'));
    setText(this.langLabel, t.t('lang.label'));
    setAttr(this.langSelect, 'aria-label', t.t('lang.label'));
    this.langSelect.value = t.lang;
    const text = this.state === 'polling' ? t.t('conn.polling', { s: timing.pollMs / 1000 }) : t.t(`conn.${this.state}`);
    setText(this.connText, text);
    setAttr(this.conn, 'data-state', this.state);
    setText(this.connLabel, t.t('conn.label'));
    setText(this.updated, this.updatedAt ? t.t('updated', { time: t.date(this.updatedAt) }) : t.t('updated.never'));
  }
}

function main(): void {
  const root = byId('app');
  const symbols = watchedSymbols();
  const savedSymbol = stored('cryptodash.symbol');
  let selected = savedSymbol && symbols.includes(savedSymbol) ? savedSymbol : symbols[0] ?? 'btc';
  const savedInterval = stored('cryptodash.interval');
  const interval: Interval = isInterval(savedInterval) ? savedInterval : '1h';

  const header = new Header();
  const cards = new SummaryCards(current);
  const chart = new ChartPanel(current);
  const markets = new MarketTable(current);
  const admin = new AdminPanel(current);
  const sources = new SourcesPanel(current);
  const footer = h('footer', { class: 'footer' }, h('span', { class: 'footer-text' }),
    h('a', { href: '/openapi.json', class: 'footer-link' }));

  root.replaceChildren(header.el,
    h('main', { class: 'content', id: 'main' }, cards.el, h('div', { class: 'grid' }, chart.el, h('div', { class: 'side' }, markets.el, sources.el)), admin.el),
    footer);

  const renderAll = (): void => {
    document.documentElement.lang = i18n.lang;
    document.title = i18n.t('app.title');
    setAttr(cards.el, 'aria-label', i18n.t('cards.aria'));
    setText(footer.querySelector('.footer-text') ?? footer, i18n.t('footer.text'));
    setText(footer.querySelector('.footer-link') ?? footer, i18n.t('footer.api'));
    header.render();
    cards.render();
    chart.render();
    markets.render();
    sources.render();
    admin.render();
  };

  const showSummary = (s: Summary): void => {
    // An answer that left before a newer push arrived must not bring older figures back.
    const shown = cards.current?.updated_at;
    if (shown && s.updated_at && Date.parse(s.updated_at) < Date.parse(shown)) return;
    cards.update(s);
    sources.update(s);
    header.setUpdated(s.updated_at);
  };

  const loadSummary = async (): Promise<void> => {
    try {
      showSummary(await api.summary());
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      // keep what is shown; the connection indicator tells the user about the link
    }
  };

  const loadMarkets = async (): Promise<void> => {
    try {
      markets.update(await api.markets(symbols));
      chart.updateMarket(markets.get(selected));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      markets.failed(e.message);
    }
  };

  const loadSparkline = async (): Promise<void> => {
    try {
      const c = await api.candles('btc', '1h', 25);
      cards.setSparkline(c.candles.map((x) => x.close));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      cards.setSparkline([]); // no line rather than an old one
    }
  };

  const live = new LiveConnection({
    message: (m: ServerMessage) => {
      if (m.type === 'dashboard_update') {
        showSummary(m.data);
      } else if (m.type === 'market_update') {
        markets.updateOne(m.data);
        if (m.data.symbol === selected) chart.updateMarket(markets.get(selected));
      }
    },
    state: (s: ConnState) => {
      const before = header.connState;
      header.setState(s);
      // Back from a gap: the table's rows may have moved meanwhile.
      if (s === 'live' && before !== 'connecting') void loadMarkets();
    },
    poll: async () => {
      await Promise.all([loadSummary(), loadMarkets()]);
    },
  });

  const select = (symbol: string): void => {
    if (!symbols.includes(symbol)) return;
    selected = symbol;
    store('cryptodash.symbol', symbol);
    markets.select(symbol);
    chart.load(symbol);
    chart.updateMarket(markets.get(symbol));
    live.setChannels([`market:${symbol}`]);
  };

  chart.onSymbolChange = select;
  markets.onSelect = select;
  admin.onSummary = showSummary;
  header.langSelect.addEventListener('change', () => {
    const lang = header.langSelect.value;
    if (!isLang(lang) || lang === i18n.lang) return;
    i18n = new I18n(lang as Lang);
    rememberLang(lang);
    renderAll();
  });

  chart.setSymbols(symbols);
  markets.setSymbols(symbols);
  markets.select(selected);
  renderAll();
  chart.mount();
  chart.load(selected, interval);

  void loadSummary();
  void loadMarkets();
  live.setChannels([`market:${selected}`]);
  live.start();

  void loadSparkline();
  window.setInterval(() => void loadSparkline(), sparklineRefreshMs);
  window.setInterval(() => {
    cards.tick();
    sources.render();
  }, 1000);
  window.setInterval(() => {
    if (live.state === 'live') void loadMarkets();
  }, marketsRefreshMs);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
