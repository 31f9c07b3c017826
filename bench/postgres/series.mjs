// Series creation at a first start (runnable alone: `node bench/postgres/series.mjs [series]`,
// after `npx tsc -b packages/plugin-postgres`).
//
// The first poll of a fleet meets only new series: every sample's (name, labels) becomes a row
// of `ispm_series` before its rows can be stored. This writes one round of N new series through
// the plugin's Sink (batches of 5,000, as core's sink runner sends them) into a PostgreSQL 15 it
// starts itself (fsync off), then the next round through a fresh monitor on the same database
// (a restart: the series exist and are looked up). The reference is the floor: the same N rows
// inserted by one plain `INSERT … SELECT` in psql into the same schema (same indexes: the unique
// one, the device one and the GIN one on labels) on the same server. BENCH_RESULT carries the
// ratio (`create_vs_floor`, target >= 0.8) and the load average at the end.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startPgServer } from '../support/pg-server.mjs';
import { BATCH, ingest, monitorOn } from './ingest.mjs';

const METRICS = 10;
const PORTS = 24;
const MIN = 60_000;

/** One round of samples: N/240 devices × 24 interfaces × 10 metrics, each a series. */
function round(devices, ts) {
  const out = [];
  for (let d = 0; d < devices; d++) {
    for (let i = 0; i < PORTS; i++) {
      // One labels object per interface, shared by its metrics, as the drivers emit them.
      const labels = { device: `d${d}`, ifName: `eth${i}` };
      for (let m = 0; m < METRICS; m++)
        out.push({ name: `interface_m${m}_total`, labels: { ...labels }, value: d + i + m, ts });
    }
  }
  return out;
}

export async function measureSeries({ series = 240_000, log = console.log } = {}) {
  const devices = Math.max(1, Math.round(series / (PORTS * METRICS)));
  const n = devices * PORTS * METRICS;
  const server = await startPgServer();
  try {
    const now = Math.floor(Date.now() / MIN) * MIN;
    const url = await server.createDatabase('series');
    const first = await monitorOn({ url, pool: { max: 4 } });
    const createS = await ingest(first.sink, round(devices, now - MIN));
    await first.monitor.stop();
    const again = await monitorOn({ url, pool: { max: 4 } });
    const lookupS = await ingest(again.sink, round(devices, now));
    await again.monitor.stop();

    // The floor: the same rows by one INSERT … SELECT (schema made by the plugin's migrations).
    const ref = await monitorOn({ url: await server.createDatabase('ref'), pool: { max: 1 } });
    await ref.monitor.stop();
    const sql = `INSERT INTO ispm_series (name, labels, kind)
      SELECT 'interface_m' || m || '_total', jsonb_build_object('device', 'd' || d, 'ifName', 'eth' || i), 'counter'
        FROM generate_series(0, ${devices - 1}) d, generate_series(0, ${PORTS - 1}) i, generate_series(0, ${METRICS - 1}) m`;
    const t0 = performance.now();
    await server.psql('ref', ['-c', sql]);
    const refS = (performance.now() - t0) / 1000;

    const r = {
      series: n,
      batches: Math.ceil(n / BATCH),
      create_per_s: Math.round(n / createS),
      lookup_per_s: Math.round(n / lookupS),
      insert_select_per_s: Math.round(n / refS),
    };
    // The target (issue 18 point 4): created through the Sink at >= 0.8x the floor.
    r.create_vs_floor = +(r.create_per_s / r.insert_select_per_s).toFixed(2);
    r.load = loadavg().map((x) => +x.toFixed(1));
    log(
      `${n.toLocaleString('en')} series: created through the sink ${r.create_per_s.toLocaleString('en')}/s, ` +
        `looked up after a restart ${r.lookup_per_s.toLocaleString('en')}/s; ` +
        `one INSERT … SELECT ${r.insert_select_per_s.toLocaleString('en')}/s ` +
        `(sink ${(r.create_per_s / r.insert_select_per_s).toFixed(2)}× of it)`,
    );
    return r;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureSeries({ series: Number(process.argv[2] ?? 240_000) });
  console.log(`BENCH_RESULT ${JSON.stringify(r)}`);
}
