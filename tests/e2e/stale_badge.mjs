// A source that stops answering shows its state on its card: the Fear & Greed API fails after
// a first good fetch; once that value's freshness has passed, a forced refresh pushes a summary
// where fear_greed is "stale" — the card keeps the last good value with a "Stale · <age>" badge
// while the others stay fresh. With the cache cleared the source becomes "unavailable": the
// card shows "—" and the reason, never a number.
//
// Needs a short dashboard TTL on the server: --set cache.ttl.dashboard_seconds=2 (and, to keep
// the failing calls quick, --set upstreams.fear_greed.max_retries=0).

import { attr, check, fake, scenario, server, text, waitConn, waitFor, waitLoaded } from './lib.mjs';

const fearGreed = 23; // "Extreme Fear" in the fake

await scenario('stale_badge', async ({ open }) => {
  await fake.clearFaults();
  await fake.setValues({ fear_greed: fearGreed });
  const fresh = await server.forceRefresh();
  check(fresh?.sources?.fear_greed?.state === 'fresh', `the first refresh left fear_greed ${JSON.stringify(fresh?.sources?.fear_greed)}`);

  const { page } = await open();
  await waitConn(page, 'live');
  await waitLoaded(page);
  await waitFor('the Fear & Greed card fresh with its value', async () =>
    (await attr(page, 'card-fear-greed-badge', 'data-state')) === 'fresh' && (await text(page, 'card-fear-greed-value')) === String(fearGreed));
  check((await text(page, 'card-fear-greed-sub')) === 'Extreme Fear', `the classification reads "${await text(page, 'card-fear-greed-sub')}"`);

  // The Fear & Greed API fails from now on.
  await fake.addFault({ path: '/fear_greed', status: 500 });

  // Refresh until the server reports the part stale (its TTL has to pass first).
  let summary = null;
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    summary = await server.forceRefresh();
    if (summary?.sources?.fear_greed?.state === 'stale') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const src = summary?.sources?.fear_greed;
  check(src?.state === 'stale',
    `fear_greed never turned stale (last: ${JSON.stringify(src)}); does the server run with --set cache.ttl.dashboard_seconds=2?`);

  await waitFor('the Fear & Greed badge to say stale', async () => (await attr(page, 'card-fear-greed-badge', 'data-state')) === 'stale', { timeout: 3000 });
  const badge = await text(page, 'card-fear-greed-badge');
  check(/^Stale · \d+ (sec|min)/.test(badge), `the stale badge reads "${badge}" (expected "Stale · <age>")`);
  check((await text(page, 'card-fear-greed-value')) === String(fearGreed), `a stale card shows "${await text(page, 'card-fear-greed-value')}", not the last good value`);
  if (src.error) {
    const reason = await text(page, 'card-fear-greed-reason');
    check(reason.startsWith('Reason: '), `the stale card does not show the reason "${src.error}" (shows "${reason}")`);
  }
  check((await attr(page, 'card-btc-price-badge', 'data-state')) === 'fresh', 'the BTC price card is not fresh any more');
  check((await attr(page, 'source-fear_greed-badge', 'data-state')) === 'stale', 'the data sources panel does not show fear_greed stale');
  console.log(`stale: badge "${badge}", value ${await text(page, 'card-fear-greed-value')}, server error ${JSON.stringify(src.error)}`);

  // Nothing cached and the API still failing: unavailable, "—" and the reason.
  await server.clearCache();
  const gone = await server.forceRefresh();
  check(gone?.sources?.fear_greed?.state === 'unavailable', `after a clear fear_greed is ${JSON.stringify(gone?.sources?.fear_greed)}`);
  await waitFor('the Fear & Greed badge to say unavailable', async () => (await attr(page, 'card-fear-greed-badge', 'data-state')) === 'unavailable', { timeout: 3000 });
  check((await text(page, 'card-fear-greed-value')) === '—', `an unavailable card shows "${await text(page, 'card-fear-greed-value')}"`);
  const reason = await text(page, 'card-fear-greed-reason');
  check(/^Reason: .+/.test(reason), `an unavailable card shows no reason ("${reason}")`);
  console.log(`unavailable: "${await text(page, 'card-fear-greed-value')}", ${reason}`);

  await fake.clearFaults();
});
