import { type CompactReport, compact } from '../chunks/compact.js';
import { type MaterializeReport, materializeRollups } from '../chunks/materialize.js';
import { MERGED_LEVEL, type MergeReport, mergeDays } from '../chunks/merge.js';
import type { Db } from '../db/types.js';
import {
  CHUNK_TIMES,
  CHUNKS,
  dropPartitionsBefore,
  ensurePartitions,
  ROLLUP_1H,
  ROLLUP_5M,
  SAMPLES,
} from '../schema/partitions.js';
import { collapseWindowDays, ensureSampleDays } from '../schema/window-days.js';
import { type RollupReport, runRollups } from './rollups.js';
import { maintainSubscribers } from './subscribers.js';

/** Retention of every table, in ms. */
export interface RetentionMs {
  raw: number;
  rollup5m: number;
  rollup1h: number;
  statusHistory: number;
  inventoryHistory: number;
}

/** Settings of the maintenance round. */
export interface MaintenanceOptions {
  retention: RetentionMs;
  rollups: boolean;
  latenessMs: number;
  /** Days of partitions created ahead of time. */
  partitionsAheadDays: number;
  /** Statement timeout of the rollup transactions (ms). */
  rollupStatementTimeoutMs: number;
  /** Retention of subscriber history (ms). Default 90 days. */
  subscriberRetentionMs?: number;
  /**
   * Compressed chunks: windows older than `hotMs` are compacted; rollups are read from the chunks
   * and written (`materializeRollups`) a day before the chunks expire (the row-scanning rollup
   * round does not run). Absent: rows only.
   */
  chunks?: { hotMs: number; batchRows?: number };
}

/** What one maintenance round did. */
export interface MaintenanceReport {
  created: string[];
  dropped: string[];
  rollups?: RollupReport;
  compaction?: CompactReport;
  /** Whole compacted days whose window chunks became one chunk per series. */
  merged?: MergeReport;
  /** Rollups written from chunks about to expire. */
  materialized?: MaterializeReport;
  /** Merged days of raw samples whose empty window partitions became one plain partition. */
  collapsed?: string[];
  deletedStatusRows: number;
  deletedHistoryRows: number;
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The partitions a round at `now` creates ahead of the rows that need them. Raw sample days are
 * divided into window partitions a few hours ahead only (`WINDOW_DAYS_LEAD_MS`), plain tables
 * before that (`ensureSampleDays`). With chunks, no rollup row is written while
 * the samples are kept: the rollup partitions are created when the rollups are written
 * (`materializeRollups`), not days ahead, where they would sit empty for a week.
 */
export async function ensureAhead(
  db: Db,
  options: Pick<MaintenanceOptions, 'partitionsAheadDays' | 'rollups' | 'chunks'>,
  now: number,
): Promise<string[]> {
  const ahead = now + options.partitionsAheadDays * DAY;
  const created = await ensureSampleDays(db, SAMPLES, now, ahead);
  if (options.rollups && !options.chunks) {
    created.push(...(await ensurePartitions(db, ROLLUP_5M, now, ahead)));
    created.push(...(await ensurePartitions(db, ROLLUP_1H, now, ahead)));
  }
  return created;
}

/**
 * One maintenance round at time `now` (injected, so tests run it on fake time): partitions
 * created ahead, rollups brought up to date, then retention — whole partitions dropped (samples,
 * rollups, subscriber history by week), and old status and inventory history deleted. Safe to run on several replicas at once.
 */
export async function runMaintenance(
  db: Db,
  options: MaintenanceOptions,
  now: number,
): Promise<MaintenanceReport> {
  const created = await ensureAhead(db, options, now);
  const compaction = options.chunks
    ? await compact(db, now, {
        hotMs: options.chunks.hotMs,
        ...(options.chunks.batchRows ? { batchRows: options.chunks.batchRows } : {}),
        statementTimeoutMs: options.rollupStatementTimeoutMs,
      })
    : undefined;
  const merged = options.chunks
    ? await mergeDays(db, { statementTimeoutMs: options.rollupStatementTimeoutMs })
    : undefined;
  // A merged day's truncated windows become one empty table (their index pages were most of a
  // small fleet's bytes per sample).
  const collapsed = merged ? await collapseWindowDays(db, SAMPLES, await mergedUntil(db)) : [];
  const r = options.retention;
  // A day ahead of the raw samples' expiry, so the window before each one is still there.
  const materialized =
    options.chunks && options.rollups
      ? await materializeRollups(db, now - r.raw + DAY, {
          statementTimeoutMs: options.rollupStatementTimeoutMs,
        })
      : undefined;
  // Chunks whose rollups are not written yet (the lock was busy) wait for a later round.
  const chunkCutoff =
    materialized === undefined ? now - r.raw : Math.min(now - r.raw, materialized.until ?? -Infinity);
  const rollups =
    options.rollups && !options.chunks
      ? await runRollups(db, now, options.latenessMs, options.rollupStatementTimeoutMs)
      : undefined;
  const dropped: string[] = [
    ...(await dropPartitionsBefore(db, SAMPLES, now - r.raw)),
    ...(await dropPartitionsBefore(db, CHUNKS, chunkCutoff)),
    ...(await dropPartitionsBefore(db, CHUNK_TIMES, chunkCutoff)),
    ...(await dropPartitionsBefore(db, ROLLUP_5M, now - r.rollup5m)),
    ...(await dropPartitionsBefore(db, ROLLUP_1H, now - r.rollup1h)),
  ];
  const status = await db.query('DELETE FROM ispm_device_status WHERE ts < $1::timestamptz', [
    iso(now - r.statusHistory),
  ]);
  let history = 0;
  const subscribers = await maintainSubscribers(db, options.subscriberRetentionMs ?? 90 * DAY, now);
  created.push(...subscribers.created);
  dropped.push(...subscribers.dropped);
  for (const table of ['ispm_neighbours', 'ispm_interfaces', 'ispm_interface_addresses'] as const) {
    const res = await db.query(`DELETE FROM ${table} WHERE ended_at < $1::timestamptz`, [
      iso(now - r.inventoryHistory),
    ]);
    history += res.rowCount;
  }
  return {
    created,
    dropped,
    ...(collapsed.length ? { collapsed } : {}),
    rollups,
    compaction,
    ...(merged ? { merged } : {}),
    ...(materialized ? { materialized } : {}),
    deletedStatusRows: status.rowCount,
    deletedHistoryRows: history,
  };
}

/** Where the day merge is done (days before it are merged), or -Infinity before the first. */
async function mergedUntil(db: Db): Promise<number> {
  const res = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
    [MERGED_LEVEL],
  );
  return res.rows[0] ? Number(res.rows[0].t) : Number.NEGATIVE_INFINITY;
}
