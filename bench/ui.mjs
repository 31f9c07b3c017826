// The web UI with 10,000 routers in headless Chromium: first load of the overview and of the
// routers page (navigation to rendered content, cold cache), and the time to render a router's
// 24 h interface charts after picking the range. Reference: the same figures with the demo's own
// routers (a dozen) on this machine, so the ratios say what 10,000 routers cost.
//
// Starts the demo (`examples/server/dist/cli.js demo`, simulated SNMP routers) on free ports, adds
// routers through the API until there are 10,000 (interval 1 h, unreachable loopback address, so
// they add rows without adding load), builds the UI with Vite and drives Debian's /usr/bin/chromium
// with playwright-core. Not a test: it prints figures and a BENCH_RESULT line, last.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const TOTAL = quick ? 2_000 : 10_000;
const RUNS = quick ? 3 : 5;
const CHROMIUM = '/usr/bin/chromium';
const dist = join(root, 'examples/server/ui/dist');
const LOGIN = { username: 'admin', password: 'ispmonitor-demo' };

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package "chromium")`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const round = (x) => Math.round(x * 10) / 10;

console.log('building the UI and the server…');
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules/vite/bin/vite.js'),
    'build',
    '--config',
    join(root, 'examples/server/ui/vite.config.ts'),
  ],
  {
    cwd: root,
    stdio: 'ignore',
  },
);
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'examples/server'], {
    cwd: root,
    stdio: 'inherit',
  });
} catch (err) {
  // Someone's work in progress may not type-check; the last good build still runs the demo.
  if (!existsSync(join(root, 'examples/server/dist/cli.js'))) throw err;
  console.log('  type errors in the workspace: using the existing examples/server/dist');
}

/** Starts the demo on free ports; resolves with its API URL once it prints it. */
function startDemo() {
  const child = spawn(
    process.execPath,
    [join(root, 'examples/server/dist/cli.js'), 'demo', '--api-port', '0', '--metrics-port', '0'],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not print its API URL:\n${out}`)), 120_000);
    const onData = (d) => {
      out += d;
      const m = out.match(/API\s+(http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, api: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`the demo exited (${code}):\n${out}`)));
  });
}

/** The UI's files plus the API behind one origin, when the server does not serve the UI itself. */
async function serveUi(apiUrl) {
  const page = await fetch(`${apiUrl}/`, { headers: { accept: 'text/html' } })
    .then((r) => r.text())
    .catch(() => '');
  if (page.includes('id="app"')) return { url: apiUrl, close: async () => {} };
  const api = new URL(apiUrl);
  const types = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.svg': 'image/svg+xml',
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (/^\/(api\/|health|ready|live)/.test(path)) {
      const up = request(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.end());
      res.on('close', () => up.destroy());
      req.pipe(up);
      return;
    }
    const file = normalize(join(dist, path));
    const found = file.startsWith(dist) && existsSync(file) && statSync(file).isFile();
    const target = found ? file : join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(target)] ?? 'application/octet-stream' });
    res.end(readFileSync(target));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

async function loginCookie(api) {
  const res = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(LOGIN),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return res.headers.get('set-cookie').split(';')[0];
}

/** Adds routers through the API until there are `total`, 50 requests in flight. */
async function seed(api, cookie, total) {
  const have = (await (await fetch(`${api}/api/v1/routers?pageSize=1`, { headers: { cookie } })).json())
    .total;
  const sites = ['BEY', 'TRP', 'SDN', 'ZHL', 'TYR', 'BAA', 'JBL', 'NBT'];
  let next = 0;
  const count = total - have;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const id = `bench-${String(i).padStart(5, '0')}`;
      const res = await fetch(`${api}/api/v1/routers`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          name: id.toUpperCase(),
          host: `127.0.${1 + ((i >> 8) % 250)}.${1 + (i % 250)}`,
          port: 9,
          driver: 'snmp',
          interval: '1h',
          labels: { site: sites[i % sites.length], role: i % 20 === 0 ? 'distribution' : 'access' },
          snmp: { version: '2c', community: 'bench' },
        }),
      });
      if (res.status !== 201) throw new Error(`adding ${id}: ${res.status} ${await res.text()}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 50 }, worker));
  console.log(`  added ${count} routers in ${Math.round(performance.now() - t0)} ms`);
}

/** Milliseconds from navigation start until `ready()` holds in the page (cold cache each time). */
async function firstLoad(browser, base, cookie, path, ready, arg) {
  const [name, value] = cookie.split('=');
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await ctx.addCookies([{ name, value, url: base }]);
    const page = await ctx.newPage();
    await page.goto(`${base}${path}`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(ready, arg, { polling: 'raf', timeout: 60_000 });
    times.push(await handle.jsonValue());
    if (i === RUNS - 1) {
      // Where the time went on the last run: the slowest API requests before content showed.
      const slow = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/'))
          .sort((a, b) => b.duration - a.duration)
          .slice(0, 4)
          .map(
            (e) =>
              `${new URL(e.name).pathname}${new URL(e.name).search} ${Math.round(e.duration)} ms (at ${Math.round(e.startTime)})`,
          ),
      );
      console.log(`  ${path}: slowest requests: ${slow.join('; ')}`);
    }
    await ctx.close();
    // Requests the closed page left behind (sparklines, figures) finish before the next run.
    await new Promise((r) => setTimeout(r, 1500));
  }
  return times;
}

const overviewReady = (n) => {
  const v = document.querySelector('[data-stat="total"] .value')?.textContent;
  return v === n && document.querySelector('[data-testid="alerts-by-severity"] .stat')
    ? performance.now()
    : false;
};
/** Rows on screen (the first page of routers, sorted), with the total known. */
const routersRows = (n) => {
  const c = document.querySelector('[data-testid="router-count"]')?.textContent ?? '';
  return c.includes(n) && document.querySelector('.vt-row') ? performance.now() : false;
};
/** Every router loaded: the whole table searchable and sortable. */
const routersAll = (n) => {
  const c = document.querySelector('[data-testid="router-count"]')?.textContent ?? '';
  return c.startsWith(n) && document.querySelector('.vt-row') ? performance.now() : false;
};

/** Time from picking "24h" on a router page until every interface chart has its data. */
async function chartRender(browser, base, cookie, router) {
  const [name, value] = cookie.split('=');
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await ctx.addCookies([{ name, value, url: base }]);
  const page = await ctx.newPage();
  const times = [];
  let charts = 0;
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${base}/routers/${router}?range=1h`);
    await page.waitForSelector('[data-testid="interface-charts"][data-state="ready"]', { timeout: 60_000 });
    await page.evaluate(() => {
      window.__t0 = performance.now();
      [...document.querySelectorAll('.seg button')].find((b) => b.textContent === '24h').click();
    });
    const h = await page.waitForFunction(
      () => {
        const g = document.querySelector('[data-testid="interface-charts"]');
        return g?.dataset.state === 'ready' ? performance.now() - window.__t0 : false;
      },
      null,
      { polling: 'raf', timeout: 60_000 },
    );
    times.push(await h.jsonValue());
    charts = await page.locator('[data-testid="interface-charts"] .chart').count();
  }
  await ctx.close();
  return { times, charts };
}

const { child, api } = await startDemo();
const ui = await serveUi(api);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const cookie = await loginCookie(api);
  // Let the demo poll a few times so charts have points.
  await new Promise((r) => setTimeout(r, quick ? 15_000 : 30_000));
  const measure = async (n) => {
    const label = n.toLocaleString('en-US');
    const overview = await firstLoad(browser, ui.url, cookie, '/', overviewReady, label);
    const routers = await firstLoad(browser, ui.url, cookie, '/routers', routersRows, label);
    const routersFull = await firstLoad(browser, ui.url, cookie, '/routers', routersAll, label);
    const charts = await chartRender(browser, ui.url, cookie, 'bey-core-1');
    return {
      overview: median(overview),
      routers: median(routers),
      routersFull: median(routersFull),
      charts: median(charts.times),
      chartCount: charts.charts,
    };
  };
  const demoSize = (await (await fetch(`${api}/api/v1/routers?pageSize=1`, { headers: { cookie } })).json())
    .total;
  console.log(`measuring with the demo fleet (${demoSize} routers)…`);
  const small = await measure(demoSize);
  console.log(`  ${JSON.stringify(small)}`);
  console.log(`adding routers up to ${TOTAL}…`);
  await seed(api, cookie, TOTAL);
  console.log(`measuring with ${TOTAL} routers…`);
  const big = await measure(TOTAL);
  console.log(`  ${JSON.stringify(big)}`);

  const figures = {
    routers: TOTAL,
    overview_first_load_ms: round(big.overview),
    routers_first_load_ms: round(big.routers),
    routers_all_loaded_ms: round(big.routersFull),
    router_24h_interface_charts_ms: round(big.charts),
    interface_charts_drawn: big.chartCount,
  };
  const reference = {
    routers: demoSize,
    overview_first_load_ms: round(small.overview),
    routers_first_load_ms: round(small.routers),
    routers_all_loaded_ms: round(small.routersFull),
    router_24h_interface_charts_ms: round(small.charts),
  };
  const ratios = {
    overview_vs_demo: round(big.overview / small.overview),
    routers_vs_demo: round(big.routers / small.routers),
    routers_all_vs_demo: round(big.routersFull / small.routersFull),
    charts_vs_demo: round(big.charts / small.charts),
  };
  const goals = {
    overview_first_load_ms: '<= 1000',
    routers_first_load_ms: '<= 1000',
    router_24h_interface_charts_ms: '<= 300',
  };
  console.log(`BENCH_RESULT ${JSON.stringify({ name: 'ui', figures, reference, ratios, goals })}`);
} finally {
  await browser.close();
  await ui.close();
  child.kill('SIGTERM');
}
