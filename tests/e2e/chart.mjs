// The chart and the market table: choosing ETH in the table loads its candles and indicators,
// unsubscribes market:btc and subscribes market:eth on the socket (whose answer updates the
// row); the interval buttons and overlay toggles work from the keyboard.

import { attr, check, scenario, text, waitConn, waitFor, waitLoaded } from './lib.mjs';

await scenario('chart', async ({ open }) => {
  const sent = [];
  const received = [];
  const requests = [];
  const { page } = await open({
    onPage: (page) => {
      page.on('websocket', (ws) => {
        ws.on('framesent', (f) => sent.push(String(f.payload)));
        ws.on('framereceived', (f) => received.push(String(f.payload)));
      });
      page.on('request', (r) => requests.push(new URL(r.url())));
    },
  });
  await waitConn(page, 'live');
  await waitLoaded(page);
  check((await text(page, 'chart-title')) === 'BTC / USD', `the chart starts on "${await text(page, 'chart-title')}"`);
  await waitFor('a subscription to market:btc', async () => sent.some((m) => m.includes('"subscribe"') && m.includes('market:btc')));
  for (const name of ['sma', 'ema', 'rsi']) {
    await waitFor(`the ${name} headline value`, async () => /\d/.test(await text(page, `indicator-${name}-value`)));
  }

  sent.length = 0;
  received.length = 0;
  await page.click('[data-testid="market-select-eth"]');
  await waitFor('the ETH chart', async () => (await text(page, 'chart-title')) === 'ETH / USD' && (await attr(page, 'chart-panel', 'data-loaded')) === 'true');
  check((await attr(page, 'market-select-eth', 'aria-pressed')) === 'true', 'the ETH row is not marked as chosen');
  await waitFor('unsubscribe market:btc and subscribe market:eth', async () =>
    sent.some((m) => m.includes('"unsubscribe"') && m.includes('market:btc')) &&
    sent.some((m) => m.includes('"subscribe"') && m.includes('market:eth')));
  await waitFor('the market_update of eth on subscribing', async () => received.some((m) => m.includes('"market_update"') && m.includes('"eth"')));
  check(requests.some((u) => u.pathname === '/api/crypto/candles/eth'), 'no candles were requested for eth');
  check(requests.some((u) => u.pathname.startsWith('/api/crypto/indicator/eth/rsi/14')), 'no RSI was requested for eth');

  // Keyboard: tab to the 4h button and press Enter; then switch the RSI overlay off with Space.
  requests.length = 0;
  await page.focus('[data-testid="interval-1h"]');
  await page.keyboard.press('Tab');
  check((await page.evaluate(() => document.activeElement?.getAttribute('data-interval'))) === '4h', 'Tab from 1h does not reach 4h');
  await page.keyboard.press('Enter');
  await waitFor('the 4h candles', async () => requests.some((u) => u.pathname === '/api/crypto/candles/eth' && u.searchParams.get('interval') === '4h'));
  await waitFor('4h pressed', async () => (await attr(page, 'interval-4h', 'aria-pressed')) === 'true');
  await waitFor('the 4h chart', async () => (await attr(page, 'chart-panel', 'data-loaded')) === 'true');
  await page.focus('[data-testid="overlay-rsi"]');
  await page.keyboard.press('Space');
  check(!(await page.isChecked('[data-testid="overlay-rsi"]')), 'Space did not switch the RSI overlay off');
});
