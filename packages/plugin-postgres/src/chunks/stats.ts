import type { Queryable } from '../db/types.js';
import type { ReplicaStatus } from '../replica/probe.js';
import { chunkWatermark } from './read.js';

/** What the samples take on disk, for `ispmonitor diagnostics`. */
export interface StorageStats {
  /** Samples stored: hot rows plus the samples inside chunks (estimates on large tables). */
  samples: number;
  hotRows: number;
  chunks: number;
  chunkSamples: number;
  /** Bytes on disk (heap, indexes, TOAST) of every partition. */
  bytes: { rows: number; chunks: number; rollups: number; series: number };
  /** Rows and chunks over the samples they hold; rollups and series not included. */
  bytesPerSample: number | null;
  /** Everything the samples make (rows, chunks, rollups, series) over the samples. */
  bytesPerSampleAll: number | null;
  /** Samples younger than this stay rows (ms); null when chunks are off. */
  hotWindowMs: number | null;
  /** Where compaction has got (ms since the epoch), null before its first round. */
  compactedUntil: number | null;
  /** The read replica (`readUrl`) as its last check found it: state, replay lag. */
  replica?: ReplicaStatus;
}

// Exact counts on small tables; the planner's estimate (kept by ANALYZE) on large ones, where a
// count would read millions of rows for a diagnostics page.
const EXACT_BELOW = 200_000;

async function rowsOf(db: Queryable, parent: string, exact: string): Promise<number> {
  const est = await db.query<{ n: number }>(
    `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 AS n
       FROM pg_partition_tree($1::regclass) t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf`,
    [parent],
  );
  const n = Number(est.rows[0]?.n ?? 0);
  if (n >= EXACT_BELOW) return n;
  return Number((await db.query<{ n: number }>(exact)).rows[0]?.n ?? 0);
}

async function bytesOf(db: Queryable, parents: string[]): Promise<number> {
  const res = await db.query<{ b: number }>(
    `SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0)::float8 AS b
       FROM unnest($1::text[]) AS p(parent),
            -- a plain table has no partition tree: itself (a partitioned parent's own size is 0)
            LATERAL (SELECT relid FROM pg_partition_tree(p.parent::regclass) UNION SELECT p.parent::regclass) t`,
    [parents],
  );
  return Number(res.rows[0]?.b ?? 0);
}

/** Sizes and counts of the sample tables (a few catalogue reads; counts exact on small tables). */
export async function storageStats(db: Queryable, hotWindowMs: number | null): Promise<StorageStats> {
  const hotRows = await rowsOf(db, 'ispm_samples', 'SELECT count(*)::float8 AS n FROM ispm_samples');
  const chunks = await rowsOf(db, 'ispm_chunks', 'SELECT count(*)::float8 AS n FROM ispm_chunks');
  let chunkSamples: number;
  if (chunks < EXACT_BELOW) {
    const res = await db.query<{ n: number }>('SELECT coalesce(sum(count), 0)::float8 AS n FROM ispm_chunks');
    chunkSamples = Number(res.rows[0]?.n ?? 0);
  } else {
    const res = await db.query<{ a: number }>(
      'SELECT avg(count)::float8 AS a FROM (SELECT count FROM ispm_chunks LIMIT 10000) x',
    );
    chunkSamples = Math.round(chunks * Number(res.rows[0]?.a ?? 0));
  }
  const bytes = {
    rows: await bytesOf(db, ['ispm_samples']),
    chunks: await bytesOf(db, ['ispm_chunks', 'ispm_chunk_times']),
    rollups: await bytesOf(db, ['ispm_rollup_5m', 'ispm_rollup_1h']),
    series: await bytesOf(db, ['ispm_series']),
  };
  const samples = hotRows + chunkSamples;
  const per = (b: number) => (samples > 0 ? Math.round((b / samples) * 100) / 100 : null);
  const mark = await chunkWatermark(db);
  return {
    samples,
    hotRows,
    chunks,
    chunkSamples,
    bytes,
    bytesPerSample: per(bytes.rows + bytes.chunks),
    bytesPerSampleAll: per(bytes.rows + bytes.chunks + bytes.rollups + bytes.series),
    hotWindowMs,
    compactedUntil: mark ?? null,
  };
}
