import { join } from 'node:path';
import { postgresStore } from '@ispmonitor/plugin-postgres';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { A11Y_SCRIPT, ARTIFACTS, skipWithoutBrowser } from './support/browser.js';
import { useDemoConsole } from './support/demo-console.js';

const H = 3_600_000;
/** A subscriber of our own, stored before the browser looks: 60 past sessions (two pages), one now. */
const USER = 'helpdesk.caller';
const MAC = 'aa:bb:cc:de:ad:01';

const noBrowser = skipWithoutBrowser('ui search browser tests');

/**
 * The global search and the subscriber pages in headless Chromium against the real demo, used
 * with the keyboard only as a help desk would: `/` and Ctrl+K, arrows, Enter, Esc.
 */
describe.skipIf(noBrowser)('global search and subscriber pages in Chromium', () => {
  let page: Page;
  let base: string;
  let router = '';
  const searches: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  useDemoConsole({
    routers: 4,
    // Our own subscriber's history, stored before the browser looks.
    prepare: async (demo) => {
      router = demo.monitor.devices.list()[0]?.device.id ?? '';
      const now = Date.now();
      const sessions = Array.from({ length: 60 }, (_, i) => {
        const end = now - (i + 1) * 6 * H;
        return {
          router,
          user: USER,
          service: 'pppoe',
          callerId: MAC,
          address: `100.64.9.${i + 10}`,
          interface: `<pppoe-${USER}>`,
          routerSessionId: null,
          start: end - 5 * H,
          end,
          endReason: (i % 7 === 3 ? 'router unreachable' : 'vanished') as 'vanished' | 'router unreachable',
          reconnect: i % 5 === 0,
          bytesIn: 1_000_000 * (i + 1),
          bytesOut: 9_000_000 * (i + 1),
          peakInBps: null,
          peakOutBps: null,
        };
      });
      sessions.push({
        ...(sessions[0] as (typeof sessions)[number]),
        address: '100.64.9.200',
        start: now - 50 * 60_000,
        end: null as unknown as number,
        endReason: null as unknown as 'vanished',
        reconnect: true,
      });
      await demo.monitor.resolve(postgresStore).importHistory({ sessions });
    },
    context: { viewport: { width: 1440, height: 900 }, colorScheme: 'dark' },
    beforeLogin: async (p) => {
      await p.context().addInitScript({ path: A11Y_SCRIPT });
      p.on('request', (r) => {
        if (r.url().includes('/api/v1/search')) searches.push(new URL(r.url()).searchParams.get('q') ?? '');
      });
    },
    opened: (env) => {
      ({ page, base } = env);
    },
    timeoutMs: 300_000,
  });

  it('/ focuses the search from any page; empty and over-long text send nothing', async () => {
    // Focus on no text field (a click could land on a banner or a row that takes it).
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement?.id')).toBe('global-search');
    const before = searches.length;
    await page.keyboard.type('   ');
    await page.keyboard.press('Backspace');
    await page.fill('#global-search', 'x'.repeat(201));
    await page.waitForSelector('.search-status:text("Too long")');
    await page.waitForTimeout(300);
    expect(searches.length).toBe(before);
    await page.keyboard.press('Escape'); // closes the list
    await page.keyboard.press('Escape'); // clears and leaves the box
    expect(await page.evaluate('document.activeElement?.id')).not.toBe('global-search');
  });

  it('suggests as you type, grouped; arrows move; Enter opens the subscriber page', async () => {
    await page.keyboard.press('Control+k');
    await page.keyboard.type('helpdesk.ca', { delay: 30 });
    const hit = page.locator(`.search-hit[data-kind=subscriber][data-key="subscriber:${USER}"]`);
    await hit.waitFor();
    // Typing fast asks once for the text, not once per key (debounced, stale requests cancelled).
    expect(searches.filter((q) => q.startsWith('helpdesk')).length).toBeLessThan('helpdesk.ca'.length);
    expect(await hit.textContent()).toMatch(new RegExp(`on ${router} for 5\\dm`));
    await expect.poll(() => page.getAttribute('#global-search', 'aria-activedescendant')).toBeTruthy();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await shot('search-suggestions');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/subscribers/${USER}`);
    await page.waitForSelector('[data-testid=session-history] table');
    expect(await page.textContent('[data-testid=subscriber-state]')).toBe('Online');
    expect(await page.textContent('[data-stat=reconnects-7d] .value')).not.toBe('0');
    // The way out of the subscriber's router: the router itself with its status, first.
    const path = page.locator('[data-testid=subscriber-path]');
    await path.waitFor();
    expect((await path.textContent())?.toLowerCase()).toContain(router.toLowerCase());
    await shot('subscriber');
  });

  it('shows the history newest first with reconnects and end reasons, and pages older sessions', async () => {
    const rows = page.locator('[data-testid=session-history] tbody tr');
    expect(await rows.count()).toBe(50);
    expect(await rows.first().textContent()).toContain('100.64.9.200');
    expect(
      await page.locator('[data-testid=session-history] .badge.warn:text("reconnect")').count(),
    ).toBeGreaterThan(0);
    expect(
      await page.locator('[data-testid=session-history] td:has-text("router unreachable")').count(),
    ).toBeGreaterThan(0);
    await page.click('button:text("Show older sessions")');
    await expect.poll(() => rows.count()).toBe(61);
    expect(await page.isHidden('button:text("Show older sessions")')).toBe(true);
    const a11y = await page.evaluate(() => {
      const p = (
        globalThis as unknown as {
          __a11y: { unlabelled(): string[]; lowContrast(): { failures: unknown[] } };
        }
      ).__a11y;
      return { unlabelled: p.unlabelled(), contrast: p.lowContrast().failures };
    });
    expect(a11y).toEqual({ unlabelled: [], contrast: [] });
  });

  it('a range change keeps the page in the URL; the MAC page says who used it and where', async () => {
    await page.click('[data-testid=session-history] [role=group] button:text("24h")');
    await page.waitForURL(/range=24h/);
    await expect.poll(() => page.locator('[data-testid=session-history] tbody tr').count()).toBeLessThan(10);
    await page.click(`[data-testid=subscriber] a[href="/macs/${encodeURIComponent(MAC)}"]`);
    await page.waitForSelector('[data-testid=mac-history] table');
    expect(await page.textContent('[data-testid=binding-now]')).toContain(USER);
    await page.click(`[data-testid=mac-history] a[href="/subscribers/${USER}"] >> nth=0`);
    await page.waitForURL(`**/subscribers/${USER}`);
  });

  it('a router hit opens the router; an unknown subscriber says so', async () => {
    await page.keyboard.press('Control+k');
    await page.keyboard.type(router);
    await page.locator(`.search-hit[data-key="router:${router}"]`).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/routers/${router}`);
    await page.goto(`${base}/subscribers/nobody-at-all`);
    await page.waitForSelector('text=No subscriber “nobody-at-all”');
  });
});
