// Ingest part of the storage benchmark (used by bench/postgres.mjs, runnable alone:
// `node bench/postgres/ingest.mjs [reps] [parallel]`, after `npx tsc -b packages/plugin-postgres`).
//
// Sustained ingest through the plugin's Sink (batches of 5,000, one at a time, as core's sink
// runner sends them) into a PostgreSQL 15 it starts itself (fsync off), and `psql \copy` of the
// same rows (CSV, series ids from the plugin's own series table) into the same schema — same
// partitions, same indexes, including the BRIN index on the time — on the same server. The two
// are measured several times, alternately, each into an emptied table after a checkpoint, and
// compared by their medians.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMonitor, tokens } from '@ispmonitor/core';
import { openPg, postgres, postgresStore } from '@ispmonitor/plugin-postgres';
import { startPgServer } from '../support/pg-server.mjs';
import { silent } from '../support/silent.mjs';

export const BATCH = 5000;
const MIN = 60_000;
const U64 = 2n ** 64n;

/** Samples of D devices × 24 interfaces × in/out, R rounds one minute apart ending now. */
export function makeSamples(devices, rounds) {
  const out = [];
  const end = Math.floor(Date.now() / MIN) * MIN;
  for (let r = 0; r < rounds; r++) {
    const ts = end - (rounds - 1 - r) * MIN;
    for (let d = 0; d < devices; d++) {
      for (let i = 0; i < 24; i++) {
        const base = (d * 24 + i) * 1_000_000 + r * 7_500_000;
        // One interface in 24 has a counter beyond 2^63 (bigint), as a busy 64-bit port would.
        const inV = i === 0 ? 2n ** 63n + BigInt(base) : base;
        out.push({
          name: 'interface_in_octets_total',
          labels: { device: `d${d}`, ifName: `eth${i}` },
          value: inV,
          ts,
        });
        out.push({
          name: 'interface_out_octets_total',
          labels: { device: `d${d}`, ifName: `eth${i}` },
          value: base * 2,
          ts,
        });
      }
    }
  }
  return out;
}

export async function monitorOn(options) {
  // No periodic maintenance round during the measurement (the reference has none either).
  const monitor = await createMonitor({
    plugins: [postgres({ maintenance: { interval: '1d' }, ...options })],
    logger: silent,
  });
  await monitor.start();
  const sink = monitor.resolveAll(tokens.Sink).find((s) => s.name === 'postgres');
  return { monitor, sink, store: monitor.resolve(postgresStore) };
}

export async function ingest(sink, samples) {
  const t0 = performance.now();
  for (let i = 0; i < samples.length; i += BATCH) await sink.write(samples.slice(i, i + BATCH));
  return (performance.now() - t0) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs the comparison; returns every rate measured and the medians. `parallel`: the plugin's
 * `ingest.parallel` (COPY statements in flight for one batch).
 */
export async function measureIngest({
  devices = 1000,
  rounds = 20,
  reps = 5,
  parallel = 1,
  log = console.log,
} = {}) {
  const server = await startPgServer();
  try {
    const samples = makeSamples(devices, rounds);
    const perRound = devices * 48;
    const warm = samples.slice(0, perRound);
    const measured = samples.slice(perRound);
    const pg = await monitorOn({
      url: await server.createDatabase('ingest'),
      pool: { max: 4 },
      ingest: { parallel },
    });
    // Warm-up round: creates the series and partitions (and the plugin's caches of them).
    await ingest(pg.sink, warm);

    // The same rows as CSV, with the series ids of the plugin's own series table.
    const ids = new Map();
    const raw = await openPg({ url: server.url('ingest') });
    for (const r of (await raw.query('SELECT id, name, labels::text AS l FROM ispm_series')).rows)
      ids.set(`${r.name}|${JSON.stringify(JSON.parse(r.l))}`, r.id);
    await raw.close();
    const lines = [];
    for (const s of measured) {
      const id = ids.get(`${s.name}|${JSON.stringify({ device: s.labels.device, ifName: s.labels.ifName })}`);
      const big = typeof s.value === 'bigint' ? s.value : BigInt(s.value);
      lines.push(
        `${id},${new Date(s.ts).toISOString()},${Number(s.value)},${big >= 2n ** 63n ? big - U64 : big}`,
      );
    }
    const csv = join(server.dir, 'rows.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`, { mode: 0o644 });
    lines.length = 0;
    // The reference database: the schema and partitions made by the plugin, then emptied.
    const ref = await monitorOn({ url: await server.createDatabase('ref'), pool: { max: 2 } });
    await ingest(ref.sink, warm);
    await ref.monitor.stop();

    const empty = async (db) => {
      await server.psql(db, ['-c', 'TRUNCATE ispm_samples, ispm_rollup_dirty']);
      await server.psql(db, ['-c', 'CHECKPOINT']);
    };
    const sink = [];
    const copy = [];
    const runSink = async () => {
      await empty('ingest');
      sink.push(Math.round(measured.length / (await ingest(pg.sink, measured))));
    };
    const runCopy = async () => {
      await empty('ref');
      const t0 = performance.now();
      await server.psql('ref', ['-c', `\\copy ispm_samples (series_id, ts, value, raw) FROM '${csv}' CSV`]);
      copy.push(Math.round(measured.length / ((performance.now() - t0) / 1000)));
      const n = await server.psql('ref', ['-At', '-c', 'SELECT count(*) FROM ispm_samples']);
      if (Number(n.stdout.trim()) !== measured.length)
        throw new Error('reference COPY stored a different row count');
    };
    for (let r = 0; r < reps; r++) {
      if (r % 2 === 0) {
        await runSink();
        await runCopy();
      } else {
        await runCopy();
        await runSink();
      }
      log(`  rep ${r + 1}/${reps}: sink ${sink.at(-1)}/s, psql \\copy ${copy.at(-1)}/s`);
    }
    const stored = await server.psql('ingest', ['-At', '-c', 'SELECT count(*) FROM ispm_samples']);
    if (Number(stored.stdout.trim()) !== measured.length)
      throw new Error('the sink stored a different row count');

    // A retried batch (already stored) goes through the duplicate-safe path: how much slower?
    const retry = measured.slice(0, BATCH * 4);
    const retryRate = Math.round(retry.length / (await ingest(pg.sink, retry)));
    await pg.monitor.stop();
    return {
      rows: measured.length,
      reps,
      parallel,
      sink,
      copy,
      sink_median: median(sink),
      copy_median: median(copy),
      ratio: +(median(sink) / median(copy)).toFixed(3),
      retry_samples_per_s: retryRate,
    };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reps = Number(process.argv[2] ?? 5);
  const parallel = Number(process.argv[3] ?? 1);
  console.log(JSON.stringify(await measureIngest({ reps, parallel })));
}
