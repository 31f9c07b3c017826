/**
 * Alerts as a team in two browsers at once (two Chromium contexts, two sessions of the same
 * operator team): what one does, the other sees within 5 s without reloading — an
 * acknowledgement with a note, a bulk acknowledgement, a silence on one interface with its reason
 * ("silenced until HH:MM by NAME"), its expiry, an unacknowledgement. The order is unacknowledged
 * first, and the totals agree (pending is not firing). Runs on the small alerting fleet of
 * `support/alerts-fixture.ts`: six firing alerts, three pending.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertsFixture, startAlertsFixture } from './support/alerts-fixture.js';
import {
  logIn,
  openBrowser,
  screenshot,
  skipWithoutBrowser,
  type UiBrowser,
  uiReady,
} from './support/browser.js';

/** What "seen in the other browser" must take at most. */
const LIVE_MS = 5_000;

describe.skipIf(skipWithoutBrowser('ui alerts tests'))('alerts as a team in two browsers', () => {
  let fixture: AlertsFixture;
  let ui: UiBrowser | undefined;
  let one: Page;
  let two: Page;

  const open = async ({ browser, base }: UiBrowser) => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await logIn(page, `${base}/alerts`, fixture.login);
    await page.waitForSelector('[data-testid="live"].on', { timeout: 20_000 });
    await page.waitForSelector('[data-testid="alert-list"] tr[data-alert]', { timeout: 20_000 });
    return page;
  };
  /** The row of one interface's alert. */
  const row = (p: Page, device: string, ifName: string) =>
    p.locator('tr[data-alert]', { hasText: device }).filter({ hasText: `ifName=${ifName}` });

  beforeAll(async () => {
    uiReady();
    fixture = await startAlertsFixture();
    const opened = await openBrowser(fixture.url);
    ui = opened;
    [one, two] = await Promise.all([open(opened), open(opened)]);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await fixture?.close();
  });

  it('totals agree: the Firing tab and the badge say 6, pending (3) apart', async () => {
    for (const p of [one, two]) {
      await expect.poll(() => p.textContent('[data-testid="tab-firing"]')).toBe('Firing (6)');
      await expect.poll(() => p.textContent('[data-testid="tab-pending"]')).toBe('Pending (3)');
      await expect.poll(() => p.textContent('[data-testid="firing-count"]')).toBe('6');
      expect(await p.locator('tr[data-alert]').count()).toBe(6);
    }
  });

  it('an ack with a note in one browser shows in the other within 5 s, and moves the row down', async () => {
    const target = row(one, 'a1', 'ether1');
    await target.locator('input[type="checkbox"]').check();
    await one.fill('#bulk-note', 'on it, ticket 4711');
    await one.click('[data-testid="bulk-ack"]');
    const seen = row(two, 'a1', 'ether1');
    await expect
      .poll(() => seen.locator('[data-testid="ack-note"]').textContent(), { timeout: LIVE_MS })
      .toBe('on it, ticket 4711');
    expect(await seen.locator('[data-testid="ack"]').textContent()).toContain('by admin');
    // Unacknowledged first: the acknowledged row is now last.
    await expect
      .poll(() =>
        two.locator('tr[data-alert]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-acked'))),
      )
      .toEqual(['false', 'false', 'false', 'false', 'false', 'true']);
    await screenshot(two, 'alerts-ack-note-second-browser');
  });

  it('bulk ack of a whole router, seen in the other browser', async () => {
    for (const ifName of ['ether1', 'ether2'])
      await row(one, 'b1', ifName).locator('input[type="checkbox"]').check();
    await expect.poll(() => one.textContent('[data-testid="selected-count"]')).toBe('2 selected');
    await one.click('[data-testid="bulk-ack"]');
    for (const ifName of ['ether1', 'ether2'])
      await expect
        .poll(() => row(two, 'b1', ifName).getAttribute('data-acked'), { timeout: LIVE_MS })
        .toBe('true');
  });

  it('a silence on one interface needs a reason, then reads "silenced until … by …" in both browsers', async () => {
    await row(one, 'a1', 'ether2').getByRole('button', { name: 'Silence PortWatch on a1' }).click();
    await one.selectOption('#silence-scope', 'interface');
    await expect
      .poll(() => one.textContent('[data-testid="silence-preview"]'))
      .toContain('matching 1 alert now');
    await one.click('dialog button[type="submit"]');
    await expect.poll(() => one.textContent('dialog .error-msg')).toContain('needs a reason');
    await one.fill('#silence-comment', 'fibre cut, ticket 12');
    await screenshot(one, 'alerts-silence-interface');
    await one.click('dialog button[type="submit"]');
    for (const p of [two, one]) {
      const silenced = row(p, 'a1', 'ether2').locator('[data-testid="silenced"]');
      await expect
        .poll(() => silenced.textContent(), { timeout: LIVE_MS })
        .toMatch(/^silenced until ([A-Z][a-z]{2} \d{1,2} )?\d\d:\d\d by admin$/);
      // The router's other interface is not covered.
      expect(await row(p, 'a1', 'ether1').getAttribute('data-silenced')).toBe('false');
      await expect
        .poll(() => p.textContent('[data-testid="silence-list"]'))
        .toContain('fibre cut, ticket 12');
    }
    await screenshot(two, 'alerts-silenced-second-browser');
  });

  it('expiring the silence and unacknowledging in the second browser show in the first', async () => {
    await two.getByRole('button', { name: 'Expire silence fibre cut, ticket 12' }).click();
    await expect
      .poll(() => row(one, 'a1', 'ether2').getAttribute('data-silenced'), { timeout: LIVE_MS })
      .toBe('false');
    await expect.poll(() => one.textContent('[data-testid="silence-list"]')).toContain('No active silence');
    await row(two, 'a1', 'ether1').getByRole('button', { name: 'Unacknowledge PortWatch on a1' }).click();
    await expect
      .poll(() => row(one, 'a1', 'ether1').getAttribute('data-acked'), { timeout: LIVE_MS })
      .toBe('false');
  });

  it('the overview says the same totals (pending apart) and asks no endpoint that does not exist', async () => {
    const asked: string[] = [];
    one.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await one.click('a[href="/"]');
    await expect.poll(() => one.textContent('[data-testid="alerts-firing-total"]')).toBe('6');
    expect(await one.textContent('[data-testid="alerts-pending-total"]')).toBe('3');
    expect(await one.textContent('[data-testid="firing-count"]')).toBe('6');
    // Three routers, all up: "100%" is earned here, and said to be of all three.
    await expect.poll(() => one.textContent('[data-stat="online"] .sub')).toBe('100% of 3');
    expect(asked).not.toContain('/api/v1/metrics/traffic');
  });
});
