// How long PGlite's work blocks the caller's event loop, in its own thread and in the caller's
// (issue 18, point 5). Not a test: it prints figures and, last, `BENCH_RESULT {json}`.
//   node bench/pglite-block.mjs        (after `npx tsc -b packages/plugin-postgres`)
// Per mode, one in-memory PGlite gets the storage work of a busy minute: BENCH_BLOCK_ROWS rows
// (default 200,000) loaded by binary COPY in batches of 5,000, then a 5-minute-style rollup
// (GROUP BY over all of them) and a 24 h range read of one series, three times. Meanwhile a 10 ms
// timer ticks (what a poll timer is) and Node's event-loop delay histogram runs. Reported: delay
// p99 and max, how late the timer fired at worst, and its ticks (fired, expected, > 50 ms late).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openPglite } from '../packages/plugin-postgres/dist/index.js';

const rows = Number(process.env.BENCH_BLOCK_ROWS ?? 200_000);
const BATCH = 5000;
const round = (x) => Math.round(x * 10) / 10;

async function work(db) {
  await db.query('CREATE TABLE s (series_id int, ts timestamptz, value float8, PRIMARY KEY (series_id, ts))');
  const t0 = Date.UTC(2030, 0, 1);
  for (let i = 0; i < rows; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(rows, i + BATCH); j++)
      batch.push([j % 2000, t0 + Math.floor(j / 2000) * 60_000, j]);
    await db.copy({
      table: 's',
      columns: ['series_id', 'ts', 'value'],
      rows: batch,
      binary: ['int4', 'timestamptz_ms', 'float8'],
    });
  }
  for (let k = 0; k < 3; k++) {
    await db.query(
      `SELECT series_id, date_bin('5 minutes', ts, '2000-01-01') AS b, min(value), max(value), avg(value), count(*)
         FROM s GROUP BY 1, 2`,
    );
    await db.query('SELECT ts, value FROM s WHERE series_id = $1 ORDER BY ts', [k]);
  }
}

async function measure(thread) {
  const db = await openPglite({ memory: true, thread });
  const h = monitorEventLoopDelay({ resolution: 10 });
  let ticks = 0;
  let late = 0;
  let due = performance.now() + 10;
  // The longest the timer waited beyond its due time, counting a wait still going on at the end
  // (a loop blocked from start to end fires nothing, and the histogram then records nothing).
  let worstMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    ticks++;
    if (now - due > 50) late++;
    worstMs = Math.max(worstMs, now - due);
    due = now + 10;
  }, 10);
  h.enable();
  const t0 = performance.now();
  await work(db);
  const seconds = (performance.now() - t0) / 1000;
  worstMs = Math.max(worstMs, performance.now() - due);
  h.disable();
  clearInterval(timer);
  await db.close();
  return {
    thread,
    seconds: round(seconds),
    lag_p99_ms: round(h.percentile(99) / 1e6),
    lag_max_ms: round(h.max / 1e6),
    timer_worst_late_ms: round(worstMs),
    ticks,
    ticks_expected: Math.floor((seconds * 1000) / 10),
    ticks_late_over_50ms: late,
  };
}

const results = [];
for (const thread of ['main', 'worker']) {
  const r = await measure(thread);
  console.error(r);
  results.push(r);
}
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'pglite-block', rows, results })}`);
