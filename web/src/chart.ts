// The candlestick chart with volume and indicator overlays (lightweight-charts v5).
// Candles come from /api/crypto/candles, overlays and their headline figures from
// /api/crypto/indicator (see README: a single-point answer is drawn from the candles).

import {
  CandlestickSeries, ColorType, CrosshairMode, HistogramSeries, LineSeries, LineStyle, TickMarkType,
  createChart,
  type IChartApi, type ISeriesApi, type Time, type UTCTimestamp,
} from 'lightweight-charts';
import { ApiError, api } from './api';
import { h, setAttr, setText } from './dom';
import type { I18n } from './i18n';
import { computeSeries, type IndicatorName } from './indicators';
import type { Candle, Candles, Indicator, IndicatorPoint, Market } from './types';

export const intervals = ['15m', '1h', '4h', '1d'] as const;
export type Interval = (typeof intervals)[number];
const intervalSeconds: Record<Interval, number> = { '15m': 900, '1h': 3600, '4h': 14400, '1d': 86400 };
const candleLimit = 200;

interface Overlay {
  name: IndicatorName;
  period: number;
  color: string;
  on: boolean;
  series: ISeriesApi<'Line'> | null;
  result: { ok: true; data: Indicator } | { ok: false; reason: string } | null;
  points: IndicatorPoint[];
  chip: HTMLElement;
  chipValue: HTMLElement;
  toggle: HTMLInputElement;
  toggleText: HTMLElement;
}

const colors = {
  up: '#22c55e', down: '#ef4444', text: '#8b95a7', grid: 'rgba(148, 163, 184, 0.07)', border: '#1e293b',
  upVolume: 'rgba(34, 197, 94, 0.35)', downVolume: 'rgba(239, 68, 68, 0.35)',
};

export class ChartPanel {
  readonly el: HTMLElement;
  onSymbolChange: (symbol: string) => void = () => {};
  private symbol = 'btc';
  private interval: Interval = '1h';
  private symbols: string[] = [];
  private data: Candles | null = null;
  private error: string | null = null;
  private loading = false;
  private abort: AbortController | null = null;
  private chart: IChartApi | null = null;
  private candleSeries: ISeriesApi<'Candlestick'> | null = null;
  private volumeSeries: ISeriesApi<'Histogram'> | null = null;
  private readonly overlays: Overlay[];

  private readonly title: HTMLElement;
  private readonly quote: HTMLElement;
  private readonly symbolLabel: HTMLElement;
  private readonly symbolSelect: HTMLSelectElement;
  private readonly intervalLabel: HTMLElement;
  private readonly intervalGroup: HTMLElement;
  private readonly intervalButtons = new Map<Interval, HTMLButtonElement>();
  private readonly overlayLabel: HTMLElement;
  private readonly canvasBox: HTMLElement;
  private readonly status: HTMLElement;
  private readonly foot: HTMLElement;
  private market: Market | null = null;

  constructor(private readonly i18n: () => I18n) {
    this.title = h('h2', { class: 'panel-title', id: 'chart-title', 'data-testid': 'chart-title' });
    this.quote = h('div', { class: 'chart-quote', 'data-testid': 'chart-quote' });
    this.symbolLabel = h('span', { class: 'control-label' });
    this.symbolSelect = h('select', { 'data-testid': 'symbol-select', class: 'select' });
    this.symbolSelect.addEventListener('change', () => this.onSymbolChange(this.symbolSelect.value));
    this.intervalLabel = h('span', { class: 'control-label', id: 'interval-label' });
    this.intervalGroup = h('div', { class: 'segmented', role: 'group', 'aria-labelledby': 'interval-label', 'data-testid': 'interval-group' });
    for (const iv of intervals) {
      const b = h('button', { type: 'button', class: 'seg', 'data-interval': iv, 'data-testid': `interval-${iv}`, 'aria-pressed': 'false' });
      b.addEventListener('click', () => this.setInterval(iv));
      this.intervalButtons.set(iv, b);
      this.intervalGroup.append(b);
    }
    this.overlayLabel = h('span', { class: 'control-label', id: 'overlay-label' });
    const overlayGroup = h('div', { class: 'toggles', role: 'group', 'aria-labelledby': 'overlay-label' });
    const strip = h('div', { class: 'indicator-strip', 'data-testid': 'indicator-strip' });
    const defs: Array<[IndicatorName, number, string, boolean]> = [
      ['sma', 20, '#f59e0b', true], ['ema', 50, '#38bdf8', true], ['rsi', 14, '#a78bfa', true],
    ];
    this.overlays = defs.map(([name, period, color, on]) => {
      const toggle = h('input', { type: 'checkbox', 'data-testid': `overlay-${name}` });
      toggle.checked = on;
      const toggleText = h('span', {});
      const label = h('label', { class: 'toggle', style: `--swatch:${color}` }, toggle, h('span', { class: 'swatch', 'aria-hidden': 'true' }), toggleText);
      overlayGroup.append(label);
      const chipValue = h('span', { class: 'chip-value', 'data-testid': `indicator-${name}-value` });
      const chip = h('div', { class: 'chip', style: `--swatch:${color}`, 'data-testid': `indicator-${name}` },
        h('span', { class: 'chip-name' }, `${name.toUpperCase()} ${period}`), chipValue);
      strip.append(chip);
      const o: Overlay = { name, period, color, on, series: null, result: null, points: [], chip, chipValue, toggle, toggleText };
      toggle.addEventListener('change', () => {
        o.on = toggle.checked;
        this.drawOverlays();
      });
      return o;
    });

    this.canvasBox = h('div', { class: 'chart-canvas', role: 'img', 'data-testid': 'chart' });
    this.status = h('div', { class: 'chart-status', 'data-testid': 'chart-status', role: 'status' });
    this.foot = h('div', { class: 'chart-foot', 'data-testid': 'chart-foot' });

    this.el = h('section', { class: 'panel chart-panel', 'aria-labelledby': 'chart-title', 'data-testid': 'chart-panel' },
      h('div', { class: 'panel-head' },
        h('div', { class: 'chart-heading' }, this.title, this.quote),
        h('div', { class: 'controls' },
          h('label', { class: 'control' }, this.symbolLabel, this.symbolSelect),
          h('div', { class: 'control' }, this.intervalLabel, this.intervalGroup),
          h('div', { class: 'control' }, this.overlayLabel, overlayGroup))),
      strip,
      h('div', { class: 'chart-box' }, this.canvasBox, this.status),
      this.foot);
  }

  /** Creates the chart once the panel is in the document (it measures its container). */
  mount(): void {
    const t = this.i18n();
    this.chart = createChart(this.canvasBox, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: colors.text,
        fontFamily: getComputedStyle(document.body).fontFamily,
        fontSize: 11,
        panes: { separatorColor: colors.border, separatorHoverColor: 'rgba(99, 102, 241, 0.25)' },
      },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      rightPriceScale: { borderVisible: false, scaleMargins: { top: 0.08, bottom: 0.24 } },
      timeScale: {
        borderVisible: false, timeVisible: true, secondsVisible: false, rightOffset: 4,
        tickMarkFormatter: (time: Time, type: TickMarkType) => this.tick(time, type),
      },
      crosshair: { mode: CrosshairMode.Normal },
      localization: this.localization(t),
    });
    this.candleSeries = this.chart.addSeries(CandlestickSeries, {
      upColor: colors.up, downColor: colors.down, wickUpColor: colors.up, wickDownColor: colors.down, borderVisible: false,
      priceFormat: this.priceFormat(),
    });
    this.volumeSeries = this.chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false,
    });
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  }

  // Prices are formatted per series (candles: the locale's price; RSI: one decimal): a
  // chart-wide priceFormatter would override the RSI pane's format too.
  private localization(t: I18n) {
    return {
      locale: t.locale,
      timeFormatter: (time: Time) => (typeof time === 'number' ? t.date(new Date(time * 1000)) : String(time)),
    };
  }

  private priceFormat() {
    return { type: 'custom' as const, minMove: 0.000001, formatter: (p: number) => this.i18n().price(p) };
  }

  private tick(time: Time, type: TickMarkType): string {
    if (typeof time !== 'number') return String(time);
    const d = new Date(time * 1000);
    const loc = this.i18n().locale;
    switch (type) {
      case TickMarkType.Year: return new Intl.DateTimeFormat(loc, { year: 'numeric' }).format(d);
      case TickMarkType.Month: return new Intl.DateTimeFormat(loc, { month: 'short' }).format(d);
      case TickMarkType.DayOfMonth: return new Intl.DateTimeFormat(loc, { day: 'numeric', month: 'short' }).format(d);
      default: return new Intl.DateTimeFormat(loc, { hour: '2-digit', minute: '2-digit' }).format(d);
    }
  }

  setSymbols(symbols: readonly string[]): void {
    this.symbols = [...symbols];
    this.symbolSelect.replaceChildren(...this.symbols.map((s) => h('option', { value: s }, s.toUpperCase())));
    this.symbolSelect.value = this.symbol;
  }

  get selected(): { symbol: string; interval: Interval } {
    return { symbol: this.symbol, interval: this.interval };
  }

  /** Loads the chart of `symbol` at `interval` (the previous load, if any, is abandoned). */
  load(symbol: string, interval: Interval = this.interval): void {
    this.symbol = symbol;
    this.interval = interval;
    this.symbolSelect.value = symbol;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.loading = true;
    this.error = null;
    for (const o of this.overlays) o.result = null;
    this.render();
    void this.fetch(symbol, interval, abort.signal);
  }

  private setInterval(iv: Interval): void {
    if (iv === this.interval && (this.loading || this.data)) return;
    this.load(this.symbol, iv);
    try {
      localStorage.setItem('cryptodash.interval', iv);
    } catch {
      // storage blocked
    }
  }

  private async fetch(symbol: string, interval: Interval, signal: AbortSignal): Promise<void> {
    const candles = api.candles(symbol, interval, candleLimit, signal);
    const indicators = this.overlays.map((o) => api.indicator(symbol, o.name, o.period, interval, signal));
    try {
      this.data = await candles;
      this.error = null;
    } catch (e) {
      if (signal.aborted) return;
      this.data = null;
      this.error = reasonOf(e);
    }
    const settled = await Promise.allSettled(indicators);
    if (signal.aborted) return;
    settled.forEach((r, i) => {
      const o = this.overlays[i];
      if (!o) return;
      o.result = r.status === 'fulfilled' ? { ok: true, data: r.value } : { ok: false, reason: reasonOf(r.reason) };
    });
    this.loading = false;
    this.draw();
    this.render();
  }

  private draw(): void {
    if (!this.chart || !this.candleSeries || !this.volumeSeries) return;
    const candles = this.data?.candles ?? [];
    this.candleSeries.setData(candles.map((c) => ({ time: c.time as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close })));
    this.volumeSeries.setData(candles.filter((c) => c.volume !== null).map((c) => ({
      time: c.time as UTCTimestamp, value: c.volume ?? 0, color: c.close >= c.open ? colors.upVolume : colors.downVolume,
    })));
    const times = candles.map((c) => c.time);
    const closes = candles.map((c) => c.close);
    const first = times[0] ?? 0;
    for (const o of this.overlays) {
      const api = o.result?.ok ? o.result.data.values.filter((p) => typeof p.value === 'number') : [];
      // A series from the API when it has one; a single (TAAPI) point cannot draw a line.
      o.points = api.length > 1 ? api.filter((p) => p.time >= first) : computeSeries(o.name, times, closes, o.period);
    }
    this.drawOverlays();
    // A phone shows the latest candles readably; a wide screen shows them all.
    const fit = Math.floor(this.canvasBox.clientWidth / 5);
    if (candles.length > fit && fit > 0) {
      this.chart.timeScale().setVisibleLogicalRange({ from: candles.length - fit, to: candles.length + 2 });
    } else {
      this.chart.timeScale().fitContent();
    }
  }

  private drawOverlays(): void {
    const chart = this.chart;
    if (!chart) return;
    for (const o of this.overlays) {
      if (o.on && !o.series) {
        const pane = o.name === 'rsi' ? 1 : 0;
        o.series = chart.addSeries(LineSeries, {
          color: o.color, lineWidth: o.name === 'rsi' ? 1 : 2, priceLineVisible: false, lastValueVisible: o.name === 'rsi',
          crosshairMarkerVisible: false,
          ...(o.name === 'rsi' ? {
            autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: 100 } }),
            priceFormat: { type: 'custom' as const, minMove: 0.1, formatter: (v: number) => this.i18n().num(v, 1) },
          } : {}),
        }, pane);
        if (o.name === 'rsi') {
          for (const price of [70, 30]) {
            o.series.createPriceLine({
              price, color: 'rgba(148, 163, 184, 0.35)', lineStyle: LineStyle.Dashed, lineWidth: 1, axisLabelVisible: false, title: '',
            });
          }
          chart.panes()[0]?.setStretchFactor(0.75);
          chart.panes()[1]?.setStretchFactor(0.25);
        }
      } else if (!o.on && o.series) {
        chart.removeSeries(o.series);
        o.series = null;
        if (o.name === 'rsi') {
          if (chart.panes().length > 1) chart.removePane(1);
        }
      }
      o.series?.setData(o.points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
    }
  }

  /** A new market value: the chart's quote, and the forming candle follows the price. */
  updateMarket(m: Market | null): void {
    if (m && m.symbol !== this.symbol) return;
    this.market = m;
    this.renderQuote();
    if (!m || !this.data || !this.candleSeries) return;
    const last: Candle | undefined = this.data.candles[this.data.candles.length - 1];
    const now = Date.now() / 1000;
    if (!last || last.closed || now >= last.time + intervalSeconds[this.interval]) return;
    last.close = m.price_usd;
    last.high = Math.max(last.high, m.price_usd);
    last.low = Math.min(last.low, m.price_usd);
    this.candleSeries.update({ time: last.time as UTCTimestamp, open: last.open, high: last.high, low: last.low, close: last.close });
  }

  /** Redraws texts from the data held (a language switch refetches nothing). */
  render(): void {
    const t = this.i18n();
    const sym = this.symbol.toUpperCase();
    setText(this.title, t.t('chart.title', { symbol: sym }));
    setText(this.symbolLabel, t.t('chart.symbol'));
    setText(this.intervalLabel, t.t('chart.interval'));
    setText(this.overlayLabel, t.t('chart.overlays'));
    setAttr(this.canvasBox, 'aria-label', t.t('chart.aria', { symbol: sym }));
    for (const [iv, b] of this.intervalButtons) {
      setText(b, intervalName(t, iv));
      setAttr(b, 'aria-pressed', String(iv === this.interval));
    }
    for (const o of this.overlays) {
      setText(o.toggleText, `${o.name.toUpperCase()} ${o.period}`);
      const r = o.result;
      if (r === null) {
        setText(o.chipValue, '…');
        setAttr(o.chip, 'title', null);
      } else if (r.ok && r.data.value !== null) {
        setText(o.chipValue, o.name === 'rsi' ? t.num(r.data.value, 1) : t.usd(r.data.value));
        setAttr(o.chip, 'title', t.t('chart.source', { source: r.data.source }));
      } else {
        setText(o.chipValue, t.t('dash'));
        setAttr(o.chip, 'title', t.t('reason', { reason: t.reason(r.ok ? 'not found' : r.reason) }));
      }
      o.chip.classList.toggle('is-missing', r !== null && !(r.ok && r.data.value !== null));
    }
    this.chart?.applyOptions({ localization: this.localization(t) });
    // The formatters read the current language; re-applying them redraws the axes.
    this.candleSeries?.applyOptions({ priceFormat: this.priceFormat() });
    const rsi = this.overlays.find((o) => o.name === 'rsi')?.series;
    rsi?.applyOptions({ priceFormat: { type: 'custom', minMove: 0.1, formatter: (v: number) => t.num(v, 1) } });
    const candles = this.data?.candles ?? [];
    this.status.hidden = !this.loading && this.error === null && candles.length > 0;
    setAttr(this.status, 'data-kind', this.error !== null ? 'error' : 'info');
    setText(this.status, this.loading ? t.t('chart.loading')
      : this.error !== null ? t.t('chart.error', { reason: t.reason(this.error) })
        : candles.length === 0 ? t.t('chart.empty') : '');
    this.el.setAttribute('data-loaded', String(!this.loading && this.error === null && candles.length > 0));
    let foot = '';
    if (this.data && !this.loading) {
      foot = t.t('chart.source', { source: this.data.source });
      if (candles.length > 0 && candles.every((c) => c.volume === null)) foot += ` · ${t.t('chart.no_volume')}`;
    }
    setText(this.foot, foot);
    this.renderQuote();
  }

  private renderQuote(): void {
    const t = this.i18n();
    const m = this.market;
    this.quote.replaceChildren();
    if (!m) return;
    const pct = m.change_24h_pct;
    const dir = pct === null ? 'flat' : pct > 0 ? 'up' : pct < 0 ? 'down' : 'flat';
    this.quote.append(h('span', { class: 'quote-price' }, t.usd(m.price_usd)));
    if (pct !== null) this.quote.append(h('span', { class: `chg chg-${dir}` }, t.signedPct(pct)));
  }
}

function intervalName(t: I18n, iv: Interval): string {
  const n = parseInt(iv, 10);
  const unit = iv.endsWith('m') ? 'minute' : iv.endsWith('h') ? 'hour' : 'day';
  return new Intl.NumberFormat(t.locale, { style: 'unit', unit, unitDisplay: 'narrow' }).format(n);
}

export function isInterval(v: unknown): v is Interval {
  return typeof v === 'string' && (intervals as readonly string[]).includes(v);
}

function reasonOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return 'network error';
}
