// The WebSocket goes away: every /ws connection of the page runs through a route that first
// passes it to the server, then (when "blocked") closes the page's socket and closes every new
// one at once, like a server or proxy that drops WebSocket clients. The page retries with
// backoff (indicator "reconnecting"), falls back to polling (indicator "polling"), and a new
// fake price still reaches the card. When the socket is let through again, the page's
// background retry gets back to "live".

import { attr, check, fake, scenario, server, text, usd, waitConn, waitFor, waitLoaded } from './lib.mjs';

const before = 70123.45;
const during = 71234.56;

await scenario('polling_fallback', async ({ open }) => {
  await fake.setBtcPrice(before);
  await server.forceRefresh();

  let blocked = false;
  const routes = new Set();
  let attempts = 0;
  const { page } = await open({
    beforeGoto: async (context) => {
      await context.routeWebSocket(/\/ws$/, (ws) => {
        attempts += 1;
        if (blocked) {
          ws.close({ code: 1013, reason: 'blocked by the test' });
          return;
        }
        ws.connectToServer();
        routes.add(ws);
      });
    },
  });
  await waitConn(page, 'live');
  await waitLoaded(page);
  await waitFor(`the BTC card to show ${usd(before)}`, async () => (await text(page, 'card-btc-price-value')) === usd(before));

  let summaryPolls = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/crypto/dashboard-summary') summaryPolls += 1;
  });

  // Drop the socket and refuse new ones.
  blocked = true;
  const dropped = Date.now();
  for (const ws of routes) await ws.close({ code: 1001, reason: 'going away (test)' });
  routes.clear();
  await waitConn(page, 'reconnecting', 5000);
  // Five reconnects with backoff (0.5, 1, 2, 4, 8 s ± 20 %), then polling.
  await waitConn(page, 'polling', 30_000);
  const fellBack = Date.now() - dropped;
  check(attempts >= 6, `the page tried the socket ${attempts} times in all, expected the first + 5 reconnects`);
  console.log(`polling ${fellBack} ms after the socket was dropped (${attempts} socket attempts in all)`);

  await fake.setBtcPrice(during);
  const t0 = Date.now();
  await server.forceRefresh();
  await waitFor(`the BTC card to show ${usd(during)} while polling`,
    async () => (await text(page, 'card-btc-price-value')) === usd(during), { timeout: 8000, interval: 100 });
  console.log(`the polled card showed ${usd(during)} ${Date.now() - t0} ms after the refresh`);
  check(summaryPolls >= 1, 'no poll of /api/crypto/dashboard-summary was seen');
  check((await attr(page, 'conn-state', 'data-state')) === 'polling', 'the indicator left "polling" while the socket was blocked');

  // Let sockets through again: the background retry (every 30 s) gets back to live.
  blocked = false;
  await waitConn(page, 'live', 40_000);
  console.log(`live again ${Date.now() - dropped} ms after the drop`);
  const polls = summaryPolls;
  await page.waitForTimeout(6000);
  check(summaryPolls === polls, `the page still polls while live (${summaryPolls - polls} polls in 6 s)`);
});
