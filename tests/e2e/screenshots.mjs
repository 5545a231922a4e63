// Screenshots of the dashboard at desktop (1440×900) and phone (390×844) widths, full page, into
// ARTIFACTS_DIR: desktop.png, desktop-admin.png (admin panel open, stats loaded), desktop-vi.png
// (in Vietnamese), phone.png.
// Also checks that the phone layout does not scroll sideways.

import { check, scenario, shoot, text, waitConn, waitFor, waitLoaded } from './lib.mjs';

await scenario('screenshots', async ({ open }) => {
  const desktop = await open({ viewport: { width: 1440, height: 900 } });
  await waitConn(desktop.page, 'live');
  await waitLoaded(desktop.page);
  await desktop.page.waitForTimeout(700); // let the gauge and bars finish their transitions
  console.log(`wrote ${await shoot(desktop.page, 'desktop')}`);

  await desktop.page.click('[data-testid="admin-toggle"]');
  await waitFor('the admin stats', async () => (await text(desktop.page, 'admin-stats')).includes('L1'));
  await desktop.page.mouse.move(1, 1); // no crosshair over the chart
  await desktop.page.waitForTimeout(300);
  console.log(`wrote ${await shoot(desktop.page, 'desktop-admin')}`);
  await desktop.page.click('[data-testid="admin-toggle"]');
  await desktop.page.selectOption('[data-testid="lang-select"]', 'vi');
  await waitFor('the page in Vietnamese', async () => (await desktop.page.getAttribute('html', 'lang')) === 'vi');
  await desktop.page.waitForTimeout(300);
  console.log(`wrote ${await shoot(desktop.page, 'desktop-vi')}`);
  await desktop.context.close();

  const phone = await open({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
  await waitConn(phone.page, 'live');
  await waitLoaded(phone.page);
  await phone.page.waitForTimeout(700);
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `the phone layout is ${width} px wide (wider than the 390 px screen)`);
  console.log(`wrote ${await shoot(phone.page, 'phone')}`);
  await phone.context.close();
});
