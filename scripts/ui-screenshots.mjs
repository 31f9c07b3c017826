// The screenshots in docs/img/: the web UI at 1440×900 in headless Chromium (light theme, and the
// overview in dark), taken from a running demo.
//
//   node examples/server/dist/cli.js demo --routers 500 --api-port 18180 --metrics-port 18181 &
//   node scripts/ui-screenshots.mjs http://127.0.0.1:18180
//
// Wait for the demo's staged problems (about two minutes after it prints its URL) so the alerts
// and the topology have something to show. Pages that do not exist yet are skipped, saying so.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const only = process.argv.slice(3);
const out = fileURLToPath(new URL('../docs/img/', import.meta.url));
const ROUTER = process.env.SHOT_ROUTER ?? 'bey-core-1';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

async function session(colorScheme) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
  // The theme button remembers a choice; a fresh context follows the system's scheme.
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.fill('#login-user', 'admin');
  await page.fill('#login-pass', process.env.SHOT_PASSWORD ?? 'ispmonitor-demo');
  await page.press('#login-pass', 'Enter');
  await page.waitForSelector('.shell');
  return { ctx, page };
}

/** A subscriber online now, found the way a help desk would: searching a first name. */
async function someSubscriber(page) {
  const r = await page.evaluate(async () => (await fetch('/api/v1/search?q=rami.&limit=20')).json());
  return r.hits?.find((h) => h.kind === 'subscriber' && h.active)?.user;
}

/** Saves the page as it is on screen (flat UI colours: Chromium's PNGs stay well under 300 kB). */
async function save(page, name) {
  const file = join(out, `${name}.png`);
  await page.screenshot({ path: file });
  const kB = Math.round(statSync(file).size / 1024);
  console.log(`${name}.png ${kB} kB${kB >= 300 ? ' — over 300 kB' : ''}`);
}

/** Waits (up to 90 s: a busy server is slow) until nothing in the page says "Loading…". */
const settled = (page) =>
  page
    .waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading…'), null, {
      timeout: 90_000,
    })
    .catch(() => console.log(`${page.url()}: still loading after 90 s`));

/** Clicks the button whose text is `label`, if there is one. */
const press = (page, label) =>
  page.evaluate((text) => {
    const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.trim() === text);
    b?.click();
    return !!b;
  }, label);

const shots = {
  async overview(page) {
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-stat="total"] .value');
    // Live, and the busiest links and the PPPoE chart loaded (a busy server takes a while).
    await page
      .waitForFunction(
        () =>
          document.querySelector('[data-testid="live"]')?.textContent === 'Live' &&
          !document.querySelector('[data-testid="busiest-links"]')?.textContent?.includes('Loading'),
        null,
        { timeout: 90_000 },
      )
      .catch(() => console.log('overview: not every card loaded'));
    await settled(page);
    await page.waitForTimeout(2000);
  },
  async router(page) {
    await page.goto(`${base}/routers/${ROUTER}?range=7d`);
    await page
      .waitForSelector('[data-testid="interface-charts"][data-state="ready"]', { timeout: 30_000 })
      .catch(() => {});
    await page.waitForTimeout(2000);
  },
  async subscriber(page) {
    const user = await someSubscriber(page);
    if (!user) return false;
    await page.goto(`${base}/subscribers/${encodeURIComponent(user)}`);
    await page.waitForSelector('[data-testid=subscriber]', { timeout: 30_000 });
    await settled(page);
  },
  async 'topology-graph'(page) {
    await page.goto(`${base}/topology`);
    await page.waitForSelector('svg[data-testid="topology"][data-state="ready"]', { timeout: 120_000 });
    await press(page, 'Graph');
    await page.waitForTimeout(5000);
  },
  async 'topology-geographic'(page) {
    await page.goto(`${base}/topology`);
    await page.waitForSelector('svg[data-testid="topology"][data-state="ready"]', { timeout: 120_000 });
    await press(page, 'Geographic');
    await page.waitForTimeout(5000);
  },
  async alerts(page) {
    await page.goto(`${base}/alerts`);
    await page.waitForSelector('tr[data-alert]', { timeout: 90_000 }).catch(() => {});
    await page.waitForTimeout(1500);
  },
  async report(page) {
    await page.goto(`${base}/reports`);
    await page.waitForTimeout(1500);
    if (!/report|availability/i.test(await page.title())) return false;
    await page.waitForSelector('main table tbody tr', { timeout: 90_000 }).catch(() => {});
    await page.waitForTimeout(1500);
  },
};

try {
  const light = await session('light');
  for (const [name, take] of Object.entries(shots)) {
    if (only.length > 0 && !only.includes(name)) continue;
    if ((await take(light.page)) === false) console.log(`${name}: not built yet (skipped)`);
    else await save(light.page, `ui-${name}`);
  }
  if (only.length === 0 || only.includes('dark')) {
    const dark = await session('dark');
    await shots.overview(dark.page);
    await save(dark.page, 'ui-overview-dark');
  }
} finally {
  await browser.close();
}
