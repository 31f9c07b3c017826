// Benchmark of subscriber search and history (issue 16) through the postgres plugin's store — the
// API the server calls (imports the BUILT package: `npx tsc -b packages/plugin-postgres` first).
// Not a test: it prints figures and, as its last line, `BENCH_RESULT {json}`.
//
// 1. PostgreSQL 15: 10,000 routers, 500,000 concurrent PPPoE subscribers, 2 % churn an hour,
//    30 days of history (7.7 M sessions, 240,000 interfaces), built once with set-based SQL into
//    the plugin's own schema and cached under .cache/bench/ (bench/subscribers/dataset.mjs).
//    - search: a mix of user exact and prefix, MAC in every notation (whole, and an OUI prefix),
//      IP exact, textual prefix and CIDR — p50/p95/p99 over SEARCHES queries after a warm-up;
//    - a subscriber's 30-day history (`subscriberSessions` over 30 days) and summary (`subscriber`);
//    - reference: one indexed probe of the same table (`SELECT … WHERE lower(username) = $1
//      LIMIT 1`) through the same pool: the floor any search pays (a round trip and an index probe).
// 2. PGlite: 500 routers, 25,000 subscribers, the same mix (cached PGlite folder).
// BENCH_QUICK=1: 1,000 routers / 50,000 subscribers on PostgreSQL (its own cache).
import { fileURLToPath } from 'node:url';
import { createMonitor } from '@ispmonitor/core';
import { openPg, postgres, postgresStore } from '@ispmonitor/plugin-postgres';
import { shiftedClock } from './postgres/query.mjs';
import { cachedPg, cachedPglite, model } from './subscribers/dataset.mjs';
import { silent } from './support/silent.mjs';

const quick = process.env.BENCH_QUICK === '1';
const CACHE = fileURLToPath(new URL('../.cache/bench/', import.meta.url));
const PG = quick ? { routers: 1_000, subscribers: 50_000 } : { routers: 10_000, subscribers: 500_000 };
const LITE = { routers: 500, subscribers: 25_000 };
const SEARCHES = quick ? 300 : 1_000;
const HISTORIES = quick ? 200 : 500;
const WARMUP = 50;
const DAY = 86_400_000;
const log = (m) => console.error(m);

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const r2 = (x) => +x.toFixed(2);
const stats = (xs) => ({
  p50_ms: r2(pct(xs, 0.5)),
  p95_ms: r2(pct(xs, 0.95)),
  p99_ms: r2(pct(xs, 0.99)),
  max_ms: r2(Math.max(...xs)),
});

/** A deterministic pseudo-random sequence. */
function rng(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const NOTATIONS = [
  (h) => h.match(/../g).join(':').toUpperCase(),
  (h) => h.match(/../g).join('-'),
  (h) => h.match(/..../g).join('.'),
  (h) => h,
];

/** The query mix: [kind, text] pairs for subscribers that exist in a dataset of `subscribers`. */
function searchMix(n, subscribers, seed = 7) {
  const rand = rng(seed);
  const out = [];
  for (let q = 0; q < n; q++) {
    const i = Math.floor(rand() * subscribers);
    const user = model.user(i);
    const hex = model.macHex(i);
    const ip = model.address(i, model.past(i));
    const [a, b, c] = ip.split('.');
    const kinds = [
      ['user exact', user],
      ['user prefix', user.slice(0, 6)],
      ['user prefix', user.slice(0, 7)],
      ['mac', NOTATIONS[q % 4](hex)],
      ['mac prefix', hex.slice(0, 6).match(/../g).join(':')],
      ['ip exact', ip],
      ['ip prefix', `${a}.${b}.${c}.`],
      ['ip cidr', `${a}.${b}.0.0/16`],
    ];
    out.push(kinds[q % kinds.length]);
  }
  return out;
}

async function measure(store, meta, { searches, histories }) {
  const mix = searchMix(searches + WARMUP, meta.subscribers);
  const byKind = {};
  const all = [];
  let empty = 0;
  for (const [idx, [kind, q]] of mix.entries()) {
    const t = performance.now();
    const hits = await store.search(q, { limit: 20 });
    const ms = performance.now() - t;
    if (idx < WARMUP) continue;
    if (hits.length === 0) empty++;
    all.push(ms);
    byKind[kind] = [...(byKind[kind] ?? []), ms];
  }
  const rand = rng(11);
  const history = [];
  const summary = [];
  let sessions = 0;
  for (let k = 0; k < histories + WARMUP; k++) {
    const user = model.user(Math.floor(rand() * meta.subscribers));
    let t = performance.now();
    const page = await store.subscriberSessions(user, {
      from: meta.end - 30 * DAY,
      to: meta.end,
      limit: 100,
    });
    const h = performance.now() - t;
    t = performance.now();
    await store.subscriber(user);
    const s = performance.now() - t;
    if (k < WARMUP) continue;
    sessions += page.items.length;
    history.push(h);
    summary.push(s);
  }
  return {
    search: stats(all),
    search_by_kind: Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, stats(xs)])),
    search_empty_results: empty,
    history: stats(history),
    history_sessions_per_user: r2(sessions / histories),
    summary: stats(summary),
  };
}

async function openMonitor(pluginOptions, end) {
  const monitor = await createMonitor({
    plugins: [postgres({ ...pluginOptions, maintenance: { interval: '1d' }, rollups: { enabled: false } })],
    logger: silent,
    clock: shiftedClock(end + 60_000),
  });
  await monitor.start();
  return { monitor, store: monitor.resolve(postgresStore) };
}

const figures = {};
const reference = {};
{
  // --- 1. PostgreSQL ---------------------------------------------------------------------------
  const ds = await cachedPg(CACHE, PG, log);
  try {
    const m = await openMonitor({ url: ds.url, pool: { max: 10 } }, ds.meta.end);
    try {
      const r = await measure(m.store, ds.meta, { searches: SEARCHES, histories: HISTORIES });
      figures.pg = { routers: PG.routers, subscribers: PG.subscribers, ...r };
    } finally {
      await m.monitor.stop();
    }
    const db = await openPg({ url: ds.url, max: 2 });
    try {
      const rand = rng(5);
      const probe = [];
      for (let k = 0; k < SEARCHES + WARMUP; k++) {
        const user = model.user(Math.floor(rand() * PG.subscribers));
        const t = performance.now();
        await db.query('SELECT id FROM ispm_pppoe_sessions WHERE lower(username) = $1 LIMIT 1', [user]);
        if (k >= WARMUP) probe.push(performance.now() - t);
      }
      reference.pg_index_probe = stats(probe);
      const size = await db.query(
        `SELECT count(*)::float8 AS sessions, count(*) FILTER (WHERE ended_at IS NULL)::float8 AS active,
                pg_total_relation_size('ispm_interfaces')::float8 AS iface_bytes FROM ispm_pppoe_sessions`,
      );
      figures.pg_dataset = {
        sessions: size.rows[0].sessions,
        active: size.rows[0].active,
        cached: !ds.built,
        built_at: ds.meta.builtAt,
        build_s: ds.meta.buildS,
        gib_on_disk: +(ds.meta.bytes / 2 ** 30).toFixed(2),
      };
    } finally {
      await db.close();
    }
  } finally {
    await ds.server.stop();
  }

  // --- 2. PGlite ---------------------------------------------------------------------------------
  const lite = await cachedPglite(CACHE, LITE, log);
  const m = await openMonitor({ dataDir: lite.dataDir }, lite.meta.end);
  try {
    const r = await measure(m.store, lite.meta, { searches: quick ? 200 : 500, histories: 200 });
    figures.pglite = {
      routers: LITE.routers,
      subscribers: LITE.subscribers,
      cached: !lite.built,
      build_s: lite.meta.buildS,
      ...r,
    };
  } finally {
    await m.monitor.stop();
  }
}

figures.search_p99_ms = figures.pg.search.p99_ms;
figures.history_p99_ms = figures.pg.history.p99_ms;
figures.pglite_search_p99_ms = figures.pglite.search.p99_ms;
const ratios = {
  search_p99_vs_index_probe: r2(figures.search_p99_ms / reference.pg_index_probe.p99_ms),
  search_p50_vs_index_probe: r2(figures.pg.search.p50_ms / reference.pg_index_probe.p50_ms),
};
const goals = { search_p99_ms: '<= 50', history_p99_ms: '<= 50', pglite_search_p99_ms: '<= 50' };

console.log('\n| figure | value |\n|---|---|');
for (const [k, v] of Object.entries({ ...figures, ...reference, ...ratios }))
  console.log(`| ${k} | ${typeof v === 'object' ? JSON.stringify(v) : v} |`);
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'subscribers', figures, reference, ratios, goals })}`);
