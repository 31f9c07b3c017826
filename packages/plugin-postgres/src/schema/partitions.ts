import type { Db, Queryable } from '../db/types.js';

/** Advisory lock key serialising partition DDL between connections and replicas. */
export const PARTITION_LOCK_KEY = 0x4953_504d_0002;

/** A partitioned table of ours and the span of one partition. */
export interface PartitionedTable {
  /** Parent table: a constant of our schema. */
  parent:
    | 'ispm_samples'
    | 'ispm_chunks'
    | 'ispm_chunk_times'
    | 'ispm_rollup_5m'
    | 'ispm_rollup_1h'
    | 'ispm_pppoe_sessions'
    | 'ispm_dhcp_leases'
    | 'ispm_wireless_clients'
    | 'ispm_arp_bindings';
  /** A week starts on Monday 00:00 UTC (ISO weeks, as `date_trunc('week', …)`). */
  span: 'day' | 'week' | 'month';
  /**
   * Each partition is itself partitioned by `ts` into windows this long (ms; a divisor of a
   * day), named `<partition>_h<HH>` after the window's first hour.
   */
  windowMs?: number;
}

/**
 * Raw samples by day, each day by 2-hour window: compaction reads a closed window and truncates
 * its partition instead of deleting every row (the delete was most of the server's compaction
 * cost). Days created before the windows existed stay plain tables (compacted by deleting rows).
 */
export const SAMPLES: PartitionedTable = { parent: 'ispm_samples', span: 'day', windowMs: 2 * 3_600_000 };
/** Compressed chunks, by the day their window starts (2-hour windows never straddle days). */
export const CHUNKS: PartitionedTable = { parent: 'ispm_chunks', span: 'day' };
/** Poll times shared by a window's chunks, partitioned as the chunks. */
export const CHUNK_TIMES: PartitionedTable = { parent: 'ispm_chunk_times', span: 'day' };
export const ROLLUP_5M: PartitionedTable = { parent: 'ispm_rollup_5m', span: 'day' };
export const ROLLUP_1H: PartitionedTable = { parent: 'ispm_rollup_1h', span: 'month' };
export const PARTITIONED: readonly PartitionedTable[] = [SAMPLES, CHUNKS, CHUNK_TIMES, ROLLUP_5M, ROLLUP_1H];

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** 1970-01-05, the first Monday of the epoch: weeks are counted from it. */
const FIRST_MONDAY = 4 * DAY;

/** Start (UTC, ms) of the partition holding `ts`. */
export function partitionStart(table: PartitionedTable, ts: number): number {
  const d = new Date(ts);
  if (table.span === 'week') return Math.floor((ts - FIRST_MONDAY) / WEEK) * WEEK + FIRST_MONDAY;
  return table.span === 'day'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** End (exclusive) of the partition starting at `start`. */
export function partitionEnd(table: PartitionedTable, start: number): number {
  const d = new Date(start);
  if (table.span === 'week') return start + WEEK;
  return table.span === 'day' ? start + DAY : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The partition's name, built from the date only (`ispm_samples_p20261127`,
 * `ispm_rollup_1h_p202611`): no input ever reaches an identifier.
 */
export function partitionName(table: PartitionedTable, start: number): string {
  const d = new Date(start);
  if (!Number.isFinite(start) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999) {
    throw new RangeError(`no partition for time ${start}`);
  }
  const ym = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}`;
  return `${table.parent}_p${table.span === 'month' ? ym : ym + pad(d.getUTCDate())}`;
}

/** The name of the window partition starting at `start` (a window of `table.windowMs`). */
export function windowPartitionName(table: PartitionedTable, start: number): string {
  const w = table.windowMs;
  if (w === undefined || start % w !== 0) throw new RangeError(`no window partition for time ${start}`);
  return `${partitionName(table, partitionStart(table, start))}_h${pad(new Date(start).getUTCHours())}`;
}

/** Parses a partition name back to its start; undefined for names that are not ours. */
export function parsePartitionName(table: PartitionedTable, name: string): number | undefined {
  const m = new RegExp(
    `^${table.parent}_p(\\d{4})(\\d{2})${table.span === 'month' ? '()' : '(\\d{2})'}$`,
  ).exec(name);
  if (!m) return undefined;
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1);
  // A week's name is its Monday: another day of the week is not one of ours.
  if (partitionStart(table, start) !== start) return undefined;
  return partitionName(table, start) === name ? start : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Creates the partitions covering [from, to] that do not exist yet. DDL cannot take bind
 * parameters, so the bounds are ISO timestamps we format from numbers and the name comes from
 * `partitionName`; both are re-validated here.
 */
export async function ensurePartitions(
  db: Db,
  table: PartitionedTable,
  from: number,
  to: number,
): Promise<string[]> {
  const wanted: Array<{ name: string; start: number; end: number }> = [];
  for (let s = partitionStart(table, from); s <= to; s = partitionEnd(table, s)) {
    wanted.push({ name: partitionName(table, s), start: s, end: partitionEnd(table, s) });
  }
  const existing = new Set(await listPartitionNames(db, table));
  const missing = wanted.filter((w) => !existing.has(w.name));
  if (missing.length === 0) return [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
    for (const p of missing) {
      if (parsePartitionName(table, p.name) !== p.start) throw new Error(`bad partition name ${p.name}`);
      const sub = table.windowMs === undefined ? '' : ' PARTITION BY RANGE (ts)';
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF ${table.parent} FOR VALUES FROM ('${iso(p.start)}') TO ('${iso(p.end)}')${sub}`,
      );
      for (let w = p.start; table.windowMs !== undefined && w < p.end; w += table.windowMs) {
        await tx.query(
          `CREATE TABLE IF NOT EXISTS ${windowPartitionName(table, w)} PARTITION OF ${p.name} FOR VALUES FROM ('${iso(w)}') TO ('${iso(w + table.windowMs)}')`,
        );
      }
    }
  });
  return missing.map((p) => p.name);
}

/** Names of the existing partitions of `table` that follow our naming. */
export async function listPartitionNames(db: Queryable, table: PartitionedTable): Promise<string[]> {
  const res = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = $1 AND p.relnamespace = current_schema()::regnamespace`,
    [table.parent],
  );
  return res.rows.map((r) => r.name).filter((n) => parsePartitionName(table, n) !== undefined);
}

/**
 * Retention by whole partitions: drops every partition that ends at or before `cutoff`. Dropping
 * a partition is instant and leaves no dead rows, unlike DELETE.
 */
export async function dropPartitionsBefore(
  db: Db,
  table: PartitionedTable,
  cutoff: number,
): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of await listPartitionNames(db, table)) {
    const start = parsePartitionName(table, name);
    if (start === undefined || partitionEnd(table, start) > cutoff) continue;
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      await tx.query(`DROP TABLE IF EXISTS ${name}`);
    });
    dropped.push(name);
  }
  return dropped.sort();
}
