// The report page in the browser (a report of BTC written by `cryptodash report generate` before
// the scenario starts, the fake's BTC price 64321.5): the latest report in English, then in
// Vietnamese because the browser asks for it (Accept-Language from the locale), its chart and
// links, on a phone without sideways scrolling. No console error (a CSP violation is one).
// Screenshots: report-en.png, report-vi.png, report-phone.png.

import { check, scenario, shoot } from './lib.mjs';

const bodyText = async (page) => ((await page.textContent('body')) ?? '').replace(/\s+/g, ' ');

await scenario('report', async ({ open }) => {
  const en = await open({ path: '/crypto_report', viewport: { width: 1280, height: 900 } });
  const text = await bodyText(en.page);
  check(text.includes('BTC'), 'the English page does not name BTC');
  check(text.includes('$64,321.50'), `the English page does not show $64,321.50: ${text.slice(0, 400)}`);
  const candles = await en.page.locator('svg g.candle').count();
  check(candles === 24, `the chart draws ${candles} candles, not the day's 24`);
  const pdf = await en.page.locator('a[href*="/pdf"]').first().getAttribute('href');
  check(pdf && /^\/crypto_report\/\d+\/pdf\?lang=en$/.test(pdf), `the PDF link is ${pdf}`);
  console.log(`wrote ${await shoot(en.page, 'report-en')}`);
  await en.context.close();

  const vi = await open({ path: '/crypto_report', viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const viText = await bodyText(vi.page);
  check((await vi.page.getAttribute('html', 'lang')) === 'vi', 'the page asked in Vietnamese is not lang="vi"');
  check(viText.includes('Báo cáo thị trường'), 'the Vietnamese page lacks its heading');
  check(viText.includes('64.321,50'), 'the Vietnamese page does not show 64.321,50');
  console.log(`wrote ${await shoot(vi.page, 'report-vi')}`);
  await vi.context.close();

  const phone = await open({ path: '/crypto_report', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `the report on a phone is ${width} px wide (wider than the 390 px screen)`);
  console.log(`wrote ${await shoot(phone.page, 'report-phone')}`);
  await phone.context.close();
});
