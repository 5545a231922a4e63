// The page shows the fake upstream's BTC price; after the fake's price changes and a forced
// refresh (admin POST), the card shows the new price within 2 s, without a reload (pushed over
// the WebSocket as a dashboard_update).

import { check, fake, scenario, server, text, usd, waitConn, waitFor, waitLoaded } from './lib.mjs';

const first = 64321.5;
const second = 65432.25;

await scenario('live_price', async ({ open }) => {
  await fake.setBtcPrice(first);
  // The server may hold a price from before (a cache filled at start); make it take the new one.
  await server.forceRefresh();

  const { page } = await open();
  await waitConn(page, 'live');
  await waitLoaded(page);
  await waitFor(`the BTC card to show ${usd(first)}`, async () => (await text(page, 'card-btc-price-value')) === usd(first));
  check((await text(page, 'card-btc-price-badge')).startsWith('Fresh'),
    `the BTC card's badge says "${await text(page, 'card-btc-price-badge')}", not Fresh`);
  // A mark that a reload would wipe.
  await page.evaluate(() => { window.__e2eNoReload = true; });

  await fake.setBtcPrice(second);
  const t0 = Date.now();
  await server.forceRefresh();
  await waitFor(`the BTC card to show ${usd(second)} within 2 s of the refresh`,
    async () => (await text(page, 'card-btc-price-value')) === usd(second), { timeout: 2000, interval: 50 });
  const took = Date.now() - t0;
  check(await page.evaluate(() => window.__e2eNoReload === true), 'the page was reloaded');
  await waitConn(page, 'live', 1000);
  console.log(`the card showed ${usd(second)} ${took} ms after the refresh was asked for`);
});
