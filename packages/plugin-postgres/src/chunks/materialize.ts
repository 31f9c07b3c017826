import type { CopySpec, Db, Queryable } from '../db/types.js';
import { ROLLUP_LOCK_KEY } from '../maintenance/rollups.js';
import { ensurePartitions, ROLLUP_1H, ROLLUP_5M } from '../schema/partitions.js';
import { type RollupRow, rollup1h, rollup5mByWindow } from './aggregate.js';
import { CHUNK_REACH_MS, CHUNK_WINDOW_MS, chunkWatermark, loadSamples, setChunkWatermark } from './read.js';
import { rollupCopy } from './rollup-copy.js';

/** Settings of a materialization round. */
export interface MaterializeOptions {
  /** Statement timeout inside the round's transactions (ms). */
  statementTimeoutMs: number;
  /** Series per transaction (a day of one series is up to 288 + 24 rows). Default 2,000. */
  batchSeries?: number;
  /** Windows per round at most. Default 12 (a day). */
  maxWindows?: number;
}

/** What one materialization round did. */
export interface MaterializeReport {
  /** False when another replica (or a compaction, or a history import) held the lock. */
  ran: boolean;
  /** Compaction windows (2 h each) whose rollups were written. */
  windows: number;
  /** 5-minute rollup rows written. */
  rows5m: number;
  /** Hourly rollup rows written. */
  rows1h: number;
  /** Where the stored rollups now reach (ms), undefined when nothing is stored yet. */
  until: number | undefined;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const LEVELS = ['rollup_5m', 'rollup_1h'] as const;
const iso = (ms: number) => new Date(ms).toISOString();

async function rollupMark(db: Queryable): Promise<number | undefined> {
  const res = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
    ['rollup_5m'],
  );
  return res.rows[0] ? Number(res.rows[0].t) : undefined;
}

/**
 * With chunks, the 5-minute and hourly rollups of a window are not stored while its samples
 * are: reads compute them from the chunks (exactly as a stored row would hold them), which costs
 * no disk at all. They are written here, in one pass over each day's chunks (all its windows at
 * once: a merged day's chunk is decoded once), once a window is older than `until` — the
 * maintenance round passes a day before the raw samples expire, so the window before (the counter
 * step into the first bucket) is still there. The rollup watermarks move per span (up to a day),
 * in the transaction of its last batch: a crash mid-span leaves the span to be redone (its buckets
 * are emptied, then written), and reads never see half of it.
 */
export async function materializeRollups(
  db: Db,
  until: number,
  o: MaterializeOptions,
): Promise<MaterializeReport> {
  const report: MaterializeReport = {
    ran: true,
    windows: 0,
    rows5m: 0,
    rows1h: 0,
    until: await rollupMark(db),
  };
  const compacted = await chunkWatermark(db);
  if (compacted === undefined) return report;
  const limit = Math.floor(Math.min(until, compacted) / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
  let from = report.until ?? Number.NEGATIVE_INFINITY;
  while (from < limit && report.windows < (o.maxWindows ?? 12)) {
    // The next window holding samples in chunks (a merged day's chunk starts at its midnight;
    // days without any are skipped in one step).
    const lo = Number.isFinite(from) ? from : 0;
    const next = await db.query<{ t: number | null }>(
      `SELECT (extract(epoch FROM min(greatest(first_ts, $1::timestamptz))) * 1000)::float8 AS t FROM ispm_chunks
        WHERE start_ts > $3::timestamptz AND start_ts < $2::timestamptz AND last_ts >= $1::timestamptz`,
      [iso(lo), iso(limit), iso(lo - CHUNK_REACH_MS)],
    );
    const t = next.rows[0]?.t;
    if (t === null || t === undefined) {
      // No chunks below the limit: the stored rollups are complete up to it.
      await setChunkWatermark(db, limit, LEVELS);
      report.until = limit;
      break;
    }
    const start = Math.floor(Number(t) / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
    if (start >= limit) {
      await setChunkWatermark(db, limit, LEVELS);
      report.until = limit;
      break;
    }
    // Up to the day's end at once: a merged day's chunk is decoded once for all its windows.
    const windowsLeft = (o.maxWindows ?? 12) - report.windows;
    const end = Math.min(limit, Math.floor(start / DAY) * DAY + DAY, start + windowsLeft * CHUNK_WINDOW_MS);
    if (!(await materializeSpan(db, start, end, o, report))) return { ...report, ran: false };
    report.windows += (end - start) / CHUNK_WINDOW_MS;
    from = end;
    report.until = from;
  }
  return report;
}

/** Writes the rollups of whole windows [start, end) (within one day), per batch of series. */
async function materializeSpan(
  db: Db,
  start: number,
  end: number,
  o: MaterializeOptions,
  report: MaterializeReport,
): Promise<boolean> {
  await ensurePartitions(db, ROLLUP_5M, start, end - 1);
  await ensurePartitions(db, ROLLUP_1H, start, end - 1);
  let after = -1;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
        ROLLUP_LOCK_KEY,
      ]);
      if (lock.rows[0]?.ok !== true) return undefined;
      await tx.query("SELECT set_config('statement_timeout', $1, true)", [
        String(Math.round(o.statementTimeoutMs)),
      ]);
      // Series with samples in the span: their window chunks, or their merged day's.
      const res = await tx.query<{ series_id: number }>(
        `SELECT DISTINCT series_id FROM ispm_chunks
          WHERE start_ts > $3::timestamptz AND start_ts < $4::timestamptz AND last_ts >= $1::timestamptz
            AND first_ts < $4::timestamptz AND series_id > $2
          ORDER BY series_id LIMIT ${Math.trunc(o.batchSeries ?? 2_000)}`,
        [iso(start), after, iso(start - CHUNK_REACH_MS), iso(end)],
      );
      const ids = res.rows.map((r) => Number(r.series_id));
      if (ids.length === 0) {
        await setChunkWatermark(tx, end, LEVELS);
        return { last: undefined };
      }
      await writeRollups(tx, ids, start, end, report);
      return { last: ids[ids.length - 1] };
    });
    if (done === undefined) return false;
    if (done.last === undefined) return true;
    after = done.last;
  }
}

/**
 * The rollup rows of `ids` in [start, end), from their samples (chunks and any late rows) read
 * once with the hour before: per 2-hour window, as the rounds compute them (the counter step into
 * a window from the reading before it only when that is within the hour).
 */
/** A transaction that can also bulk-load. */
type Tx = Queryable & { copy(spec: CopySpec): Promise<number> };

async function writeRollups(
  tx: Tx,
  ids: number[],
  start: number,
  end: number,
  report: MaterializeReport,
): Promise<void> {
  const samples = await loadSamples(tx, ids, { from: start - HOUR, to: end, toInclusive: false });
  const kinds = await tx.query<{ id: number; kind: string }>(
    'SELECT id, kind FROM ispm_series WHERE id = ANY($1::int[])',
    [ids],
  );
  const counter = new Set(kinds.rows.filter((k) => k.kind === 'counter').map((k) => Number(k.id)));
  const r5: Array<[number, RollupRow]> = [];
  const r1: Array<[number, RollupRow]> = [];
  for (const [id, s] of samples) {
    const five = rollup5mByWindow(s, counter.has(id), CHUNK_WINDOW_MS, start);
    for (const r of five) r5.push([id, r]);
    for (const r of rollup1h(five)) r1.push([id, r]);
  }
  report.rows5m += await replaceRollups(tx, 'ispm_rollup_5m', ids, start, end, r5);
  report.rows1h += await replaceRollups(tx, 'ispm_rollup_1h', ids, start, end, r1);
}

/** Empties the series' buckets of [start, end) in `table`, then writes `rows`. */
async function replaceRollups(
  tx: Tx,
  table: 'ispm_rollup_5m' | 'ispm_rollup_1h',
  ids: number[],
  start: number,
  end: number,
  rows: ReadonlyArray<[number, RollupRow]>,
): Promise<number> {
  await tx.query(
    `DELETE FROM ${table} WHERE series_id = ANY($1::int[]) AND bucket >= $2::timestamptz AND bucket < $3::timestamptz`,
    [ids, iso(start), iso(end)],
  );
  // Binary COPY: the server parses no text (ten text arrays of every row took most of its time).
  return rows.length === 0 ? 0 : tx.copy(rollupCopy(table, rows));
}
