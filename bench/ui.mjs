// The web UI at ISP scale in headless Chromium: the Speed figures of issue #17.
//
// 1. Starts `ispmonitor demo --routers 500 --ports 36 --interval 60s` (500 simulated SNMP routers
//    with 36 physical ports each, plus the demo's RouterOS BNGs: about 20,000 interfaces), with its
//    30 days of history, which the demo builds at start from the simulator's model (status
//    changes of every router, PPPoE sessions, leases, and 5-minute/hourly series of the routers it
//    has budget for) and writes into its embedded PGlite. Nothing is cached between runs: each run
//    builds its own history, and the time it took is printed.
// 2. Each page opened cold (new browser context, median of 5) until usable: overview, router page
//    (interface charts drawn), topology (every router drawn), availability report; search
//    suggestions (typing to first hit); a range change on a router page (click to charts redrawn);
//    an acknowledgement seen by a second browser (click to change, pushed, no reload). Meanwhile
//    the server's event-loop delay (p99 over the whole browser phase, from its own /metrics).
// 3. The API requests each page made, replayed at 500 routers and again after adding routers
//    through the API up to 10,000: the 10,000-router figure must stay within 2× the 500 one.
//
// Pages that do not exist yet are reported as "not built yet". Not a test: it prints figures and,
// last, a BENCH_RESULT line for `npm run bench` (bench/run.mjs). BENCH_QUICK=1: 100 → 2,000 routers, 3 runs.
// BENCH_UI_ONLY=api: the API replay alone (each page opened once, untimed, to record its requests;
// no browser figures, no event-loop figure of the browser phase). While developing:
// BENCH_UI_PAGES=router,overview measures those pages only; BENCH_UI_BIG=0 skips the big fleet.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  build,
  lagWatch,
  loginCookie,
  replay,
  round,
  routerCount,
  seed,
  serveUi,
  startDemo,
} from './support/ui-demo.mjs';
import {
  ackSeen,
  CHROMIUM,
  chartsReady,
  coldLoad,
  launch,
  pageExists,
  rangeChange,
  searchSuggest,
} from './support/ui-pages.mjs';

const quick = process.env.BENCH_QUICK === '1';
const apiOnly = process.env.BENCH_UI_ONLY === 'api';
const ROUTERS = quick ? 100 : 500;
const PORTS = 36;
const BIG = process.env.BENCH_UI_BIG ? Number(process.env.BENCH_UI_BIG) : quick ? 2_000 : 10_000;
const PAGES = process.env.BENCH_UI_PAGES?.split(',');
const RUNS = quick ? 3 : 5;
/**
 * Replays of each page's API requests, median taken: their figures are a few milliseconds to a few
 * hundred, so a ratio of two medians of 5 moved by ±0.5 from run to run on this shared machine.
 */
const API_RUNS = quick ? 3 : 15;
const ROUTER = 'bey-core-1';
const GOALS = {
  overview_ms: 1000,
  search_suggestions_ms: 150,
  router_page_ms: 1000,
  range_change_ms: 500,
  topology_ms: 1500,
  report_ms: 2000,
  ack_other_browser_ms: 5000,
};

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package "chromium")`);

const overviewReady = (n) => {
  const v = document.querySelector('[data-stat="total"] .value')?.textContent?.replace(/\D/g, '');
  return v === String(n) && !!document.querySelector('[data-testid="alerts-by-severity"] > *');
};
const topologyReady = () => {
  const svg = document.querySelector('svg[data-testid="topology"], svg.topo');
  const drawn = svg?.querySelectorAll('.node, [data-site], [data-cluster]').length ?? 0;
  return !!svg && svg.dataset.state !== 'loading' && drawn > 0;
};
const reportReady = () => !!document.querySelector('main table tbody tr');
/** The router page with its health charts drawn too (they ask for their series after the interface charts). */
const routerAllReady = () =>
  document.querySelector('[data-testid="interface-charts"]')?.dataset.state === 'ready' &&
  !!document.querySelector('.chart[aria-label="CPU load"][data-points]');

console.log('building the UI and the server…');
build();
const args = ['--routers', String(ROUTERS), '--ports', String(PORTS), '--interval', '60s'];
if (!process.env.BENCH_UI_ATTACH)
  console.log(`starting: ispmonitor demo ${args.join(' ')} (with its 30 days of history)…`);
// BENCH_UI_ATTACH="API_URL METRICS_URL": measure a demo that is already running (while developing).
const attach = process.env.BENCH_UI_ATTACH?.split(/\s+/);
const demo = attach
  ? { api: attach[0], metrics: attach[1], history: 'of the running demo', startS: 0, child: { kill() {} } }
  : await startDemo(args);
console.log(`  up in ${round(demo.startS)} s; history ${demo.history}`);
// Stopped from outside (npm run bench's timeout, Ctrl+C): take the demo down too, then leave
// (Playwright's own SIGTERM handler would only close the browser and let the run go on).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    demo.child.kill('SIGTERM');
    process.exit(130);
  });
}
const ui = await serveUi(demo.api);
const browser = await launch();
const figures = {};
const notes = {};
const reference = {};
const ratios = {};
const goals = {};
/** Runs one measurement; a failure (no such control, page broken) is a finding, not a crash. */
const attempt = async (key, fn) => {
  try {
    return await fn();
  } catch (err) {
    figures[key] = `failed: ${err.message.split('\n')[0]}`;
    console.log(`  ${key}: ${figures[key]}`);
    return { ms: Number.NaN, requests: [], failed: true };
  }
};
const record = (key, ms) => {
  figures[key] = Number.isFinite(ms) ? round(ms) : 'not seen';
  if (GOALS[key]) goals[key] = `<= ${GOALS[key]}`;
  console.log(`  ${key}: ${figures[key]}${typeof figures[key] === 'number' ? ' ms' : ''}`);
};
try {
  const cookie = await loginCookie(demo.api);
  const n = await routerCount(demo.api, cookie);
  notes.history = demo.history;
  // One poll round (60 s) so every router has data, and the demo's staged problems have fired.
  console.log('waiting 100 s for a poll round and the staged alerts…');
  if (!attach) await new Promise((r) => setTimeout(r, quick ? 30_000 : 100_000));
  // Counted after the first poll round: before it, a router has reported no interface yet.
  const ports = (
    await (await fetch(`${demo.api}/api/v1/routers/${ROUTER}/interfaces`, { headers: { cookie } })).json()
  ).items?.length;
  notes.fleet = `${n} routers, ${ports} interfaces on ${ROUTER} (about ${(n * (ports ?? 0)).toLocaleString('en-US')} in all)`;
  console.log(`  ${notes.fleet}`);

  const lag = lagWatch(demo.metrics);
  await lag.start();
  const pages = {};
  console.log(`measuring at ${n} routers (median of ${RUNS} cold navigations)…`);
  const steps = [
    ['overview_ms', 'overview', () => coldLoad(browser, ui.url, cookie, '/', overviewReady, n, RUNS)],
    [
      'search_suggestions_ms',
      'search',
      () =>
        searchSuggest(
          browser,
          ui.url,
          cookie,
          ['bey-acc-1', 'rami.', 'sdn-acc-2', 'nadia.', '100.64.'].slice(0, RUNS),
        ),
    ],
    [
      'router_page_ms',
      'router',
      () => coldLoad(browser, ui.url, cookie, `/routers/${ROUTER}`, chartsReady, null, RUNS),
    ],
    [
      'router_page_with_health_ms',
      'router',
      () => coldLoad(browser, ui.url, cookie, `/routers/${ROUTER}`, routerAllReady, null, RUNS),
    ],
    ['range_change_ms', 'range', () => rangeChange(browser, ui.url, cookie, ROUTER, '30d', RUNS)],
    [
      'topology_ms',
      'topology',
      () => coldLoad(browser, ui.url, cookie, '/topology', topologyReady, null, RUNS),
    ],
    [
      'report_ms',
      'report',
      async () =>
        (await pageExists(browser, ui.url, cookie, '/reports', 'report|availability'))
          ? coldLoad(browser, ui.url, cookie, '/reports', reportReady, null, RUNS)
          : { notBuilt: true },
    ],
    ['ack_other_browser_ms', 'ack', () => ackSeen(browser, ui.url, cookie, RUNS)],
  ];
  // API only: each page opened once to record its requests; its time is not a figure.
  const record1 = {
    overview: () => coldLoad(browser, ui.url, cookie, '/', overviewReady, n, 1),
    search: () => searchSuggest(browser, ui.url, cookie, ['bey-acc-1']),
    router: () => coldLoad(browser, ui.url, cookie, `/routers/${ROUTER}`, chartsReady, null, 1),
    range: () => rangeChange(browser, ui.url, cookie, ROUTER, '30d', 1),
    topology: () => coldLoad(browser, ui.url, cookie, '/topology', topologyReady, null, 1),
    report: () => coldLoad(browser, ui.url, cookie, '/reports', reportReady, null, 1),
  };
  if (apiOnly) {
    for (const [page, fn] of Object.entries(record1)) {
      if (PAGES && !PAGES.includes(page)) continue;
      const res = await attempt(`requests_${page}`, fn);
      if (res.requests?.length) pages[page] = res.requests;
    }
  }
  for (const [key, page, fn] of apiOnly ? [] : steps) {
    if (PAGES && !PAGES.includes(page)) continue;
    const res = await attempt(key, fn);
    if (res.notBuilt) {
      figures[key] = 'not built yet';
      console.log(`  ${key}: not built yet`);
    } else if (!res.failed) record(key, res.ms);
    if (res.requests?.length) pages[page] = res.requests;
    if (res.samples !== undefined) notes.ack_samples = res.samples;
  }
  const lag500 = await lag.stop();
  if (!apiOnly) {
    figures.event_loop_lag_p99_ms = lag500.p99_ms;
    figures.event_loop_lag_max_ms = lag500.max_ms;
    goals.event_loop_lag_p99_ms = '<= 100';
    console.log(
      `  server event-loop lag over ${lag500.over_s} s: p99 ${lag500.p99_ms} ms, max ${lag500.max_ms} ms`,
    );
  }

  // The API behind the same pages: the requests each page made, all at once, as the page does.
  const replayAll = async (label) => {
    const out = {};
    // The machine's load beside the figures: a shared machine's figures say little without it.
    const load = loadavg().map((x) => x.toFixed(1));
    notes[`load_${label}`] = load.join(' ');
    console.log(`  load average ${load.join(', ')}`);
    for (const [page, paths] of Object.entries(pages)) {
      if (paths.length === 0) continue;
      out[page] = await replay(demo.api, cookie, paths, API_RUNS);
      console.log(
        `  ${label} ${page}: ${round(out[page])} ms (${paths.length} requests, median of ${API_RUNS})`,
      );
    }
    return out;
  };
  console.log(`API behind the pages at ${n} routers…`);
  const small = await replayAll(`api@${n}`);
  if (BIG <= n) {
    for (const [page, ms] of Object.entries(small)) figures[`api_${page}_ms_at_${n}`] = round(ms);
  } else {
    console.log(`adding routers through the API up to ${BIG}…`);
    const seeded = await seed(demo.api, cookie, BIG);
    console.log(`  added ${seeded.added} in ${Math.round(seeded.ms)} ms; 30 s to settle`);
    await new Promise((res) => setTimeout(res, 30_000));
    // The pages' own queries name the fleet size only in what they return, so the same paths apply.
    await lag.start();
    console.log(`API behind the pages at ${BIG} routers…`);
    const big = await replayAll(`api@${BIG}`);
    const lagBig = await lag.stop();
    for (const [page, ms] of Object.entries(big)) {
      figures[`api_${page}_ms_at_${BIG}`] = round(ms);
      reference[`api_${page}_ms_at_${BIG}`] = round(small[page]);
      ratios[`api_${page}_ms_at_${BIG}`] = round(ms / small[page]);
      goals[`api_${page}_x_at_${BIG}`] = '<= 2';
      ratios[`api_${page}_x_at_${BIG}`] = ratios[`api_${page}_ms_at_${BIG}`];
    }
    figures[`event_loop_lag_p99_ms_at_${BIG}`] = lagBig.p99_ms;
    console.log(
      `  server event-loop lag over ${lagBig.over_s} s at ${BIG}: p99 ${lagBig.p99_ms} ms, max ${lagBig.max_ms} ms`,
    );
  }
  console.log(`BENCH_RESULT ${JSON.stringify({ name: 'ui', figures, reference, ratios, goals, notes })}`);
} finally {
  await browser.close();
  await ui.close();
  demo.child.kill('SIGTERM');
}
