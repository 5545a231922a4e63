// The admin panel: the token (typed by the user, kept in session storage only), cache
// statistics per tier and the upstreams' breakers and budgets (/api/cache-stats), and the
// two actions: clear the cache and force a refresh of the summary.

import { ApiError, api } from './api';
import { h, setAttr, setText } from './dom';
import type { I18n, Key } from './i18n';
import type { CacheStats, Summary } from './types';

const tokenKey = 'cryptodash.adminToken';

type Message = { kind: 'success' | 'error' | 'info'; key: Key; params: Record<string, string | number> };

export class AdminPanel {
  readonly el: HTMLDetailsElement;
  onSummary: (s: Summary) => void = () => {};
  private stats: CacheStats | null = null;
  private statsAt: Date | null = null;
  private message: Message | null = null;
  private busy = false;

  private readonly summaryText: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly tokenLabel: HTMLElement;
  private readonly tokenInput: HTMLInputElement;
  private readonly tokenNote: HTMLElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly forgetButton: HTMLButtonElement;
  private readonly reloadButton: HTMLButtonElement;
  private readonly clearButton: HTMLButtonElement;
  private readonly refreshButton: HTMLButtonElement;
  private readonly messageEl: HTMLElement;
  private readonly statsBox: HTMLElement;

  constructor(private readonly i18n: () => I18n) {
    this.summaryText = h('span', { class: 'admin-title' });
    this.hint = h('span', { class: 'admin-hint' });
    this.tokenLabel = h('span', { class: 'control-label' });
    this.tokenInput = h('input', {
      type: 'password', id: 'admin-token', autocomplete: 'off', spellcheck: 'false', class: 'input', 'data-testid': 'admin-token',
    });
    this.tokenInput.value = readToken() ?? '';
    this.tokenNote = h('span', { class: 'token-note', id: 'admin-token-note' });
    setAttr(this.tokenInput, 'aria-describedby', 'admin-token-note');
    this.saveButton = h('button', { type: 'submit', class: 'btn', 'data-testid': 'admin-save' });
    this.forgetButton = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'admin-forget' });
    this.reloadButton = h('button', { type: 'button', class: 'btn', 'data-testid': 'admin-reload' });
    this.clearButton = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'admin-clear' });
    this.refreshButton = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'admin-refresh' });
    this.messageEl = h('p', { class: 'admin-message', role: 'status', 'aria-live': 'polite', 'data-testid': 'admin-message' });
    this.statsBox = h('div', { class: 'admin-stats', 'data-testid': 'admin-stats' });

    const form = h('form', { class: 'token-form' },
      h('label', { class: 'control', for: 'admin-token' }, this.tokenLabel, this.tokenInput),
      h('div', { class: 'btn-row' }, this.saveButton, this.forgetButton), this.tokenNote);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.saveToken();
    });
    this.forgetButton.addEventListener('click', () => {
      writeToken(null);
      this.tokenInput.value = '';
      this.show('info', 'admin.token_forgotten');
    });
    this.reloadButton.addEventListener('click', () => void this.loadStats());
    this.clearButton.addEventListener('click', () => void this.clearCache());
    this.refreshButton.addEventListener('click', () => void this.forceRefresh());

    this.el = h('details', { class: 'panel admin', 'data-testid': 'admin-panel' },
      h('summary', { 'data-testid': 'admin-toggle' }, this.summaryText, this.hint),
      h('div', { class: 'admin-body' },
        h('div', { class: 'admin-side' }, form,
          h('div', { class: 'btn-row actions' }, this.reloadButton, this.clearButton, this.refreshButton),
          this.messageEl),
        this.statsBox));
    this.el.addEventListener('toggle', () => {
      if (this.el.open && this.stats === null) void this.loadStats();
    });
  }

  private token(): string | null {
    const typed = this.tokenInput.value.trim();
    return typed === '' ? null : typed;
  }

  private saveToken(): void {
    const t = this.token();
    writeToken(t);
    this.show('info', t === null ? 'admin.token_forgotten' : 'admin.token_saved');
  }

  private show(kind: Message['kind'], key: Key, params: Record<string, string | number> = {}): void {
    this.message = { kind, key, params };
    this.render();
  }

  private async run(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.render();
    try {
      await action();
    } catch (e) {
      this.showError(e);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private showError(e: unknown): void {
    if (!(e instanceof ApiError)) {
      this.show('error', 'admin.err_network');
    } else if (e.status === 401) {
      this.show('error', 'admin.err401', { message: e.message });
    } else if (e.status === 403) {
      this.show('error', 'admin.err403', { message: e.message });
    } else if (e.status === 429) {
      this.show('error', 'admin.err429', { s: e.retryAfter ?? 60 });
    } else if (e.status === 0) {
      this.show('error', 'admin.err_network');
    } else {
      this.show('error', 'admin.err_other', { status: e.status, message: e.message });
    }
  }

  /** Loads /api/cache-stats (public; the token is sent when there is one). */
  loadStats(): Promise<void> {
    return this.run(async () => {
      this.stats = await api.cacheStats(this.token());
      this.statsAt = new Date();
    });
  }

  private needToken(): string | null {
    const t = this.token();
    if (t === null) {
      this.show('error', 'admin.need_token');
      this.tokenInput.focus();
    } else {
      writeToken(t);
    }
    return t;
  }

  private clearCache(): Promise<void> {
    const token = this.needToken();
    if (token === null) return Promise.resolve();
    return this.run(async () => {
      const r = await api.clearCache(token);
      this.show('success', 'admin.cleared', { n: r.l1_entries_removed });
      this.stats = await api.cacheStats(token);
      this.statsAt = new Date();
    });
  }

  private forceRefresh(): Promise<void> {
    const token = this.needToken();
    if (token === null) return Promise.resolve();
    return this.run(async () => {
      const s = await api.forceRefresh(token);
      this.onSummary(s);
      this.show('success', 'admin.refreshed');
    });
  }

  render(): void {
    const t = this.i18n();
    setText(this.summaryText, t.t('admin.title'));
    setText(this.hint, t.t('admin.hint'));
    setText(this.tokenLabel, t.t('admin.token'));
    setText(this.tokenNote, t.t('admin.token_note'));
    setText(this.saveButton, t.t('admin.save'));
    setText(this.forgetButton, t.t('admin.forget'));
    setText(this.reloadButton, t.t('admin.reload'));
    setText(this.clearButton, t.t('admin.clear'));
    setText(this.refreshButton, t.t('admin.refresh'));
    for (const b of [this.reloadButton, this.clearButton, this.refreshButton]) b.disabled = this.busy;
    setAttr(this.el, 'aria-busy', String(this.busy));
    const m = this.message;
    const text = this.busy ? t.t('admin.working') : m ? t.t(m.key, m.params) : '';
    setText(this.messageEl, text);
    setAttr(this.messageEl, 'data-kind', this.busy ? 'info' : m?.kind ?? 'info');
    this.renderStats(t);
  }

  private renderStats(t: I18n): void {
    const s = this.stats;
    if (!s) {
      this.statsBox.replaceChildren(h('p', { class: 'muted' }, t.t('admin.no_stats')));
      return;
    }
    const n = (v: number | undefined) => (v === undefined ? t.t('dash') : t.num(v));
    const health = (v: boolean | undefined, enabled = true) => {
      const state = !enabled ? 'disabled' : v ? 'healthy' : 'unhealthy';
      return h('span', { class: `pill pill-${state}` }, t.t(`admin.${state}` as Key));
    };
    const ttl = (v: number | undefined) => (v === undefined ? t.t('dash') : t.duration(v));
    const rate = (v: number | undefined) => (v === undefined ? t.t('dash') : t.pct(v));
    const l1 = s.l1 ?? {};
    const l2 = s.l2 ?? {};
    const disk = s.disk ?? {};
    const l2Enabled = l2.status !== 'disabled' && l2.type !== 'none';
    const diskEnabled = disk.enabled !== false;
    const l2Hits = (l2.hit_count ?? 0) + (l2.miss_count ?? 0);
    const diskHits = (disk.hit_count ?? 0) + (disk.miss_count ?? 0);
    const tierRows: Array<Array<Node | string>> = [
      ['L1', `${n(l1.entry_count)} / ${n(l1.max_capacity)}`, rate(l1.hit_rate_percent), n(l1.hit_count), n(l1.miss_count), ttl(l1.ttl_seconds), health(l1.healthy)],
      [`L2${l2.type && l2.type !== 'none' ? ` (${l2.type})` : ''}`, t.t('dash'), l2Hits > 0 ? rate((100 * (l2.hit_count ?? 0)) / l2Hits) : t.t('dash'),
        n(l2.hit_count), n(l2.miss_count), ttl(l2.ttl_seconds), health(l2.healthy, l2Enabled)],
      [t.t('admin.disk'), `${n(disk.entry_count)} · ${disk.bytes === undefined ? t.t('dash') : t.bytes(disk.bytes)}`,
        diskHits > 0 ? rate((100 * (disk.hit_count ?? 0)) / diskHits) : t.t('dash'), n(disk.hit_count), n(disk.miss_count), t.t('dash'),
        health(disk.healthy, diskEnabled)],
    ];
    const tiers = table('admin-tiers', [t.t('admin.tier'), t.t('admin.entries'), t.t('admin.hit_rate'), t.t('admin.hits'),
      t.t('admin.misses'), t.t('admin.ttl'), t.t('admin.health')], tierRows);

    const ups = Object.entries(s.upstreams ?? {}).map(([name, u]) => {
      const state = u.circuit_state ?? 'closed';
      const key = (`admin.circuit.${state}` as Key);
      const circuit = h('span', { class: `pill pill-circuit-${state}` }, ['closed', 'open', 'half_open'].includes(state) ? t.t(key) : state);
      const limit = u.budget_limit;
      const used = u.budget_used ?? 0;
      const budget = h('span', { class: 'budget' }, `${t.num(used)} / ${limit ? t.num(limit) : t.t('admin.unlimited')}`);
      if (limit) {
        const pct = Math.min(100, (100 * used) / limit);
        budget.append(h('span', { class: 'budget-track', 'aria-hidden': 'true' },
          h('span', { class: `budget-fill${pct >= 80 ? ' is-high' : ''}`, style: `width:${pct.toFixed(1)}%` })));
      }
      const interval = u.current_interval_s;
      return [name, circuit, n(u.calls), n(u.failures), n(u.rate_limited), budget,
        interval === null || interval === undefined ? t.t('dash') : t.duration(interval)];
    });
    const upstreams = table('admin-upstreams', [t.t('admin.provider'), t.t('admin.circuit'), t.t('admin.calls'), t.t('admin.failures'),
      t.t('admin.rate_limited'), t.t('admin.budget'), t.t('admin.interval')], ups);

    this.statsBox.replaceChildren(
      h('h3', {}, t.t('admin.tiers')), h('div', { class: 'table-wrap' }, tiers),
      h('h3', {}, t.t('admin.upstreams')), h('div', { class: 'table-wrap' }, upstreams),
      h('p', { class: 'muted small' }, t.t('admin.strategy', { strategy: s.strategy ?? '?', cache: s.cache_strategy ?? '?' }),
        this.statsAt ? ` · ${t.t('admin.stats_at', { time: t.time(this.statsAt) })}` : ''));
  }
}

function table(testid: string, heads: string[], rows: Array<Array<Node | string>>): HTMLTableElement {
  return h('table', { class: 'stats', 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...heads.map((x, i) => h('th', { scope: 'col', class: i === 0 ? '' : 'num' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: 'num' }, c)))))));
}

function readToken(): string | null {
  try {
    return sessionStorage.getItem(tokenKey);
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(tokenKey);
    else sessionStorage.setItem(tokenKey, token);
  } catch {
    // storage blocked: the token lives in the input only
  }
}
