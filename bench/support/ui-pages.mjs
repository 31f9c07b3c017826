// The browser side of the UI benchmark: each page opened cold (a new browser context: no cache,
// no cookies but the session) and timed from navigation start to "usable" as the page itself
// shows it, plus search suggestions, a range change, and an acknowledgement seen by a second
// browser. Each measurement also notes the API requests the page made, for the API replay.
import { CHROMIUM, launchChromium } from '../../test/support/chromium.mjs';
import { median } from './ui-demo.mjs';

export { CHROMIUM };

const VIEW = { width: 1440, height: 900 };
/** How long one measurement may take before it counts as "not seen". */
const LIMIT_MS = 20_000;

/** Headless Chromium, launched as the browser tests launch it. */
export const launch = launchChromium;

async function context(browser, base, cookie) {
  const [name, value] = cookie.split('=');
  // The server's CSP forbids eval; the probes below are evaluated in the page, so bypass it.
  const ctx = await browser.newContext({ viewport: VIEW, bypassCSP: true });
  await ctx.addCookies([{ name, value, url: base }]);
  return ctx;
}

/** The API requests the page made so far (path and query), the event stream left out. */
const apiRequests = (page) =>
  page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name))
      .filter((u) => u.pathname.startsWith('/api/') && !u.pathname.startsWith('/api/v1/events'))
      .map((u) => `${u.pathname}${u.search}`),
  );

/**
 * Cold navigations to `path`: milliseconds from navigation start until `ready(arg)` (run in the
 * page on every frame) returns true. Median of `runs`, and the API requests of the last run.
 */
export async function coldLoad(browser, base, cookie, path, ready, arg, runs) {
  const times = [];
  let requests = [];
  for (let i = 0; i < runs; i++) {
    const ctx = await context(browser, base, cookie);
    const page = await ctx.newPage();
    await page.goto(`${base}${path}`, { waitUntil: 'commit' });
    const probe = `(${ready})(${JSON.stringify(arg)}) ? performance.now() : false`;
    const handle = await page
      .waitForFunction(probe, null, { polling: 'raf', timeout: LIMIT_MS })
      .catch(() => null);
    times.push(handle ? await handle.jsonValue() : Number.POSITIVE_INFINITY);
    if (i === runs - 1) requests = await apiRequests(page);
    await ctx.close();
    // Requests the closed page left behind finish before the next run.
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { ms: median(times), requests: [...new Set(requests)] };
}

/** Whether `path` shows a page of its own (not the 404 page, not the overview as a fallback). */
export async function pageExists(browser, base, cookie, path, marker) {
  const ctx = await context(browser, base, cookie);
  const page = await ctx.newPage();
  await page.goto(`${base}${path}`);
  await page.waitForSelector('.shell', { timeout: LIMIT_MS }).catch(() => {});
  await page.waitForTimeout(1500);
  const ok = await page.evaluate((re) => new RegExp(re, 'i').test(document.title), marker);
  await ctx.close();
  return ok;
}

/**
 * Search suggestions: on a loaded overview, the time from typing the query (value set, input
 * event) until the first hit is in the list. One query per run, each different (no cache hit).
 */
export async function searchSuggest(browser, base, cookie, queries) {
  const ctx = await context(browser, base, cookie);
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.waitForSelector('.search input', { timeout: LIMIT_MS });
  const times = [];
  for (const q of queries) {
    await page.fill('.search input', '');
    await page.waitForFunction(() => !document.querySelector('.search-hit'), null, { timeout: LIMIT_MS });
    await page.evaluate((text) => {
      const input = document.querySelector('.search input');
      input.focus();
      input.value = text;
      window.__t0 = performance.now();
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, q);
    const h = await page
      .waitForFunction(
        () => (document.querySelector('.search-hit') ? performance.now() - window.__t0 : false),
        null,
        {
          polling: 'raf',
          timeout: LIMIT_MS,
        },
      )
      .catch(() => null);
    times.push(h ? await h.jsonValue() : Number.POSITIVE_INFINITY);
  }
  const requests = (await apiRequests(page)).filter((p) => p.startsWith('/api/v1/search'));
  await ctx.close();
  return { ms: median(times), requests: requests.slice(-1) };
}

/** Whether the router page's interface charts say they are drawn. */
export const chartsReady = () =>
  document.querySelector('[data-testid="interface-charts"]')?.dataset.state === 'ready';

/**
 * Range change on a router page: the time from clicking the `label` preset until the interface
 * charts are drawn again, median of `runs` (alternating with 24h so each click changes the range).
 */
export async function rangeChange(browser, base, cookie, router, label, runs) {
  const ctx = await context(browser, base, cookie);
  const page = await ctx.newPage();
  const times = [];
  let requests = [];
  for (let i = 0; i < runs; i++) {
    await page.goto(`${base}/routers/${router}?range=24h`);
    const drawn = await page.waitForFunction(chartsReady, null, { timeout: LIMIT_MS }).catch(() => null);
    if (!drawn) {
      times.push(Number.POSITIVE_INFINITY);
      continue;
    }
    const before = (await apiRequests(page)).length;
    // From the click on, the first moment the charts are drawn for the new range (a mutation
    // observer, so a state that never leaves "ready" in between cannot be mistaken for done).
    const clicked = await page.evaluate(`(() => {
      const text = ${JSON.stringify(label)};
      const isReady = ${chartsReady.toString()};
      const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.replace(/\\s/g, '') === text);
      if (!b) return false;
      window.__done = undefined;
      const t0 = performance.now();
      const obs = new MutationObserver(() => {
        if (window.__done === undefined && isReady() && location.search.includes(text)) {
          window.__done = performance.now() - t0;
          obs.disconnect();
        }
      });
      obs.observe(document.body, { subtree: true, childList: true, attributes: true });
      b.click();
      return true;
    })()`);
    if (!clicked) throw new Error(`no "${label}" range button on the router page`);
    const h = await page
      .waitForFunction(() => window.__done ?? false, null, { polling: 'raf', timeout: LIMIT_MS })
      .catch(() => null);
    times.push(h ? await h.jsonValue() : Number.POSITIVE_INFINITY);
    if (i === runs - 1) requests = (await apiRequests(page)).slice(before);
  }
  await ctx.close();
  return { ms: median(times), requests: [...new Set(requests)] };
}

/**
 * An acknowledgement seen by a second browser: two sessions on /alerts; the first clicks
 * Acknowledge on a firing alert, the second must show that alert as acknowledged without a
 * reload. Milliseconds (wall clock, one machine) from the click to the change; up to `runs` alerts.
 */
export async function ackSeen(browser, base, cookie, runs) {
  const a = await context(browser, base, cookie);
  const b = await context(browser, base, cookie);
  const pa = await a.newPage();
  const pb = await b.newPage();
  const times = [];
  try {
    for (const p of [pa, pb]) {
      await p.goto(`${base}/alerts`);
      await p.waitForSelector('tr[data-alert]', { timeout: 120_000 });
    }
    for (let i = 0; i < runs; i++) {
      const row = pa.locator('tr[data-alert]:has(button:text-is("Acknowledge"))').first();
      if ((await row.count()) === 0) break;
      const fp = await row.getAttribute('data-alert');
      // Acknowledged in the second browser: the row no longer offers Acknowledge, or says so.
      const seen = pb.waitForFunction(
        (f) => {
          const r = document.querySelector(`tr[data-alert="${CSS.escape(f)}"]`);
          if (!r) return false;
          if (r.dataset.acked === 'true') return Date.now();
          const btn = [...r.querySelectorAll('button')].some((x) => x.textContent?.trim() === 'Acknowledge');
          return !btn || /acknowledged by|acked by|by admin/i.test(r.textContent ?? '') ? Date.now() : false;
        },
        fp,
        { polling: 'raf', timeout: LIMIT_MS },
      );
      const t0 = Date.now();
      await row.locator('button:text-is("Acknowledge")').click();
      // A note dialog, if the page asks for one: confirm it empty.
      const confirm = pa.locator('dialog[open] button[type="submit"], dialog[open] button.primary').first();
      if (await confirm.isVisible().catch(() => false)) await confirm.click();
      const h = await seen.catch(() => null);
      times.push(h ? (await h.jsonValue()) - t0 : Number.POSITIVE_INFINITY);
    }
  } finally {
    await a.close();
    await b.close();
  }
  return { ms: median(times), samples: times.length };
}
