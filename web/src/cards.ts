// The summary cards (SPEC section 4, dashboard summary). Each card shows one figure and the
// freshness of the source it comes from; a figure the server does not have shows "—" and the
// reason, never a made-up number.

import { h, setAttr, setText, svg } from './dom';
import type { I18n, Key } from './i18n';
import type { SourceInfo, SourceName, Summary } from './types';

type CardId = 'btc-price' | 'market-cap' | 'volume' | 'btc-dominance' | 'eth-dominance' | 'fear-greed' | 'rsi';

interface Card {
  id: CardId;
  label: Key;
  source: SourceName;
  root: HTMLElement;
  labelEl: HTMLElement;
  badge: HTMLElement;
  value: HTMLElement;
  sub: HTMLElement;
  reason: HTMLElement;
  viz: HTMLElement | null;
}

const definitions: Array<{ id: CardId; label: Key; source: SourceName; wide?: boolean }> = [
  { id: 'btc-price', label: 'card.btc_price', source: 'btc_price', wide: true },
  { id: 'market-cap', label: 'card.market_cap', source: 'global' },
  { id: 'volume', label: 'card.volume', source: 'global' },
  { id: 'btc-dominance', label: 'card.btc_dominance', source: 'global' },
  { id: 'eth-dominance', label: 'card.eth_dominance', source: 'global' },
  { id: 'fear-greed', label: 'card.fear_greed', source: 'fear_greed' },
  { id: 'rsi', label: 'card.rsi', source: 'rsi' },
];

/** Fear & Greed bands as alternative.me draws them (value → colour). */
const fngBands: Array<[number, number, string]> = [
  [0, 25, '#ef4444'], [25, 47, '#f97316'], [47, 55, '#eab308'], [55, 76, '#84cc16'], [76, 100, '#22c55e'],
];

export class SummaryCards {
  readonly el: HTMLElement;
  private readonly cards = new Map<CardId, Card>();
  private summary: Summary | null = null;
  private receivedAt = 0;
  private needle: SVGLineElement | null = null;
  private rsiMarker: HTMLElement | null = null;
  private spark: number[] = [];

  constructor(private readonly i18n: () => I18n) {
    this.el = h('section', { class: 'cards', 'data-testid': 'summary-cards' });
    for (const d of definitions) {
      const card = this.build(d.id, d.label, d.source, d.wide ?? false);
      this.cards.set(d.id, card);
      this.el.append(card.root);
    }
  }

  private build(id: CardId, label: Key, source: SourceName, wide: boolean): Card {
    const labelEl = h('h2', { class: 'card-label' });
    const badge = h('span', { class: 'badge', 'data-testid': `card-${id}-badge`, 'data-state': 'loading' });
    const value = h('div', { class: 'card-value', 'data-testid': `card-${id}-value` }, '—');
    const sub = h('div', { class: 'card-sub', 'data-testid': `card-${id}-sub` });
    const reason = h('p', { class: 'card-reason', 'data-testid': `card-${id}-reason`, hidden: true });
    let viz: HTMLElement | null = null;
    if (id === 'fear-greed') viz = this.gauge();
    if (id === 'rsi') viz = this.rsiBar();
    if (id === 'btc-price') viz = h('div', { class: 'spark', 'aria-hidden': 'true', 'data-testid': 'btc-sparkline' });
    if (id === 'btc-dominance' || id === 'eth-dominance') {
      viz = h('div', { class: 'meter', 'aria-hidden': 'true' }, h('div', { class: 'meter-fill' }));
    }
    const root = h('article', { class: `card card-${id}${wide ? ' card-wide' : ''}`, 'data-testid': `card-${id}`, 'data-state': 'loading' },
      h('header', { class: 'card-head' }, labelEl, badge),
      h('div', { class: 'card-body' }, h('div', { class: 'card-main' }, value, sub), viz),
      reason);
    return { id, label, source, root, labelEl, badge, value, sub, reason, viz };
  }

  private gauge(): HTMLElement {
    // A half circle from 180° (0) to 0° (100), one arc per band, and a needle.
    const arcs: SVGElement[] = fngBands.map(([from, to, color]) => {
      const a0 = Math.PI * (1 - from / 100);
      const a1 = Math.PI * (1 - to / 100);
      const r = 40;
      const p = (a: number) => `${(50 + r * Math.cos(a)).toFixed(2)} ${(50 - r * Math.sin(a)).toFixed(2)}`;
      return svg('path', { d: `M ${p(a0)} A ${r} ${r} 0 0 1 ${p(a1)}`, stroke: color, 'stroke-width': 9, fill: 'none', 'stroke-linecap': 'butt' });
    });
    this.needle = svg('line', { x1: 50, y1: 50, x2: 50, y2: 16, class: 'gauge-needle' });
    const hub = svg('circle', { cx: 50, cy: 50, r: 4, class: 'gauge-hub' });
    const g = svg('svg', { viewBox: '0 0 100 56', class: 'gauge', 'aria-hidden': 'true' }, ...arcs, this.needle, hub);
    const wrap = h('div', { class: 'gauge-wrap' });
    wrap.append(g);
    return wrap;
  }

  private rsiBar(): HTMLElement {
    this.rsiMarker = h('div', { class: 'rsi-marker' });
    return h('div', { class: 'rsi-scale', 'aria-hidden': 'true' },
      h('div', { class: 'rsi-zone rsi-low' }), h('div', { class: 'rsi-zone rsi-mid' }), h('div', { class: 'rsi-zone rsi-high' }),
      this.rsiMarker);
  }

  /** The BTC closes of the last day (hourly candles), drawn behind the BTC price. */
  setSparkline(closes: number[]): void {
    this.spark = closes;
    const card = this.cards.get('btc-price');
    if (card) this.renderSparkline(card);
  }

  private renderSparkline(card: Card): void {
    const box = card.viz;
    if (!box) return;
    const s = this.summary;
    const price = s && s.sources.btc_price?.state !== 'unavailable' ? s.btc_price_usd : null;
    const points = [...this.spark];
    if (points.length > 0 && price !== null) points[points.length - 1] = price;
    if (points.length < 2) {
      box.replaceChildren();
      return;
    }
    const w = 240;
    const ht = 64;
    const min = Math.min(...points);
    const max = Math.max(...points);
    const span = max - min || 1;
    const xy = points.map((v, i) => [(i / (points.length - 1)) * w, 4 + (1 - (v - min) / span) * (ht - 8)] as const);
    const line = xy.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`).join(' ');
    const up = (points[points.length - 1] ?? 0) >= (points[0] ?? 0);
    const color = up ? '#22c55e' : '#ef4444';
    const gradient = svg('linearGradient', { id: 'spark-fill', x1: 0, y1: 0, x2: 0, y2: 1 },
      svg('stop', { offset: 0, 'stop-color': color, 'stop-opacity': 0.28 }),
      svg('stop', { offset: 1, 'stop-color': color, 'stop-opacity': 0 }));
    box.replaceChildren(svg('svg', { viewBox: `0 0 ${w} ${ht}`, preserveAspectRatio: 'none', class: 'spark-svg' },
      svg('defs', {}, gradient),
      svg('path', { d: `${line} L${w} ${ht} L0 ${ht} Z`, fill: 'url(#spark-fill)', stroke: 'none' }),
      svg('path', { d: line, fill: 'none', stroke: color, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke', 'stroke-linejoin': 'round' })));
  }

  /** Shows a new summary (from the socket, a poll or a forced refresh). */
  update(s: Summary): void {
    this.summary = s;
    this.receivedAt = Date.now();
    this.render();
  }

  get current(): Summary | null {
    return this.summary;
  }

  /** Redraws everything from the summary held (after a language switch, and every few seconds for ages). */
  render(): void {
    const t = this.i18n();
    for (const card of this.cards.values()) {
      setText(card.labelEl, t.t(card.label));
      this.renderBadge(card, t);
      this.renderCard(card, t);
    }
  }

  /** Moves the badges' ages on (called every second; the figures do not change). */
  tick(): void {
    const t = this.i18n();
    for (const card of this.cards.values()) this.renderBadge(card, t);
  }

  private stateOf(card: Card): SourceInfo['state'] | 'loading' {
    const s = this.summary;
    return s === null ? 'loading' : s.sources[card.source]?.state ?? 'unavailable';
  }

  private renderBadge(card: Card, t: I18n): void {
    const src: SourceInfo | undefined = this.summary?.sources[card.source];
    const state = this.stateOf(card);
    setAttr(card.root, 'data-state', state);
    setAttr(card.badge, 'data-state', state);
    setAttr(card.badge, 'class', `badge badge-${state}`);
    const elapsed = (Date.now() - this.receivedAt) / 1000;
    const age = src?.age_s !== null && src?.age_s !== undefined ? src.age_s + elapsed : null;
    if (state === 'loading') {
      setText(card.badge, t.t('badge.loading'));
      setAttr(card.badge, 'title', null);
    } else if (state === 'fresh') {
      setText(card.badge, t.t('badge.fresh'));
      setAttr(card.badge, 'title', age === null ? null : t.t('badge.title.fresh', { age: t.ago(age) }));
    } else if (state === 'stale') {
      setText(card.badge, t.t('badge.stale', { age: age === null ? '?' : t.duration(age) }));
      setAttr(card.badge, 'title', age === null ? null : t.t('badge.title.stale', { age: t.ago(age) }));
    } else {
      setText(card.badge, t.t('badge.unavailable'));
      setAttr(card.badge, 'title', t.t('badge.title.unavailable'));
    }
  }

  private renderCard(card: Card, t: I18n): void {
    const s = this.summary;
    const src: SourceInfo | undefined = s?.sources[card.source];
    const state = this.stateOf(card);
    const v = s === null ? null : this.figure(card.id, s);
    const shown = v !== null && state !== 'unavailable';
    this.renderValue(card, t, s, shown);

    // The reason: the source's error (also for a stale value), or why a figure is missing.
    let reason: string | null = null;
    if (s !== null) {
      if (src?.error) reason = t.reason(src.error);
      else if (!shown) reason = t.reason(state === 'unavailable' ? 'upstream unavailable' : 'not found');
    }
    card.reason.hidden = reason === null;
    setText(card.reason, reason === null ? '' : t.t('reason', { reason }));
  }

  private figure(id: CardId, s: Summary): number | null {
    switch (id) {
      case 'btc-price': return s.btc_price_usd;
      case 'market-cap': return s.market_cap_usd;
      case 'volume': return s.volume_24h_usd;
      case 'btc-dominance': return s.btc_dominance_pct;
      case 'eth-dominance': return s.eth_dominance_pct;
      case 'fear-greed': return s.fear_greed?.value ?? null;
      case 'rsi': return s.rsi_14;
    }
  }

  private renderValue(card: Card, t: I18n, s: Summary | null, shown: boolean): void {
    const dash = t.t('dash');
    const v = s === null || !shown ? null : this.figure(card.id, s);
    card.value.classList.toggle('is-missing', v === null);
    card.sub.replaceChildren();
    switch (card.id) {
      case 'btc-price':
        setText(card.value, v === null ? dash : t.usd(v));
        if (v !== null) card.sub.append(...change(t, s?.btc_change_24h_pct ?? null));
        this.renderSparkline(card);
        break;
      case 'market-cap':
        setText(card.value, v === null ? dash : t.usdCompact(v));
        if (v !== null) card.sub.append(...change(t, s?.market_cap_change_24h_pct ?? null));
        break;
      case 'volume':
        setText(card.value, v === null ? dash : t.usdCompact(v));
        if (v !== null) card.sub.append(t.t('card.volume_note'));
        break;
      case 'btc-dominance':
      case 'eth-dominance': {
        setText(card.value, v === null ? dash : t.pct(v));
        if (v !== null) card.sub.append(t.t('card.of_market'));
        const fill = card.viz?.firstElementChild as HTMLElement | null;
        if (fill) fill.style.width = `${v === null ? 0 : Math.max(0, Math.min(100, v))}%`;
        card.viz?.classList.toggle('is-empty', v === null);
        break;
      }
      case 'fear-greed': {
        setText(card.value, v === null ? dash : t.num(v));
        const cls = v === null ? null : s?.fear_greed?.classification ?? null;
        if (cls) card.sub.append(h('span', { class: 'fng-class', style: `color:${fngColor(v ?? 50)}` }, t.fearGreedClass(cls)));
        if (this.needle) {
          const angle = v === null ? 90 : 180 - (Math.max(0, Math.min(100, v)) / 100) * 180;
          this.needle.setAttribute('transform', `rotate(${(90 - angle).toFixed(1)} 50 50)`);
          this.needle.classList.toggle('is-empty', v === null);
        }
        break;
      }
      case 'rsi': {
        setText(card.value, v === null ? dash : t.num(v, 1));
        if (v !== null) {
          const zone = v >= 70 ? 'rsi.overbought' : v <= 30 ? 'rsi.oversold' : 'rsi.neutral';
          card.sub.append(h('span', { class: `rsi-label ${zone.replace('.', '-')}` }, t.t(zone)));
        }
        if (this.rsiMarker) {
          this.rsiMarker.hidden = v === null;
          this.rsiMarker.style.left = `${v === null ? 50 : Math.max(0, Math.min(100, v))}%`;
        }
        break;
      }
    }
  }
}

function fngColor(v: number): string {
  for (const [from, to, color] of fngBands) if (v >= from && v < to) return color;
  return fngBands[fngBands.length - 1]?.[2] ?? '#22c55e';
}

/** The 24 h change as a coloured pill plus "in 24h". */
function change(t: I18n, pct: number | null): Node[] {
  if (pct === null) return [];
  const dir = pct > 0 ? 'up' : pct < 0 ? 'down' : 'flat';
  const pill = h('span', { class: `chg chg-${dir}` }, `${dir === 'up' ? '▲' : dir === 'down' ? '▼' : '•'} ${t.signedPct(pct)}`);
  const text = t.t('card.change_24h', { value: '\u0000' }).split('\u0000');
  return [document.createTextNode(text[0] ?? ''), pill, document.createTextNode(text[1] ?? '')];
}
