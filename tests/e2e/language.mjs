// Switching to Vietnamese changes the labels and the number formats at once, with no network
// request (the page re-renders from the data it holds); the choice is remembered across a
// reload, and switching back gives English again.

import { check, fake, scenario, server, text, usd, waitConn, waitFor, waitLoaded } from './lib.mjs';

const price = 64321.5;

await scenario('language', async ({ open }) => {
  await fake.setBtcPrice(price);
  await server.forceRefresh();

  const { page } = await open({ locale: 'en-US' });
  await waitConn(page, 'live');
  await waitLoaded(page);
  await waitFor(`the BTC card to show ${usd(price)}`, async () => (await text(page, 'card-btc-price-value')) === usd(price));
  check((await page.getAttribute('html', 'lang')) === 'en', 'the page did not start in English');
  const label = () => page.locator('[data-testid="card-btc-price"] .card-label').textContent();
  check((await label()) === 'Bitcoin price', `the BTC card's label is "${await label()}"`);

  // From here on, any request (HTTP or a new socket) or message sent on the socket is a failure.
  const requests = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  page.on('websocket', (ws) => requests.push(`new WebSocket ${ws.url()}`));
  await page.evaluate(() => {
    window.__e2eSent = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (!String(data).includes('"ping"')) window.__e2eSent += 1;
      return send.call(this, data);
    };
  });

  await page.selectOption('[data-testid="lang-select"]', 'vi');
  await waitFor('<html lang="vi">', async () => (await page.getAttribute('html', 'lang')) === 'vi', { timeout: 2000 });
  const expectations = [
    ['the BTC card label', label, (v) => v === 'Giá Bitcoin'],
    ['the connection indicator', () => page.locator('[data-testid="conn-state"] .conn-text').textContent(), (v) => v === 'Trực tiếp'],
    ['the markets title', () => page.locator('#markets-title').textContent(), (v) => v === 'Thị trường'],
    ['the admin title', () => page.locator('.admin-title').textContent(), (v) => v === 'Quản trị'],
    ['the BTC price in vi-VN format', () => text(page, 'card-btc-price-value'), (v) => /^64\.321,50\s?US\$$/.test(v)],
    ['the badge', () => text(page, 'card-btc-price-badge'), (v) => v === 'Mới'],
    ['the document title', () => page.title(), (v) => v.includes('tiền mã hóa')],
  ];
  for (const [what, get, ok] of expectations) {
    await waitFor(`${what} in Vietnamese`, async () => ok(((await get()) ?? '').trim()), { timeout: 2000 });
  }
  // Give a late fetch the chance to show itself.
  await page.waitForTimeout(1500);
  check(requests.length === 0, `switching language made requests:\n      ${requests.join('\n      ')}`);
  const sentCount = await page.evaluate(() => window.__e2eSent);
  check(sentCount === 0, `switching language sent ${sentCount} message(s) on the socket`);
  check((await page.evaluate(() => localStorage.getItem('cryptodash.lang'))) === 'vi', 'the choice was not stored');
  console.log(`Vietnamese: "${await label()}", ${await text(page, 'card-btc-price-value')}, no request`);

  // Remembered across a reload.
  await page.reload({ waitUntil: 'load' });
  await waitFor('Vietnamese after a reload', async () => (await label()) === 'Giá Bitcoin' && (await page.getAttribute('html', 'lang')) === 'vi');
  check((await page.inputValue('[data-testid="lang-select"]')) === 'vi', 'the language select does not show the remembered choice');
  await waitLoaded(page);

  // And back.
  await page.selectOption('[data-testid="lang-select"]', 'en');
  await waitFor('English again', async () => (await label()) === 'Bitcoin price' && (await text(page, 'card-btc-price-value')) === usd(price), { timeout: 2000 });
  check((await page.getAttribute('html', 'lang')) === 'en', '<html lang> did not go back to "en"');
});
