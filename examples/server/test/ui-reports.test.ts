import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresStore } from '@ispmonitor/plugin-postgres';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, skipWithoutBrowser } from './support/browser.js';
import { useDemoConsole } from './support/demo-console.js';

const H = 3_600_000;
const DAY = 24 * H;

/**
 * The availability report in Chromium, on the demo with a status history written into its
 * storage (known outages, a router first seen two days ago): the tables, the period in the URL,
 * sorting, the CSV downloads and a router's drill-down.
 */
describe.skipIf(skipWithoutBrowser('ui report tests'))('availability report in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let routers = 0;
  /** A router with one outage 3 days ago; one first seen 2 days ago. */
  let flaky = '';
  let fresh = '';
  const now = Date.now();

  useDemoConsole({
    routers: 8,
    interval: '30s',
    prepare: async (demo) => {
      routers = demo.monitor.devices.list().length;
      // Two routers the demo's staged problems leave alone (their live status stays up).
      const staged = new Set(demo.fleet.problems.map((p) => p.device));
      const calm = demo.monitor.devices
        .list()
        .map((d) => d.device.id)
        .filter((id) => !staged.has(id));
      [flaky, fresh] = calm as [string, string];
      await demo.monitor.resolve(postgresStore).importHistory({
        statusChanges: [
          { router: flaky, ts: now - 40 * DAY, previous: 'unknown', status: 'online' },
          {
            router: flaky,
            ts: now - 3 * DAY,
            previous: 'online',
            status: 'unreachable',
            reason: 'request timed out',
          },
          { router: flaky, ts: now - 3 * DAY + 2 * H, previous: 'unreachable', status: 'online' },
          { router: fresh, ts: now - 2 * DAY, previous: 'unknown', status: 'online' },
        ],
      });
    },
    context: { viewport: { width: 1440, height: 900 }, acceptDownloads: true },
    opened: (env) => {
      ({ page, base, context } = env);
    },
  });

  const rowOf = (id: string) =>
    page.locator('[data-testid="report-routers"] tbody tr', {
      has: page.locator(`a[href*="router=${encodeURIComponent(id)}"]`),
    });

  it('renders the sites and routers with covered time, from the navigation entry', async () => {
    await page.click('nav a[data-nav="/reports"]');
    await page.waitForSelector('[data-testid="report-routers"] tbody tr');
    expect(await page.locator('[data-testid="report-routers"] tbody tr').count()).toBe(routers);
    expect(await page.locator('[data-testid="report-sites"] tbody tr').count()).toBeGreaterThan(0);
    // 2 h unreachable of 30 days online: 99.722 % (the floor, never rounded up to 100).
    expect(await rowOf(flaky).locator('td[data-label="Availability"]').textContent()).toBe('99.722%');
    expect(await rowOf(flaky).locator('td[data-label="Outages"]').textContent()).toBe('1');
    // First seen two days ago: covered 2 days, not the whole period.
    expect(await rowOf(fresh).locator('td[data-label="Covered"]').textContent()).toMatch(
      /^2d( \d+[hms])? \(6%, since /,
    );
    expect(await page.textContent('[data-testid="report-period"]')).toContain('time its status was known');
    await page.screenshot({ path: join(ARTIFACTS, 'reports.png') });
  });

  it('keeps the period and the sort in the URL', async () => {
    await page.click('.report-toolbar button:has-text("7 days")');
    await page.waitForURL((u) => u.searchParams.get('period') === '7d');
    await page.waitForSelector('[data-testid="report-routers"] tbody tr');
    expect(await rowOf(flaky).locator('td[data-label="Availability"]').textContent()).toBe('98.80%');
    await page.click('[data-testid="report-routers"] th button[data-sort="name"]');
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('name');
    // The server sorts and pages the report: the rows follow the URL once its answer is drawn.
    const names = () =>
      page.$$eval('[data-testid="report-routers"] tbody td[data-label="Router"]', (els) =>
        els.map((e) => e.textContent ?? ''),
      );
    const byName = (xs: string[]) => [...xs].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    await expect
      .poll(async () => {
        const shown = await names();
        return shown.length > 1 && shown.join('\n') === byName(shown).join('\n');
      })
      .toBe(true);
    await page.click('[data-testid="report-routers"] th button[data-sort="name"]');
    await expect.poll(() => new URL(page.url()).searchParams.get('desc')).toBe('1');
    // A reload shows the same report.
    await page.reload();
    await page.waitForSelector(
      '[data-testid="report-routers"] th[aria-sort="descending"] button[data-sort="name"]',
    );
    expect(await page.getAttribute('.report-toolbar button[aria-pressed="true"]', 'aria-pressed')).toBe(
      'true',
    );
    expect(await page.textContent('.report-toolbar button[aria-pressed="true"]')).toBe('7 days');
  });

  it('downloads the routers and outages as CSV', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a[data-csv="routers"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^availability-routers_.*\.csv$/);
    const text = readFileSync((await download.path()) as string, 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toMatch(
      /^router,name,site,covered_from,covered_to,covered_seconds,availability_percent,/,
    );
    expect(lines).toHaveLength(routers + 1);
    expect(lines.find((l) => l.startsWith(`${flaky},`))).toContain(',98.8095,');
    const [outages] = await Promise.all([page.waitForEvent('download'), page.click('a[data-csv="outages"]')]);
    const rows = readFileSync((await outages.path()) as string, 'utf8')
      .trim()
      .split('\r\n');
    expect(rows.filter((r) => r.startsWith(`${flaky},`))).toEqual([
      expect.stringMatching(/,7200,unreachable,request timed out,no,/),
    ]);
  });

  it('drills down to a router (the URL the router page links to) and back', async () => {
    await page.goto(`${base}/reports?router=${encodeURIComponent(flaky)}&period=30d`);
    await page.waitForSelector('[data-testid="report-outages"] tbody tr');
    const cells = await page.$$eval('[data-testid="report-outages"] tbody tr td', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(cells).toEqual([expect.any(String), expect.any(String), '2h', 'Unreachable', 'request timed out']);
    expect(await page.textContent('[data-stat="availability"] .value')).toBe('99.722%');
    await page.screenshot({ path: join(ARTIFACTS, 'reports-router.png') });
    await page.click('[data-testid="router-page-link"]');
    await page.waitForURL((u) => u.pathname === `/routers/${flaky}`);
    await page.goBack();
    await page.click('text=← All routers');
    await page.waitForSelector('[data-testid="report-routers"] tbody tr');
    expect(new URL(page.url()).searchParams.get('router')).toBeNull();
  });

  it('fits a 375 px phone', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 800 });
    await phone.goto(`${base}/reports`);
    await phone.waitForSelector('[data-testid="report-routers"] tbody tr');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Sorting stays reachable with the header turned into cards.
    expect(await phone.isVisible('[data-testid="report-routers"] th button[data-sort="availability"]')).toBe(
      true,
    );
    await phone.screenshot({ path: join(ARTIFACTS, 'reports-375.png'), fullPage: false });
    await phone.close();
  });
});
