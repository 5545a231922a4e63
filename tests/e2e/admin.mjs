// The admin panel: stats per tier and per upstream load when it opens; a wrong token is refused
// in words (401); with the right token "clear cache" and "force refresh" succeed and say so;
// the token lives in session storage only.

import { attr, check, env, fake, scenario, text, usd, waitConn, waitFor, waitLoaded } from './lib.mjs';

await scenario('admin', async ({ open }) => {
  const { page } = await open({
    // The 401 of the wrong-token step is logged by chromium as a failed resource load.
    allowConsole: [/status of 401/],
  });
  await waitConn(page, 'live');
  await waitLoaded(page);

  await page.click('[data-testid="admin-toggle"]');
  await waitFor('the tier stats', async () => (await text(page, 'admin-tiers')).includes('L1'));
  const ups = await text(page, 'admin-upstreams');
  for (const p of ['coingecko', 'fear_greed', 'taapi', 'binance']) check(ups.includes(p), `the upstream table lacks ${p}: "${ups}"`);

  // Nothing typed: the actions ask for the token.
  await page.click('[data-testid="admin-clear"]');
  await waitFor('the "enter the token" message', async () => (await text(page, 'admin-message')).includes('Enter the admin token'));

  await page.fill('[data-testid="admin-token"]', 'not-the-token');
  await page.click('[data-testid="admin-clear"]');
  await waitFor('the 401 message', async () => /401 Unauthorized/.test(await text(page, 'admin-message')));
  check((await attr(page, 'admin-message', 'data-kind')) === 'error', 'the 401 message is not shown as an error');

  await page.fill('[data-testid="admin-token"]', env.token);
  await page.click('[data-testid="admin-clear"]');
  await waitFor('the "cache cleared" message', async () => (await text(page, 'admin-message')).startsWith('Cache cleared'));
  check((await attr(page, 'admin-message', 'data-kind')) === 'success', 'the clear message is not shown as a success');

  const price = 81234.5;
  await fake.setBtcPrice(price);
  await page.click('[data-testid="admin-refresh"]');
  await waitFor('the "refreshed" message', async () => (await text(page, 'admin-message')).startsWith('Summary refreshed'));
  await waitFor(`the BTC card to show ${usd(price)}`, async () => (await text(page, 'card-btc-price-value')) === usd(price), { timeout: 2000 });

  const stored = await page.evaluate(() => [sessionStorage.getItem('cryptodash.adminToken'), JSON.stringify(localStorage)]);
  check(stored[0] === env.token, 'the token is not in session storage');
  check(!stored[1].includes(env.token), 'the token leaked into local storage');

  // Vietnamese messages too, without a request.
  await page.selectOption('[data-testid="lang-select"]', 'vi');
  await waitFor('the Vietnamese message', async () => (await text(page, 'admin-message')).startsWith('Đã làm mới'));
});
