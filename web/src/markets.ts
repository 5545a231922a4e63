// The table of watched symbols (/api/crypto/markets): price, 24 h change with a bar centred
// on zero, market cap. Choosing a row shows its chart.

import { h, setAttr, setText } from './dom';
import type { I18n } from './i18n';
import type { Market, Markets } from './types';

interface Row {
  symbol: string;
  tr: HTMLTableRowElement;
  button: HTMLButtonElement;
  name: HTMLElement;
  price: HTMLElement;
  change: HTMLElement;
  bar: HTMLElement;
  cap: HTMLElement;
  lastPrice: number | null;
}

export class MarketTable {
  readonly el: HTMLElement;
  onSelect: (symbol: string) => void = () => {};
  private readonly title: HTMLElement;
  private readonly head: HTMLTableRowElement;
  private readonly body: HTMLTableSectionElement;
  private readonly status: HTMLElement;
  private readonly table: HTMLTableElement;
  private rows: Row[] = [];
  private readonly markets = new Map<string, Market>();
  private readonly errors = new Map<string, string>();
  private loaded = false;
  private failure: string | null = null;
  private selected = '';

  constructor(private readonly i18n: () => I18n) {
    this.title = h('h2', { class: 'panel-title', id: 'markets-title' });
    this.head = h('tr', {});
    this.body = h('tbody', {});
    this.table = h('table', { class: 'markets', 'data-testid': 'markets-table' }, h('thead', {}, this.head), this.body);
    this.status = h('p', { class: 'panel-status', role: 'status', 'data-testid': 'markets-status' });
    this.el = h('section', { class: 'panel markets-panel', 'aria-labelledby': 'markets-title', 'data-testid': 'markets-panel' },
      h('div', { class: 'panel-head' }, this.title), h('div', { class: 'table-wrap' }, this.table), this.status);
  }

  setSymbols(symbols: readonly string[]): void {
    this.rows = symbols.map((symbol) => {
      const button = h('button', { type: 'button', class: 'coin', 'data-testid': `market-select-${symbol}`, 'aria-pressed': 'false' });
      button.addEventListener('click', () => this.onSelect(symbol));
      const name = h('span', { class: 'coin-name' });
      button.append(h('span', { class: 'coin-icon', 'aria-hidden': 'true' }, symbol.slice(0, 1).toUpperCase()),
        h('span', { class: 'coin-text' }, h('span', { class: 'coin-symbol' }, symbol.toUpperCase()), name));
      const price = h('td', { class: 'num price', 'data-testid': `market-${symbol}-price` });
      const change = h('span', { class: 'chg-text' });
      const bar = h('span', { class: 'bar' });
      const changeCell = h('td', { class: 'num change', 'data-testid': `market-${symbol}-change` },
        h('span', { class: 'change-wrap' }, change, h('span', { class: 'bar-track', 'aria-hidden': 'true' }, bar)));
      const cap = h('td', { class: 'num cap' });
      const tr = h('tr', { 'data-testid': `market-${symbol}`, 'data-symbol': symbol }, h('th', { scope: 'row' }, button), price, changeCell, cap);
      return { symbol, tr, button, name, price, change, bar, cap, lastPrice: null };
    });
    this.body.replaceChildren(...this.rows.map((r) => r.tr));
    this.render();
  }

  select(symbol: string): void {
    this.selected = symbol;
    this.render();
  }

  /** A whole /markets answer (first load, polling). */
  update(m: Markets): void {
    this.loaded = true;
    this.failure = null;
    for (const x of m.markets) this.take(x);
    for (const e of m.errors) if (!this.markets.has(e.symbol)) this.errors.set(e.symbol, e.message);
    this.render();
  }

  /** One market_update from the socket. */
  updateOne(m: Market): void {
    this.take(m);
    this.render();
  }

  /** Keeps `m` unless the value held is newer (an HTTP answer overtaken by a push). */
  private take(m: Market): void {
    const held = this.markets.get(m.symbol);
    if (held?.last_updated && m.last_updated && Date.parse(m.last_updated) < Date.parse(held.last_updated)) return;
    this.markets.set(m.symbol, m);
    this.errors.delete(m.symbol);
  }

  failed(reason: string): void {
    if (!this.loaded) this.failure = reason;
    this.render();
  }

  get(symbol: string): Market | null {
    return this.markets.get(symbol) ?? null;
  }

  render(): void {
    const t = this.i18n();
    setText(this.title, t.t('markets.title'));
    setAttr(this.table, 'aria-label', t.t('markets.aria'));
    const heads = [t.t('markets.coin'), t.t('markets.price'), t.t('markets.change'), t.t('markets.cap')];
    if (this.head.children.length !== heads.length) {
      this.head.replaceChildren(...heads.map((_, i) => h('th', { scope: 'col', class: i === 0 ? '' : 'num' })));
    }
    heads.forEach((text, i) => {
      const th = this.head.children[i];
      if (th) setText(th, text);
    });
    const scale = Math.max(5, ...[...this.markets.values()].map((m) => Math.abs(m.change_24h_pct ?? 0)));
    for (const r of this.rows) {
      const m = this.markets.get(r.symbol);
      const err = this.errors.get(r.symbol);
      setAttr(r.button, 'aria-pressed', String(r.symbol === this.selected));
      setAttr(r.button, 'aria-label', t.t('markets.select', { symbol: r.symbol.toUpperCase() }));
      r.tr.classList.toggle('is-selected', r.symbol === this.selected);
      setText(r.name, m?.coin_id ?? '');
      if (!m) {
        setText(r.price, t.t('dash'));
        setText(r.change, err ? t.t('markets.row_error', { reason: t.reason(err) }) : '');
        r.bar.style.width = '0';
        setText(r.cap, t.t('dash'));
        continue;
      }
      setText(r.price, t.usd(m.price_usd));
      if (r.lastPrice !== null && r.lastPrice !== m.price_usd) flash(r.price, m.price_usd > r.lastPrice ? 'flash-up' : 'flash-down');
      r.lastPrice = m.price_usd;
      const pct = m.change_24h_pct;
      const dir = pct === null ? 'flat' : pct > 0 ? 'up' : pct < 0 ? 'down' : 'flat';
      setText(r.change, pct === null ? t.t('dash') : t.signedPct(pct));
      setAttr(r.change, 'class', `chg-text chg-${dir}`);
      const width = pct === null ? 0 : Math.min(50, (Math.abs(pct) / scale) * 50);
      r.bar.style.width = `${width}%`;
      r.bar.style.left = dir === 'down' ? `${50 - width}%` : '50%';
      setAttr(r.bar, 'class', `bar bar-${dir}`);
      setText(r.cap, m.market_cap_usd === null ? t.t('dash') : t.usdCompact(m.market_cap_usd));
    }
    const status = this.failure !== null ? t.t('markets.error', { reason: t.reason(this.failure) })
      : !this.loaded ? t.t('markets.loading') : '';
    setText(this.status, status);
    this.status.hidden = status === '';
  }
}

function flash(el: HTMLElement, cls: string): void {
  el.classList.remove('flash-up', 'flash-down');
  void el.offsetWidth; // restart the animation
  el.classList.add(cls);
}
