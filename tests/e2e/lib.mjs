// Shared helpers of the browser scenarios (tests/e2e/*.mjs).
//
// A scenario runs as `node tests/e2e/<name>.mjs` against a running cryptodash and fake upstream
// (started by tests/e2e/browser_test.cpp) named by the environment:
//   CRYPTODASH_URL  the server, e.g. http://127.0.0.1:8080
//   FAKE_URL        the fake upstream (its /_fake control API, tools/fake-upstream/README.md)
//   ADMIN_TOKEN     the server's admin token
//   ARTIFACTS_DIR   where screenshots go (PNG)
// It drives Debian's chromium through playwright-core (from web/node_modules), exits 0 when
// every check holds and 1 otherwise, printing what failed. Any console error or warning,
// uncaught exception or request to another origin on a page fails the scenario too.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, '..', '..', 'web');
// Resolved from web/ (and NODE_PATH), wherever the scenario is started from.
const require = createRequire(join(webDir, 'package.json'));
const { chromium } = require('playwright-core');

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`FAIL: environment variable ${name} is not set`);
    process.exit(1);
  }
  return v.replace(/\/+$/, '');
}

export const env = {
  get url() { return need('CRYPTODASH_URL'); },
  get fake() { return need('FAKE_URL'); },
  get token() { return need('ADMIN_TOKEN'); },
  get artifacts() { return process.env.ARTIFACTS_DIR || resolve(here, '..', '..', 'build', 'e2e-artifacts'); },
};

/** An assertion failure of the scenario. */
export class Failure extends Error {}

export function check(cond, message) {
  if (!cond) throw new Failure(message);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value; throws a Failure naming `what` after `timeout` ms. */
export async function waitFor(what, probe, { timeout = 10_000, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= end) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Failure(`timed out after ${timeout} ms waiting for ${what} (last: ${seen})`);
    }
    await sleep(interval);
  }
}

async function http(method, url, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text };
}

/** The fake upstream's control API. */
export const fake = {
  async setValues(values) {
    const r = await http('PUT', `${env.fake}/_fake/values`, { body: values });
    check(r.status === 200, `PUT /_fake/values answered ${r.status}: ${r.text}`);
  },
  async setBtcPrice(price) {
    await fake.setValues({ coins: { bitcoin: { price } } });
  },
  async addFault(fault) {
    const r = await http('POST', `${env.fake}/_fake/faults`, { body: fault });
    check(r.status === 200, `POST /_fake/faults answered ${r.status}: ${r.text}`);
  },
  async clearFaults() {
    const r = await http('DELETE', `${env.fake}/_fake/faults`);
    check(r.status === 200, `DELETE /_fake/faults answered ${r.status}: ${r.text}`);
  },
  async calls() {
    return (await http('GET', `${env.fake}/_fake/calls`)).json;
  },
};

/** The server's API, as a script (not the page) calls it. */
export const server = {
  /** POST /api/crypto/dashboard-summary/refresh with the admin token; returns the summary. */
  async forceRefresh() {
    const r = await http('POST', `${env.url}/api/crypto/dashboard-summary/refresh`, { token: env.token });
    check(r.status === 200, `forced refresh answered ${r.status}: ${r.text}`);
    return r.json;
  },
  async summary() {
    return (await http('GET', `${env.url}/api/crypto/dashboard-summary`)).json;
  },
  async clearCache() {
    const r = await http('POST', `${env.url}/admin/cache/clear`, { token: env.token, body: {} });
    check(r.status === 200, `cache clear answered ${r.status}: ${r.text}`);
    return r.json;
  },
};

/** `v` as the dashboard shows a USD price (two decimals) in `locale`. */
export function usd(v, locale = 'en-US') {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
}

/**
 * Runs one scenario: launches chromium, calls `body({browser, open, problems, ...})`, closes the
 * browser and exits with 0 (pass) or 1 (a check failed, something threw, or a page logged a
 * console error/warning, threw, or requested another origin).
 */
export async function scenario(name, body, { timeoutMs = 110_000 } = {}) {
  const started = Date.now();
  const problems = [];
  const pages = [];
  let browser = null;
  const finish = async (error) => {
    if (error) {
      for (const [i, p] of pages.entries()) {
        try {
          await shoot(p, `${name}-failure-${i}`);
        } catch {
          // the page may be gone
        }
      }
    }
    try {
      await browser?.close();
    } catch {
      // already closed
    }
    const lines = [];
    if (error) lines.push(error instanceof Failure ? error.message : (error.stack || String(error)));
    for (const p of problems) lines.push(`page problem: ${p}`);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (lines.length === 0) {
      console.log(`PASS ${name} (${secs} s)`);
      process.exit(0);
    }
    console.log(`FAIL ${name} (${secs} s)`);
    for (const l of lines) console.log(`  - ${l}`);
    process.exit(1);
  };
  const timer = setTimeout(() => void finish(new Failure(`scenario timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
    /**
     * A new context and page on the dashboard. Options: viewport, deviceScaleFactor, isMobile,
     * locale, path (default "/"), allowConsole (regexps of console texts that are expected),
     * beforeGoto(context) (e.g. to install routes), onPage(page) (listeners before the load).
     */
    const open = async (opts = {}) => {
      const context = await browser.newContext({
        viewport: opts.viewport ?? { width: 1440, height: 900 },
        deviceScaleFactor: opts.deviceScaleFactor ?? 1,
        isMobile: opts.isMobile ?? false,
        hasTouch: opts.isMobile ?? false,
        locale: opts.locale ?? 'en-US',
        timezoneId: 'UTC',
        colorScheme: 'dark',
      });
      const origin = new URL(env.url).origin;
      const allowed = opts.allowConsole ?? [];
      context.on('request', (req) => {
        const u = req.url();
        if (u.startsWith('data:') || u.startsWith('blob:')) return;
        const o = new URL(u).origin;
        const wsOrigin = origin.replace(/^http/, 'ws');
        if (o !== origin && o !== wsOrigin) problems.push(`request to another origin: ${u}`);
      });
      if (opts.beforeGoto) await opts.beforeGoto(context);
      const page = await context.newPage();
      pages.push(page);
      if (opts.onPage) await opts.onPage(page);
      page.on('console', (m) => {
        if (m.type() !== 'error' && m.type() !== 'warning') return;
        if (allowed.some((re) => re.test(m.text()))) return;
        problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
      const res = await page.goto(`${env.url}${opts.path ?? '/'}`, { waitUntil: 'load' });
      check(res && res.status() === 200, `GET ${opts.path ?? '/'} answered ${res?.status()}`);
      return { context, page };
    };
    await body({ browser, open, problems });
    clearTimeout(timer);
    await finish(null);
  } catch (e) {
    clearTimeout(timer);
    await finish(e);
  }
}

/** A full-page PNG of `page` in ARTIFACTS_DIR; returns its path. */
export async function shoot(page, name) {
  mkdirSync(env.artifacts, { recursive: true });
  const file = join(env.artifacts, `${name}.png`);
  // From the top, so that the sticky header is drawn where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The text of the element with this data-testid ('' when absent). */
export async function text(page, testid) {
  const el = page.locator(`[data-testid="${testid}"]`).first();
  if ((await el.count()) === 0) return '';
  return ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export async function attr(page, testid, name) {
  const el = page.locator(`[data-testid="${testid}"]`).first();
  if ((await el.count()) === 0) return null;
  return el.getAttribute(name);
}

/** Waits until the connection indicator shows `state`. */
export async function waitConn(page, state, timeout = 10_000) {
  await waitFor(`connection state "${state}"`, async () => {
    const s = await attr(page, 'conn-state', 'data-state');
    return s === state ? s : false;
  }, { timeout });
}

/** Waits until the page shows data: summary cards, the market table and the chart. */
export async function waitLoaded(page, timeout = 20_000) {
  await waitFor('the BTC price card to show a price', async () => /\d/.test(await text(page, 'card-btc-price-value')), { timeout });
  await waitFor('the market table to show prices', async () => /\d/.test(await text(page, 'market-btc-price')), { timeout });
  await waitFor('the chart to load', async () => (await attr(page, 'chart-panel', 'data-loaded')) === 'true', { timeout });
}
