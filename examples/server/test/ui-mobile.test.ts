import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGIN } from '../src/cli/demo.js';
import { ARTIFACTS, skipWithoutBrowser } from './support/browser.js';
import { useDemoConsole } from './support/demo-console.js';
import { loginCookie } from './support/harness.js';

/** An iPhone-sized screen: the narrowest the UI promises to be usable on. */
const WIDTH = 375;
const HEIGHT = 812;
/** A router added through the API at an address nothing answers: it goes down, so an alert fires. */
const DEAD = 'mobile-dead-1';

/** How wide the document is, and the elements that stick out past the screen's right edge. */
interface Layout {
  scrollWidth: number;
  wide: string[];
}

/**
 * Measures the page (run in it; a string, as the tests have no DOM types): the document's scroll
 * width and, when it is too wide, the innermost elements reaching past the right edge, so a
 * failure names the culprit. Text spilling out of a box (long words in anonymous flex items)
 * shows only in the box's scrollWidth, so that counts too.
 */
const MEASURE = `(() => {
  const wide = [];
  const width = window.innerWidth;
  const sticksOut = (el) => {
    const r = el.getBoundingClientRect();
    const spills = getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1;
    return r.width > 0 && (r.right > width + 0.5 || (spills && r.left + el.scrollWidth > width + 0.5));
  };
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.querySelectorAll('body *')) {
      if (!sticksOut(el) || [...el.children].some(sticksOut)) continue;
      const r = el.getBoundingClientRect();
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '';
      const text = (el.textContent || '').trim().slice(0, 30);
      wide.push(el.tagName.toLowerCase() + cls + ' x=' + Math.round(r.left) + '+' + el.scrollWidth + ' "' + text + '"');
      if (wide.length >= 5) break;
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, wide };
})()`;

/**
 * Every page at 375 × 812 in headless Chromium against the real demo: nothing scrolls sideways
 * (document scroll width ≤ 375), tables are cards, and each page's main actions are on screen and
 * clickable (Playwright's actionability checks: visible, stable, enabled, not covered), including
 * Acknowledge on the alerts page. Screenshots: test-artifacts/ui/mobile-*.png.
 */
describe.skipIf(skipWithoutBrowser('ui mobile browser tests'))('every page at 375 px in Chromium', () => {
  let page: Page;
  let base: string;
  let router = '';
  let apiUrl = '';
  let cookie = '';

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `mobile-${name}.png`) });

  /** Opens `path`, waits for `ready`, then checks width and that each of `actions` is usable. */
  const check = async (name: string, path: string, ready: string, actions: string[]) => {
    await page.goto(`${base}${path}`);
    await page.waitForSelector(ready, { timeout: 20_000 });
    const layout = await page.evaluate<Layout>(MEASURE);
    await shot(name);
    expect({ path, ...layout }).toEqual({ path, scrollWidth: layout.scrollWidth, wide: [] });
    expect(layout.scrollWidth, `${path} scrolls sideways`).toBeLessThanOrEqual(WIDTH);
    for (const sel of ['button[aria-label="Menu"]', ...actions]) {
      const control = page.locator(sel).locator('visible=true').first();
      // A trial click runs every actionability check (visible, stable, enabled, not covered).
      await control.click({ trial: true, timeout: 5_000 });
      // Within the screen's width (polled: a virtualised row may be redrawn meanwhile).
      await expect
        .poll(
          async () => {
            const box = await control.boundingBox();
            return box ? box.x >= 0 && box.x + box.width <= WIDTH + 0.5 : 'not on the page';
          },
          { message: `${path}: ${sel} within 0..${WIDTH} px`, timeout: 5_000 },
        )
        .toBe(true);
    }
  };

  useDemoConsole({
    routers: 4,
    prepare: async (demo) => {
      router = demo.monitor.devices.list()[0]?.device.id ?? '';
      apiUrl = demo.server.urls.api;
      cookie = await loginCookie(apiUrl, DEMO_LOGIN);
      const added = await fetch(`${apiUrl}/api/v1/routers`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: DEAD,
          host: '127.0.0.1',
          port: 9,
          driver: 'snmp',
          interval: '5s',
          labels: { site: 'BEY', role: 'access' },
          snmp: { version: '2c', community: 'nobody' },
        }),
      });
      expect(added.status).toBe(201);
    },
    context: {
      viewport: { width: WIDTH, height: HEIGHT },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'light',
    },
    opened: (env) => {
      ({ page, base } = env);
    },
    timeoutMs: 120_000,
  });

  it('overview, routers and a router fit 375 px with their controls on screen', async () => {
    await check('overview', '/', '[data-stat="total"] .value', ['.search input', 'a.stat']);
    await check('routers', '/routers', '.vt-row', ['.vt-row', '.toolbar input']);
    await check('router', `/routers/${router}`, '[role="tab"], .tabs button', ['.tabs button']);
  });

  it('alerts: rows are cards and Acknowledge is on screen and clickable', async () => {
    await page.goto(`${base}/alerts`);
    // A row's own Acknowledge (not the bulk "Acknowledge selected" above the table).
    const ACK = 'table.tbl tbody button:text-is("Acknowledge")';
    const ack = page.locator(ACK).first();
    await ack.waitFor({ state: 'visible', timeout: 30_000 });
    await check('alerts', '/alerts', ACK, [ACK]);
    // Cards: the table's header row is hidden and each cell says which column it is.
    const labelled = await page
      .locator('table.tbl tbody td:not([data-label]):not(:has(button))')
      .filter({ hasText: /\S/ })
      .count();
    expect(labelled, 'alert cells without a column label').toBe(0);
  }, 45_000);

  /** A subscriber the demo's BNGs reported (their first poll stores the sessions). */
  const findSubscriber = async () => {
    let user = '';
    await expect
      .poll(
        async () => {
          const res = await fetch(`${apiUrl}/api/v1/search?q=rami.&limit=20`, { headers: { cookie } });
          const body = (await res.json()) as { hits?: Array<{ kind: string; user?: string }> };
          user = body.hits?.find((x) => x.kind === 'subscriber')?.user ?? '';
          return user;
        },
        { timeout: 20_000, interval: 500 },
      )
      .not.toBe('');
    return user;
  };

  it('topology, a subscriber, and reports (when built) fit 375 px; the menu opens the navigation', async () => {
    const subscriber = await findSubscriber();
    await check('topology', '/topology', 'svg, canvas', []);
    await check('subscriber', `/subscribers/${encodeURIComponent(subscriber)}`, '[data-testid=subscriber]', [
      '.search input',
    ]);
    await page.goto(`${base}/reports`);
    await page.waitForSelector('.content > *');
    const isReport = /report|availability/i.test(await page.title());
    if (isReport) await check('reports', '/reports', '.content table, .content .card', []);
    else console.warn('ui-mobile: /reports is not built yet; not checked');
    // The navigation hides behind the menu button and opens with it.
    // (Off-canvas: a box left of the screen; Playwright would call it visible.)
    const navRight = async () => (await page.locator('.nav a[href="/alerts"]').boundingBox())?.x ?? 0;
    expect(await navRight()).toBeLessThan(0);
    await page.click('button[aria-label="Menu"]');
    await page.click('.nav a[href="/alerts"]');
    await page.waitForURL((u) => u.pathname === '/alerts');
  });
});
