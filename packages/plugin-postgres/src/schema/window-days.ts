import type { Db } from '../db/types.js';
import {
  ensurePartitions,
  listPartitionNames,
  PARTITION_LOCK_KEY,
  type PartitionedTable,
  parsePartitionName,
  partitionEnd,
  partitionStart,
  windowPartitionName,
} from './partitions.js';

/**
 * How far ahead of now a day is divided into window partitions (ms). A day of windows is twelve
 * tables with two indexes each (~56 KiB on disk even empty, most of it the BRIN index and its
 * free-space map): created two days ahead, as the other partitions are, they were a third of the
 * bytes per sample of a small fleet. Days further ahead are one plain table each until then.
 */
export const WINDOW_DAYS_LEAD_MS = 6 * 3_600_000;

/**
 * The raw sample days a round at `now` creates, up to `ahead`: days starting within
 * `WINDOW_DAYS_LEAD_MS` divided into windows, days after that plain (one table). A plain day that
 * comes within the lead still empty is divided then (a day that already holds rows stays plain:
 * it is compacted by the per-batch path). Returns the partitions created or divided.
 */
export async function ensureSampleDays(
  db: Db,
  table: PartitionedTable,
  now: number,
  ahead: number,
): Promise<string[]> {
  const lead = Math.min(ahead, now + WINDOW_DAYS_LEAD_MS);
  const out = await ensurePartitions(db, table, now, lead);
  if (table.windowMs === undefined) return out;
  out.push(...(await ensurePartitions(db, { parent: table.parent, span: table.span }, now, ahead)));
  const windowed = await windowedDays(db, table);
  for (const name of await listPartitionNames(db, table)) {
    const start = parsePartitionName(table, name);
    if (start === undefined || windowed.has(name)) continue;
    if (start < partitionStart(table, now) || start > lead) continue;
    if (await replaceDay(db, table, name, start, true)) out.push(name);
  }
  return out;
}

/** The day partitions of `table` that are divided into windows. */
async function windowedDays(db: Db, table: PartitionedTable): Promise<Set<string>> {
  const res = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = $1 AND p.relnamespace = current_schema()::regnamespace AND c.relkind = 'p'`,
    [table.parent],
  );
  return new Set(res.rows.map((r) => r.name));
}

/** Statement wait for the parent's lock: another round tries again rather than queue readers. */
const LOCK_TIMEOUT_MS = 1_000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Replaces each day partition of `table` that ends at or before `until` and is still divided into
 * windows, all of them empty, by one plain partition: once a day is compacted and merged its
 * twelve truncated windows hold nothing but keep their index pages (~670 KiB a day, kept for the
 * raw retention). A late row for the day then lands in the plain partition and is compacted by
 * the per-batch path of days created before the windows existed. A day with any row left, or
 * whose parent lock is not granted within a second, is left for a later round. Returns the days
 * replaced (partition names).
 */
export async function collapseWindowDays(db: Db, table: PartitionedTable, until: number): Promise<string[]> {
  if (table.windowMs === undefined) return [];
  const windowed = await windowedDays(db, table);
  const done: string[] = [];
  for (const name of (await listPartitionNames(db, table)).sort()) {
    const start = parsePartitionName(table, name);
    if (start === undefined || !windowed.has(name)) continue;
    if (partitionEnd(table, start) > until) continue;
    if (await replaceDay(db, table, name, start, false)) done.push(name);
  }
  return done;
}

/**
 * Replaces the empty day partition `name` by an empty one divided into windows, or plain. Under
 * the parent's lock, taken within a second or not at all (55P03: a long reader holds it; a later
 * round tries again rather than queue every reader and writer behind this one).
 */
async function replaceDay(
  db: Db,
  table: PartitionedTable,
  name: string,
  start: number,
  windows: boolean,
): Promise<boolean> {
  const end = partitionEnd(table, start);
  const w = table.windowMs;
  // Looked at first without the lock: a day with rows (most rounds' answer) costs no lock at all.
  if ((await db.query(`SELECT 1 FROM ${name} LIMIT 1`)).rows.length > 0) return false;
  try {
    return await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      await tx.query("SELECT set_config('lock_timeout', $1, true)", [String(LOCK_TIMEOUT_MS)]);
      // The parent first, as a writer takes it (no deadlock): from here no row reaches the day,
      // so an empty day is still empty when it is dropped.
      await tx.query(`LOCK TABLE ONLY ${table.parent} IN ACCESS EXCLUSIVE MODE`);
      const any = await tx.query(`SELECT 1 FROM ${name} LIMIT 1`);
      if (any.rows.length > 0) return false;
      await tx.query(`DROP TABLE ${name}`);
      const bounds = `FOR VALUES FROM ('${iso(start)}') TO ('${iso(end)}')`;
      await tx.query(
        `CREATE TABLE ${name} PARTITION OF ${table.parent} ${bounds}${windows ? ' PARTITION BY RANGE (ts)' : ''}`,
      );
      for (let t = start; windows && w !== undefined && t < end; t += w) {
        await tx.query(
          `CREATE TABLE ${windowPartitionName(table, t)} PARTITION OF ${name} FOR VALUES FROM ('${iso(t)}') TO ('${iso(t + w)}')`,
        );
      }
      return true;
    });
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return false;
    throw err;
  }
}
