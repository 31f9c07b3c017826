import { type CompactReport, compact } from '../chunks/compact.js';
import { type MaterializeReport, materializeRollups } from '../chunks/materialize.js';
import { type MergeReport, mergeDays } from '../chunks/merge.js';
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
  deletedStatusRows: number;
  deletedHistoryRows: number;
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

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
  const created: string[] = [];
  const ahead = now + options.partitionsAheadDays * DAY;
  created.push(...(await ensurePartitions(db, SAMPLES, now, ahead)));
  if (options.rollups) {
    created.push(...(await ensurePartitions(db, ROLLUP_5M, now, ahead)));
    created.push(...(await ensurePartitions(db, ROLLUP_1H, now, ahead)));
  }
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
    rollups,
    compaction,
    ...(merged ? { merged } : {}),
    ...(materialized ? { materialized } : {}),
    deletedStatusRows: status.rowCount,
    deletedHistoryRows: history,
  };
}
