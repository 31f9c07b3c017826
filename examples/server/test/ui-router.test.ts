import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { InterfaceTable } from '../src/interfaces/table.js';
import { A11Y_SCRIPT, ARTIFACTS, skipWithoutBrowser } from './support/browser.js';
import { useDemoConsole } from './support/demo-console.js';

/** The table's columns, in order. */
const COLUMNS = [
  'Chart',
  'Interface',
  'State',
  'Speed',
  'In',
  'Out',
  'In %',
  'Out %',
  'Errors in/out',
  'Discards in/out',
  'Last hour',
];
const STATE_RANK: Record<string, number> = { down: 0, unknown: 1, 'admin-down': 2, up: 3 };

/** Waits until `cond` holds, asking again every 500 ms (expect.poll is for tests, not hooks). */
async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Where an element is once the page stops moving: parts above it (health charts, the status
 * history) arrive on their own and push it down, and a drag aimed at a stale box misses.
 */
async function settledBox(
  locator: Locator,
): Promise<{ x: number; y: number; width: number; height: number }> {
  await locator.scrollIntoViewIfNeeded();
  let last = await locator.boundingBox();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await locator.boundingBox();
    if (now && last && now.x === last.x && now.y === last.y && now.width === last.width) return now;
    await locator.scrollIntoViewIfNeeded();
    last = await locator.boundingBox();
  }
  throw new Error('the element never stopped moving');
}

/** "1.82 Gb/s" → 1.82e9; "–" → undefined. */
function parseBps(text: string): number | undefined {
  const m = /^([\d.]+)\s*([kMGT]?)b\/s$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as string] ?? 1;
  return Number(m[1]) * unit;
}

const noBrowser = skipWithoutBrowser('ui router browser tests');

/**
 * The router page in headless Chromium against the real demo: the interface table (columns, sort
 * on every column, admin-down apart), a down uplink charted first, the view's round trip through
 * the URL, and the crosshair shared by the charts.
 */
// Each test is a few seconds on a quiet machine; the bound is for a CI runner under load.
describe.skipIf(noBrowser)('router page in Chromium', { timeout: 120_000 }, () => {
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let router = '';
  let uplink = '';
  const shot = (p: Page, name: string) =>
    p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const table = async (): Promise<InterfaceTable> => {
    const res = await context.request.get(`${base}/api/v1/routers/${router}/interface-table`);
    return (await res.json()) as InterfaceTable;
  };

  useDemoConsole({
    routers: 4,
    interval: '2s',
    context: { viewport: { width: 1440, height: 900 }, colorScheme: 'dark' },
    beforeLogin: async (p) => {
      await p.context().addInitScript({ path: A11Y_SCRIPT });
      // Waits are for states (a table drawn, charts ready); the bound only matters on a loaded runner.
      p.context().setDefaultTimeout(60_000);
    },
    opened: async ({ demo, ...env }) => {
      ({ page, base, context } = env);
      // A Cisco of the demo: uplinks in its labels, and an access port shut by its operator.
      const cisco = demo.fleet.fleet.devices.find((d) => d.profile === 'cisco');
      if (!cisco) throw new Error('the demo has no Cisco router');
      router = cisco.id;
      uplink = demo.fleet.devices.find((d) => d.id === router)?.labels?.uplinks?.split(',')[0] ?? '';
      // Take the uplink's link down on the simulated router: the page must chart it first anyway.
      const port = cisco.sim.interfaces.find((i) => i.layout.name === uplink);
      if (!port) throw new Error(`${router} has no interface ${uplink}`);
      port.downAtMs = Date.now();
      // Live rates need two polls; the uplink's state needs a poll after the fault.
      await until(async () => {
        const t = await table();
        const up = t.items.find((r) => r.name === uplink);
        return up?.state === 'down' && t.items.some((r) => r.inBps !== null && r.inBps > 0);
      }, 90_000);
    },
    timeoutMs: 300_000,
  });

  it('shows what the router runs, and every column of the interface table', async () => {
    await page.goto(`${base}/routers/${router}`);
    await page.waitForSelector('[data-testid=interface-table]');
    expect(await page.textContent('[data-testid=router-system] [data-field=os]')).toMatch(/^IOS-XE \d+\.\d+/);
    expect(await page.textContent('[data-testid=router-system] [data-field=model]')).toMatch(/^Cisco \S+/);
    expect(await page.textContent('[data-testid=router-since]')).toMatch(/^since /);
    expect(await page.getAttribute('[data-testid=report-link]', 'href')).toBe(`/reports?router=${router}`);
    const heads = await page.locator('[data-testid=interface-table] thead th').allTextContents();
    expect(heads).toEqual(COLUMNS);
    // Admin-down is its own state, never "down", and it is not coloured as a fault.
    const admin = page.locator('[data-testid=interface-table] [data-state=admin-down]').first();
    expect(await admin.textContent()).toBe('admin down');
    expect(await admin.getAttribute('class')).not.toMatch(/\bbad\b/);
    // The down uplink says down, and leads the table (uplinks first until another sort is chosen).
    const first = page.locator('[data-testid=interface-table] tbody tr').first();
    expect(await first.getAttribute('data-if')).toBe(uplink);
    expect(await first.locator('[data-state]').textContent()).toBe('down');
    // Live rates are drawn with a sparkline of the last hour.
    await expect.poll(() => page.locator('canvas.ifc-spark[data-points]').count()).toBeGreaterThan(0);
  });

  it('sorts by every column, both ways, and keeps the sort in the URL', async () => {
    await page.waitForSelector('[data-testid=interface-table]');
    // Every header clicked twice, in the page (each click re-sorts at once): what it says then.
    const seen = await page.evaluate(() => {
      const th = (key: string) =>
        document.querySelector(`[data-testid=interface-table] th[data-key="${key}"]`) as HTMLElement;
      const keys = [...document.querySelectorAll('[data-testid=interface-table] th[data-key]')].map(
        (e) => e.getAttribute('data-key') ?? '',
      );
      return keys.map((key) => {
        th(key).querySelector('button')?.click();
        const first = th(key).getAttribute('aria-sort');
        th(key).querySelector('button')?.click();
        const second = th(key).getAttribute('aria-sort');
        return { key, first, second, url: new URLSearchParams(location.search).get('sort') };
      });
    });
    expect(seen.map((x) => x.key)).toEqual([
      'chart',
      'name',
      'state',
      'speed',
      'inBps',
      'outBps',
      'inUtil',
      'outUtil',
      'errors',
      'discards',
      'traffic',
    ]);
    for (const x of seen) {
      expect(['ascending', 'descending'], x.key).toContain(x.first);
      expect(x.second, x.key).toBe(x.first === 'ascending' ? 'descending' : 'ascending');
      expect(x.url, x.key).toBe(`${x.key}.${x.second === 'ascending' ? 'asc' : 'desc'}`);
    }
    // State ascending: faults first (down, unknown), then shut ports, then running ones.
    const sortBy = async (key: string, dir: 'ascending' | 'descending') => {
      const th = page.locator(`[data-testid=interface-table] th[data-key=${key}]`);
      await th.locator('button').click();
      if ((await th.getAttribute('aria-sort')) !== dir) await th.locator('button').click();
      expect(await th.getAttribute('aria-sort')).toBe(dir);
    };
    await sortBy('state', 'ascending');
    const states = await page
      .locator('[data-testid=interface-table] tbody [data-state]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-state') ?? ''));
    const ranks = states.map((s) => STATE_RANK[s] ?? 9);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(states[0]).toBe('down');
    // In, busiest first.
    await sortBy('inBps', 'descending');
    const ins = (
      await page.locator('[data-testid=interface-table] tbody td[data-key=inBps]').allTextContents()
    )
      .map(parseBps)
      .filter((v): v is number => v !== undefined);
    expect(ins.length).toBeGreaterThan(2);
    expect(ins).toEqual([...ins].sort((a, b) => b - a));
    await shot(page, 'router-table-sorted');
  });

  it('charts the uplink first, down or not, with max/avg/95th and errors on the same axis', async () => {
    await page.goto(`${base}/routers/${router}`);
    await page.waitForSelector('[data-testid=interface-charts][data-state=ready]');
    const cards = page.locator('[data-testid=interface-charts] [data-interface]');
    expect(await cards.first().getAttribute('data-interface')).toBe(uplink);
    expect(await cards.first().getAttribute('data-uplink')).toBe('true');
    expect(await cards.count()).toBeGreaterThan(1);
    const stats = await page.locator('[data-testid=if-stats]').nth(1).textContent();
    expect(stats).toMatch(/In: max .+ · avg .+ · 95th .+\| *Out: max .+ · avg .+ · 95th /);
    // Each card: the traffic chart and the errors/discards chart, one crosshair group for all.
    const syncs = await page
      .locator('[data-testid=interface-charts] .chart')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-sync')));
    expect(syncs.length).toBe(2 * (await cards.count()));
    expect(new Set(syncs)).toEqual(new Set(['router-interfaces']));
  });

  it('moves the crosshair of every chart when one is hovered', async () => {
    const charts = page.locator('[data-testid=interface-charts] .chart');
    await charts.nth(1).locator('.u-over').waitFor();
    const box = await settledBox(charts.nth(0).locator('.u-over'));
    // Enter the plot, then move inside it, as a hand on a mouse does.
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    // The second interface's traffic chart and the first's errors chart show the same instant.
    for (const i of [1, 2]) {
      await expect
        .poll(() => charts.nth(i).locator('.u-cursor-x').getAttribute('class'))
        .not.toMatch(/u-off/);
    }
    const lefts = await charts.evaluateAll((els) =>
      els
        .slice(0, 3)
        .map((e) => (e.querySelector('.u-cursor-x') as HTMLElement | null)?.style.transform ?? ''),
    );
    expect(lefts[1]).toBe(lefts[0]);
    await shot(page, 'router-crosshair');
  });

  it('keeps range, zoom and charted interfaces in the URL, and reopens the same view from it', async () => {
    await page.goto(`${base}/routers/${router}`);
    await page.waitForSelector('[data-testid=interface-charts][data-state=ready]');
    await page.getByRole('button', { name: '6h', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('6h');
    // Chart one more interface: the busiest one not charted yet.
    const box = page
      .locator('[data-testid=interface-table] tbody tr input[type=checkbox]:not(:checked)')
      .first();
    const added = (await box.getAttribute('aria-label'))?.replace(/^Chart /, '') ?? '';
    // Ticking redraws the table, so the box is found again by its name, not by being unticked.
    await page.locator(`[data-testid=interface-table] input[aria-label="Chart ${added}"]`).check();
    await expect.poll(() => new URL(page.url()).searchParams.getAll('if')).toContain(added);
    await page.waitForSelector('[data-testid=interface-charts][data-state=ready]');
    // Drag across the middle of the first chart: every chart zooms, the window goes in the URL.
    const over = page.locator('[data-testid=interface-charts] .chart').first().locator('.u-over');
    const b = await settledBox(over);
    await page.mouse.move(b.x + b.width * 0.3, b.y + b.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * 0.7, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toMatch(/^\d{13}$/);
    await page.waitForSelector('[data-testid=interface-charts][data-state=ready]');
    const url = page.url();
    const q = new URL(url).searchParams;
    const zoom = [Number(q.get('from')), Number(q.get('to'))];
    expect(zoom[1]! - zoom[0]!).toBeGreaterThan(60_000);
    expect(zoom[1]! - zoom[0]!).toBeLessThan(6 * 3_600_000);
    const charted = await page
      .locator('[data-testid=interface-charts] [data-interface]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-interface')));
    expect(charted[0]).toBe(uplink);
    expect(charted).toContain(added);

    // Pasted into a ticket and opened by someone else: the same view.
    const other = await context.newPage();
    await other.goto(url);
    await other.waitForSelector('[data-testid=interface-charts][data-state=ready]');
    expect(
      await other
        .locator('[data-testid=interface-charts] [data-interface]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-interface'))),
    ).toEqual(charted);
    const grid = other.locator('[data-testid=interface-charts]');
    expect([
      Number(await grid.getAttribute('data-from')),
      Number(await grid.getAttribute('data-to')),
    ]).toEqual(zoom);
    expect(await other.getAttribute('.seg button[aria-pressed=true]', 'aria-pressed')).toBe('true');
    expect(await other.textContent('.seg button[aria-pressed=true]')).toBe('6h');
    expect(await other.textContent('[data-testid=zoom-note]')).toMatch(/^Zoomed: /);
    expect(
      await other.locator(`[data-testid=interface-table] input[aria-label="Chart ${added}"]`).isChecked(),
    ).toBe(true);
    await shot(other, 'router-zoomed');
    // Reset zoom: back to the range, the window leaves the URL.
    await other.getByRole('button', { name: 'Reset zoom' }).click();
    await expect.poll(() => new URL(other.url()).searchParams.has('from')).toBe(false);
    expect(new URL(other.url()).searchParams.get('range')).toBe('6h');
    await other.close();
  });
});
