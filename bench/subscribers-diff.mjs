// Benchmark of the subscriber recorder (plugin-postgres, issue 16). Imports the BUILT package:
// run `npx tsc -b packages/plugin-postgres` first. Not a test: it prints figures and, as its last
// line, `BENCH_RESULT {json}`.
//
// 1. One BNG with 8,000 active PPPoE sessions: CPU of one poll's diff in the recorder (in memory:
//    parse, match, byte counters), for a poll that changes nothing and for one where 2 % of the
//    sessions were replaced. Goal: <= 20 ms for the mean (all measured calls over the polls: a
//    call that pays for a garbage collection counts in full); median and p95 are printed too.
// 2. Churn of 500,000 subscribers at 2 % per hour across 10,000 routers (50 sessions each, one poll
//    a minute), recorded into a PostgreSQL 15 it starts itself: every poll diffed, flushes every 2 s
//    of simulated time, checkpoints every 15 minutes. The CPU this process spends in the recorder
//    (diffs, flushes: building the arrays, node-postgres encoding and decoding) over N simulated
//    minutes, divided by N minutes of wall time = the cores a poller needs. Goal: <= 0.05.
import { cpuUsage } from 'node:process';
import { Registry } from 'prom-client';
import { openPg } from '../packages/plugin-postgres/dist/db/pg.js';
import { applyMigrations } from '../packages/plugin-postgres/dist/schema/migrate.js';
import { SubscriberRecorder } from '../packages/plugin-postgres/dist/subscribers/record.js';
import { createRecorderMetrics } from '../packages/plugin-postgres/dist/subscribers/record-metrics.js';
import { benchDatabase } from './support/pg-server.mjs';
import { silent } from './support/silent.mjs';

const quick = process.env.BENCH_QUICK === '1';
const log = (m) => console.error(m);
const MIN = 60_000;
const T0 = Date.UTC(2030, 0, 7);
const cpuMs = (since) => {
  const d = cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let serial = 0;
/** A session as plugin-mikrotik reports it. */
function session(_router, ts) {
  const n = ++serial;
  const hex = n.toString(16).padStart(12, '0');
  return {
    id: `*${n.toString(16)}`,
    user: `sub-${n}`,
    callerId: hex.replace(/(..)(?!$)/g, '$1:'),
    address: `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`,
    service: 'pppoe-bng',
    interface: `<pppoe-sub-${n}>`,
    uptimeSeconds: 0,
    bytesIn: 0,
    bytesOut: 0,
    started: ts,
  };
}
/** The same list a minute later (new objects): uptimes and counters moved on, `churn` sessions replaced. */
function advance(list, router, ts, churn) {
  for (let i = 0; i < churn; i++) list[Math.floor(Math.random() * list.length)] = session(router, ts);
  // Fresh strings each poll, as a driver decoding the wire makes them (shared ones would flatter the diff).
  const fresh = (v) => ` ${v}`.slice(1);
  return list.map((s) => ({
    ...s,
    id: fresh(s.id),
    user: fresh(s.user),
    callerId: fresh(s.callerId),
    address: fresh(s.address),
    service: fresh(s.service),
    interface: fresh(s.interface),
    uptimeSeconds: Math.round((ts - s.started) / 1000),
    bytesIn: s.bytesIn + 1_000_000,
    bytesOut: s.bytesOut + 8_000_000,
  }));
}

function recorderOn(db, now) {
  const registry = new Registry();
  const r = new SubscriberRecorder(
    () => db,
    { reconnectWindowMs: 5 * MIN, checkpointMs: 15 * MIN, maxPending: 5_000_000 },
    createRecorderMetrics(registry, () => r.pending),
    silent,
    now,
  );
  return r;
}

const figures = {};
const server = await benchDatabase();
if (!server) throw new Error('PostgreSQL 15 is needed (Debian package postgresql)');
try {
  const url = server.url;
  const db = await openPg({ url, max: 4 });
  await applyMigrations(db);

  // --- 1. one BNG, 8,000 sessions ----------------------------------------------------------------
  {
    let t = T0;
    const rec = recorderOn(db, () => t);
    const bng = { id: 'bench-bng', host: '127.0.0.1', driver: 'mikrotik', interval: '1m' };
    let list = Array.from({ length: 8000 }, () => session(bng.id, t));
    rec.facts(bng, { pppoeSessions: list }, t);
    await rec.flush(); // loads the router (none stored yet) and diffs this first poll
    // The first poll after a load parses every row in full (a start, a hand-over): measured apart.
    t += MIN;
    list = advance(list, bng.id, t, 0);
    const c0 = cpuUsage();
    const other = recorderOn(db, () => t);
    other.facts(bng, { pppoeSessions: list }, t);
    await other.flush();
    figures.bng8000_first_poll_after_load_ms = Number(cpuMs(c0).toFixed(2));
    const still = [];
    const churned = [];
    for (let i = 0; i < (quick ? 10 : 30); i++) {
      t += MIN;
      const next = advance(list, bng.id, t, 0);
      let c = cpuUsage();
      rec.facts(bng, { pppoeSessions: next }, t);
      still.push(cpuMs(c));
      await rec.flush();
      t += MIN;
      list = advance(next, bng.id, t, 160); // 2 % of 8,000
      c = cpuUsage();
      rec.facts(bng, { pppoeSessions: list }, t);
      churned.push(cpuMs(c));
      await rec.flush();
    }
    figures.bng8000_diff_ms_unchanged = Number(median(still).toFixed(2));
    figures.bng8000_diff_ms_2pct = Number(median(churned).toFixed(2));
    const all = [...still, ...churned].sort((a, b) => a - b);
    figures.bng8000_diff_ms_p95 = Number((all[Math.floor(all.length * 0.95)] ?? 0).toFixed(2));
    // What a poll's diff costs: every measured call's CPU over the number of polls, so the rare
    // call that pays for a garbage collection counts in full.
    figures.bng8000_diff_ms_mean = Number((all.reduce((a, b) => a + b, 0) / all.length).toFixed(2));
    figures.bng8000_diff_ms_max = Number((all[all.length - 1] ?? 0).toFixed(2));
    log(
      `8,000 sessions: diff ${figures.bng8000_diff_ms_unchanged} ms (no change), ${figures.bng8000_diff_ms_2pct} ms (2 % churn), mean ${figures.bng8000_diff_ms_mean}, p95 ${figures.bng8000_diff_ms_p95}, max ${figures.bng8000_diff_ms_max} ms; first poll after a load (load, full parse, write) ${figures.bng8000_first_poll_after_load_ms} ms`,
    );
  }

  // --- 2. fleet churn ------------------------------------------------------------------------------
  {
    const ROUTERS = quick ? 1000 : 10_000;
    const PER = 50;
    const MINUTES = quick ? 5 : 20;
    let t = T0 + 86_400_000;
    const rec = recorderOn(db, () => t);
    const routers = Array.from({ length: ROUTERS }, (_, i) => ({
      device: { id: `bench-r${i}`, host: '127.0.0.1', driver: 'mikrotik', interval: '1m' },
      list: Array.from({ length: PER }, () => null),
    }));
    for (const r of routers) r.list = r.list.map(() => session(r.device.id, t));
    // The first poll of every router and the loads, not measured: a start, not the steady state.
    for (const r of routers) rec.facts(r.device, { pppoeSessions: r.list }, t);
    while (rec.waitingForLoad) await rec.flush();
    await rec.flush();
    const perMinute = (ROUTERS * PER * 0.02) / 60; // 2 %/h
    let spent = 0;
    let carry = 0;
    const flushes = 30; // one every 2 s
    for (let m = 0; m < MINUTES; m++) {
      // Which sessions end this minute (driver side, not measured).
      carry += perMinute;
      const churnBy = new Map();
      for (; carry >= 1; carry--) {
        const i = Math.floor(Math.random() * ROUTERS);
        churnBy.set(i, (churnBy.get(i) ?? 0) + 1);
      }
      const facts = routers.map((r, i) => {
        r.list = advance(r.list, r.device.id, t + (i / ROUTERS) * MIN, churnBy.get(i) ?? 0);
        return { pppoeSessions: r.list };
      });
      for (let f = 0; f < flushes; f++) {
        const from = Math.floor((f * ROUTERS) / flushes);
        const to = Math.floor(((f + 1) * ROUTERS) / flushes);
        const c = cpuUsage();
        for (let i = from; i < to; i++) {
          const r = routers[i];
          rec.facts(r.device, facts[i], t + (i / ROUTERS) * MIN);
        }
        t += MIN / flushes;
        await rec.flush();
        spent += cpuMs(c);
      }
    }
    const cores = spent / (MINUTES * MIN);
    figures.fleet_routers = ROUTERS;
    figures.fleet_sessions = ROUTERS * PER;
    figures.fleet_minutes_simulated = MINUTES;
    figures.fleet_recorder_cpu_s = Number((spent / 1000).toFixed(2));
    figures.fleet_recorder_cores = Number(cores.toFixed(4));
    log(
      `${ROUTERS} routers × ${PER} sessions, 2 %/h: ${(spent / 1000).toFixed(1)} CPU-s over ${MINUTES} simulated minutes = ${cores.toFixed(4)} cores`,
    );
  }
  await db.close();
} finally {
  await server.stop();
}

console.log(
  `BENCH_RESULT ${JSON.stringify({
    name: 'subscribers-diff',
    figures,
    reference: {},
    ratios: {},
    goals: { bng8000_diff_ms_mean: '<= 20', fleet_recorder_cores: '<= 0.05' },
  })}`,
);
