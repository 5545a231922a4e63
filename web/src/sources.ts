// The freshness of each part of the summary in one place: state, age and the last error.

import { h, setAttr, setText } from './dom';
import type { I18n, Key } from './i18n';
import type { SourceName, Summary } from './types';

const names: Array<[SourceName, Key]> = [
  ['global', 'sources.global'], ['btc_price', 'sources.btc_price'], ['fear_greed', 'sources.fear_greed'], ['rsi', 'sources.rsi'],
];

interface Row {
  name: SourceName;
  label: Key;
  labelEl: HTMLElement;
  badge: HTMLElement;
  detail: HTMLElement;
}

export class SourcesPanel {
  readonly el: HTMLElement;
  private readonly title: HTMLElement;
  private readonly rows: Row[];
  private summary: Summary | null = null;
  private receivedAt = 0;

  constructor(private readonly i18n: () => I18n) {
    this.title = h('h2', { class: 'panel-title', id: 'sources-title' });
    this.rows = names.map(([name, label]) => ({
      name, label,
      labelEl: h('span', { class: 'source-name' }),
      badge: h('span', { class: 'badge badge-loading', 'data-testid': `source-${name}-badge` }),
      detail: h('span', { class: 'source-detail', 'data-testid': `source-${name}-detail` }),
    }));
    this.el = h('section', { class: 'panel sources-panel', 'aria-labelledby': 'sources-title', 'data-testid': 'sources-panel' },
      h('div', { class: 'panel-head' }, this.title),
      h('ul', { class: 'sources' }, ...this.rows.map((r) => h('li', { class: 'source' },
        h('div', { class: 'source-main' }, r.labelEl, r.detail), r.badge))));
  }

  update(s: Summary): void {
    this.summary = s;
    this.receivedAt = Date.now();
    this.render();
  }

  render(): void {
    const t = this.i18n();
    setText(this.title, t.t('sources.title'));
    const elapsed = (Date.now() - this.receivedAt) / 1000;
    for (const r of this.rows) {
      setText(r.labelEl, t.t(r.label));
      const src = this.summary?.sources[r.name];
      const state = this.summary === null ? 'loading' : src?.state ?? 'unavailable';
      setAttr(r.badge, 'class', `badge badge-${state}`);
      setAttr(r.badge, 'data-state', state);
      setText(r.badge, t.t(`badge.${state === 'stale' ? 'stale_short' : state}` as Key));
      const parts: string[] = [];
      if (src?.age_s !== null && src?.age_s !== undefined) parts.push(t.t('sources.fetched', { age: t.ago(src.age_s + elapsed) }));
      if (src?.error) parts.push(t.reason(src.error));
      setText(r.detail, parts.join(' · '));
      r.detail.classList.toggle('has-error', Boolean(src?.error));
    }
  }
}
