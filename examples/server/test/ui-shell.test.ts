import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGIN } from '../src/cli/demo.js';
import { ARTIFACTS, skipWithoutBrowser } from './support/browser.js';
import { useDemoConsole } from './support/demo-console.js';

/** Everything a page did wrong: console errors, uncaught exceptions, requests answered ≥ 400. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error on ${new URL(page.url()).pathname}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception on ${new URL(page.url()).pathname}: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400)
      problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return problems;
}

/**
 * The shell around every page, in Chromium on the demo: the 404 page, the API description at
 * /api/docs (only after login), no console error nor failing request on any page, and the
 * overload banner driven by the monitor's own `monitor:overloaded` event.
 */
describe.skipIf(skipWithoutBrowser('ui shell tests'))('web UI shell in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let base: string;

  const login = async (p: Page) => {
    await p.fill('#login-user', DEMO_LOGIN.username);
    await p.fill('#login-pass', DEMO_LOGIN.password);
    await p.press('#login-pass', 'Enter');
  };

  const env = useDemoConsole({
    routers: 8,
    context: { viewport: { width: 1280, height: 860 } },
    opened: (e) => {
      ({ browser, context, page, base } = e);
      problems = watchProblems(page);
    },
  });

  it('shows a 404 page at the unknown URL instead of the overview', async () => {
    await page.goto(`${base}/no/such/page?x=1`);
    await page.waitForSelector('[data-testid="not-found"]');
    expect(new URL(page.url()).pathname).toBe('/no/such/page');
    expect(await page.textContent('[data-testid="not-found"] code')).toBe('/no/such/page');
    expect(await page.title()).toBe('Page not found · ISP Monitor');
    expect(await page.locator('[data-stat="total"]').count()).toBe(0);
    // Its links lead back into the app without a reload.
    await page.click('[data-testid="not-found"] a[href="/reports"]');
    await page.waitForURL((u) => u.pathname === '/reports');
    await page.waitForSelector('[data-testid="report-routers"]');
  });

  it('opens the event stream again when the server refused it (429: too many streams)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const p = await ctx.newPage();
    let asked = 0;
    await p.route('**/api/v1/events', (route) => {
      asked++;
      // The first answer is the server's refusal: the browser's EventSource gives up on it.
      if (asked === 1)
        return route.fulfill({
          status: 429,
          contentType: 'application/json',
          body: '{"error":"ISPM_TOO_MANY_STREAMS","message":"too many event streams"}',
        });
      return route.continue();
    });
    await p.goto(`${base}/`);
    await login(p);
    await p.waitForSelector('.shell');
    await expect.poll(() => p.textContent('[data-testid="live"]'), { timeout: 30_000 }).toBe('Live');
    expect(asked).toBe(2);
    await ctx.close();
  });

  it('serves the API description at /api/docs after login, and only then', async () => {
    const anonymous = await fetch(`${base}/api/docs`);
    expect(anonymous.status).toBe(401);
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    const docsProblems = watchProblems(p);
    await p.goto(`${base}/api/docs`);
    await p.waitForSelector('#login-user');
    expect(new URL(p.url()).pathname + new URL(p.url()).search).toBe('/login?next=%2Fapi%2Fdocs');
    await login(p);
    await p.waitForURL((u) => u.pathname === '/api/docs');
    expect(await p.textContent('h1')).toMatch(/^ISP Monitor API/);
    expect(await p.locator('#tag-reports .op').count()).toBeGreaterThanOrEqual(5);
    expect(await p.textContent('#get-api-v1-reports-availability')).toContain(
      'with the time actually covered',
    );
    await p.screenshot({ path: join(ARTIFACTS, 'api-docs.png') });
    // The 302 to the login page is the one answer ≥ 400 expected: the 401 before it.
    expect(docsProblems.filter((x) => !/^401 GET \/api\/(docs|v1\/auth\/me)$/.test(x))).toEqual([]);
    await fresh.close();
  });

  it('no page logs a console error or asks for something that is not there', async () => {
    const id = env.demo.monitor.devices.list()[0]?.device.id as string;
    const pages = [
      '/',
      '/routers',
      `/routers/${encodeURIComponent(id)}`,
      '/topology',
      '/alerts',
      '/reports',
      `/reports?router=${encodeURIComponent(id)}`,
      '/ips/192.0.2.1',
      '/macs/aa:bb:cc:dd:ee:ff',
    ];
    const user = await page.evaluate(async () => {
      const r = await fetch('/api/v1/sessions/pppoe?pageSize=1');
      return r.ok ? ((await r.json()) as { items: Array<{ user: string }> }).items[0]?.user : undefined;
    });
    if (user) pages.push(`/subscribers/${encodeURIComponent(user)}`);
    problems.length = 0;
    for (const path of pages) {
      await page.goto(`${base}${path}`);
      await page.waitForSelector('.shell');
      // Each page's first requests have answered when the network is idle (the event stream stays open).
      await page.waitForLoadState('networkidle').catch(() => undefined);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('says loudly when the monitor is overloaded, and stops when it is not', async () => {
    await page.goto(`${base}/routers`);
    await page.waitForSelector('.shell');
    const banner = page.locator('[data-testid="overload-banner"]');
    await expect.poll(() => page.textContent('[data-testid="live"]')).toBe('Live');
    // A loaded test machine can overload the demo for real: start from a known calm state.
    const ts = Date.now();
    const calm = { overloaded: false, lagMs: 20, backlog: 0, reason: 'event loop lag below 500 ms' };
    env.demo.monitor.bus.emit('monitor:overloaded', { ...calm, ts: ts - 1 });
    await banner.waitFor({ state: 'hidden' });
    env.demo.monitor.bus.emit('monitor:overloaded', {
      overloaded: true,
      lagMs: 2345,
      backlog: 17,
      reason: 'event loop blocked for 2345 ms (threshold 1000 ms)',
      ts,
    });
    await banner.waitFor({ state: 'visible' });
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toContain('event loop blocked for 2345 ms');
    expect(await banner.textContent()).toContain('17 polls waiting');
    await page.screenshot({ path: join(ARTIFACTS, 'overload-banner.png') });
    // A page opened now learns the state from the stream's hello.
    const other = await context.newPage();
    await other.goto(`${base}/alerts`);
    await other.locator('[data-testid="overload-banner"]').waitFor({ state: 'visible' });
    await other.close();
    env.demo.monitor.bus.emit('monitor:overloaded', { ...calm, ts: ts + 1 });
    await banner.waitFor({ state: 'hidden' });
  });
});
