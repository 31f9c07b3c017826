import { join } from 'node:path';
import type { Device } from '@ispmonitor/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, skipWithoutBrowser } from './support/browser.js';
import { useDemoConsole } from './support/demo-console.js';
import { closedPort, waitFor } from './support/harness.js';

/**
 * The topology page in Chromium against the demo, plus one router that refuses connections:
 * both views render every device, the down list names it and focuses it, a collapsed site shows
 * the worst state inside, and a dragged device stays where it was dropped after a reload.
 */
describe.skipIf(skipWithoutBrowser('ui topology tests'))('topology in Chromium', () => {
  let page: Page;
  let base: string;
  let ALL = 0;

  const ready = async (path: string) => {
    await page.goto(`${base}${path}`);
    await page.waitForSelector('[data-testid="topology"][data-state="ready"]');
  };

  useDemoConsole({
    routers: 12,
    context: { viewport: { width: 1440, height: 900 } },
    // One router that refuses connections (a closed port), so a device is down at its first poll.
    prepare: async (demo) => {
      const bng = demo.monitor.devices.list().find((d) => d.device.driver === 'mikrotik')?.device as Device;
      await demo.monitor.devices.add({
        ...bng,
        id: 'trp-dead-1',
        name: 'TRP-DEAD-1',
        port: await closedPort(),
        labels: { site: 'TRP', role: 'access' },
        parent: 'trp-dist-1',
        location: { lat: 34.44, lon: 35.85 },
      });
      await waitFor(
        () => ['unreachable', 'offline'].includes(demo.monitor.devices.get('trp-dead-1')?.status ?? ''),
        30_000,
        'the refusing router unreachable',
      );
      ALL = demo.monitor.devices.list().length;
    },
    opened: (e) => {
      ({ page, base } = e);
    },
  });

  it('geographic view: every device in a marker or a cluster, over the offline basemap', async () => {
    await ready('/topology');
    expect(await page.textContent('.toolbar .muted')).toContain(`${ALL} devices placed by coordinates`);
    await page.waitForSelector('[data-testid="topology"][data-basemap] .basemap path.land');
    const singles = await page.locator('.content [data-node]').count();
    const clustered = await page.$$eval('[data-cluster]', (els) =>
      els.reduce((s, e) => s + Number(e.getAttribute('data-cluster')), 0),
    );
    expect(singles + clustered).toBe(ALL);
    // Every marker is inside the view (fitted with a margin: no site cut off at the top).
    const box = await page.locator('[data-testid="topology"]').boundingBox();
    for (const m of await page.locator('[data-cluster] .dot, [data-node] .dot').all()) {
      const b = await m.boundingBox();
      expect(b && box && b.y >= box.y && b.y + b.height <= box.y + box.height).toBe(true);
    }
    // A cluster shows the worst state inside it: TRP holds the unreachable router.
    const trp = page.locator('[data-cluster]', { hasText: 'TRP' });
    expect(['unreachable', 'down']).toContain(await trp.getAttribute('data-state'));
    await page.screenshot({ path: join(ARTIFACTS, 'topology-geo.png') });
  });

  it('graph view: every device and site drawn; the down list focuses the router', async () => {
    await ready('/topology?layout=graph');
    expect(await page.locator('[data-node]').count()).toBe(ALL);
    expect(await page.locator('.site-title').count()).toBe(4);
    const item = page.locator('[data-down="trp-dead-1"]');
    await expect.poll(() => item.textContent()).toContain('TRP-DEAD-1');
    expect(await page.textContent('#down-title')).toMatch(/Down \/ unreachable: [1-9]/);
    // Collapse everything first: focusing must expand the router's site again.
    await page.click('button:text-is("Collapse all")');
    expect(await page.locator('[data-node="trp-dead-1"]').count()).toBe(0);
    await item.click();
    const node = page.locator('[data-node="trp-dead-1"]');
    await expect.poll(() => node.getAttribute('data-focused')).toBe('true');
    expect(['unreachable', 'down']).toContain(await node.getAttribute('data-state'));
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-node'))).toBe('trp-dead-1');
    await page.screenshot({ path: join(ARTIFACTS, 'topology-graph.png') });
  });

  it('a collapsed site is one bubble in the worst state inside; a click expands it', async () => {
    await ready('/topology?layout=graph');
    await page.click('button:text-is("Collapse all")');
    const trp = page.locator('g.site[data-site="TRP"]');
    expect(['unreachable', 'down']).toContain(await trp.getAttribute('data-state'));
    expect(await trp.getAttribute('aria-expanded')).toBe('false');
    await trp.click();
    await page.waitForSelector('[data-node="trp-dead-1"]');
    expect(await page.locator('.site-title[data-site="TRP"]').getAttribute('aria-expanded')).toBe('true');
  });

  it('a dragged device stays where it was dropped, after a reload', async () => {
    await ready('/topology?layout=graph');
    const node = page.locator('[data-node="bey-border-1"] .dot');
    const before = await node.boundingBox();
    if (!before) throw new Error('bey-border-1 is not drawn');
    const x = before.x + before.width / 2;
    const y = before.y + before.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 60, y + 40, { steps: 5 });
    await page.mouse.move(x + 120, y + 80, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="topology"][data-saved="bey-border-1"]');
    const moved = await page.getAttribute('[data-node="bey-border-1"]', 'transform');
    await ready('/topology?layout=graph');
    expect(await page.getAttribute('[data-node="bey-border-1"]', 'transform')).toBe(moved);
    // Reset: back to the server's layout for everyone else's next test.
    await page.click('button:text-is("Reset layout")');
    await expect.poll(() => page.getAttribute('[data-node="bey-border-1"]', 'transform')).not.toBe(moved);
  });
});
