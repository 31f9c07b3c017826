import type { Sample } from '@ispmonitor/core';
import type { Db } from '../db/types.js';
import { lateBuckets, markDirty } from '../maintenance/rollups.js';
import { ensurePartitions, partitionStart, SAMPLES } from '../schema/partitions.js';
import { canonicalLabels, encodeValue, isWellFormed, seriesKind } from './encode.js';
import type { SeriesCache, SeriesKey } from './series.js';

/** Why a sample was not stored (it is counted, never retried: retrying could not help). */
export type RejectReason = 'malformed' | 'value' | 'too_old' | 'too_new';

/** What one `write` did. */
export interface WriteOutcome {
  /** Rows handed to the database (duplicates of stored rows are ignored there). */
  accepted: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Whether the duplicate-safe staging path was needed (a retried or overlapping batch). */
  deduplicated: boolean;
}

/** Settings of the writer. */
export interface WriterOptions {
  /** Most rows per COPY statement. */
  chunkSize: number;
  /** COPY statements in flight at once for one batch (1 on PGlite: it has one connection). */
  parallel: number;
  /** A batch is not split into chunks smaller than this. */
  minParallelChunk: number;
  /** Samples older than this (ms before now) are rejected: their partition is already dropped. */
  maxAgeMs: number;
  /** Samples further in the future than this are rejected (a device with a wrong clock). */
  maxFutureMs: number;
  counters: ReadonlySet<string>;
  /** Whether rollups are kept: late rows then mark their buckets for recomputation. */
  rollups: boolean;
  now: () => number;
}

const COLUMNS = ['series_id', 'ts', 'value', 'raw'] as const;

function* tsOf(rows: ReadonlyArray<{ ts: number }>): Generator<number> {
  for (const r of rows) yield r.ts;
}
const TYPES = ['int4', 'timestamptz_ms', 'float8', 'int8'] as const;

/**
 * Writes sample batches. Idempotent: a batch written twice stores each (series, ts) once,
 * because the primary key is (series_id, ts). The fast path is one binary COPY straight into the
 * partitioned table (atomic on its own); when that hits an existing row (a retry after a lost
 * acknowledgement) nothing was stored, and the chunk goes through a temporary staging table and
 * INSERT … ON CONFLICT DO NOTHING — slower, but only for batches that overlap stored data.
 */
export class SampleWriter {
  readonly #partitions = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly series: SeriesCache,
    private readonly options: WriterOptions,
  ) {}

  async write(batch: readonly Sample[]): Promise<WriteOutcome> {
    const rejected: WriteOutcome['rejected'] = {};
    const reject = (r: RejectReason) => {
      rejected[r] = (rejected[r] ?? 0) + 1;
    };
    const now = this.options.now();
    const oldest = now - this.options.maxAgeMs;
    const newest = now + this.options.maxFutureMs;
    const keys = new Map<string, SeriesKey>();
    const pending: Array<{ key: string; ts: number; value: number; raw: bigint | null }> = [];
    const days = new Set<number>();
    for (const s of batch) {
      if (!isWellFormed(s)) {
        reject('malformed');
        continue;
      }
      const enc = encodeValue(s.value);
      if (!enc) {
        reject('value');
        continue;
      }
      if (s.ts < oldest) {
        reject('too_old');
        continue;
      }
      if (s.ts > newest) {
        reject('too_new');
        continue;
      }
      const labels = canonicalLabels(s.labels ?? {});
      const key = `${s.name}\0${labels}`;
      if (!keys.has(key))
        keys.set(key, { name: s.name, labels, kind: seriesKind(s.name, this.options.counters) });
      pending.push({ key, ts: Math.trunc(s.ts), value: enc.value, raw: enc.raw });
      days.add(partitionStart(SAMPLES, s.ts));
    }
    if (pending.length === 0) return { accepted: 0, rejected, deduplicated: false };

    await this.#ensureDays(days);
    const ids = await this.series.resolve(keys);
    const rows = pending.map((p) => [ids.get(p.key) as number, p.ts, p.value, p.raw] as const);
    // Chunks go out on up to `parallel` connections at once: the server ingests on several cores
    // while this process encodes the next chunk. A write can then half-succeed; that is safe,
    // because a retry of the whole batch skips the rows already stored.
    const size = Math.max(
      this.options.minParallelChunk,
      Math.min(this.options.chunkSize, Math.ceil(rows.length / this.options.parallel)),
    );
    const chunks: Array<typeof rows> = [];
    for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
    const results = await Promise.all(chunks.map((chunk) => this.#insertWithRetry(chunk, days)));
    const deduplicated = results.some(Boolean);
    // After the rows are stored (a failure here fails the batch; its retry stores nothing twice).
    if (this.options.rollups) await markDirty(this.db, lateBuckets(tsOf(pending), this.options.now()));
    return { accepted: pending.length, rejected, deduplicated };
  }

  async #insertWithRetry(
    chunk: ReadonlyArray<readonly [number, number, number, bigint | null]>,
    days: Set<number>,
  ): Promise<boolean> {
    try {
      return await this.#insertChunk(chunk);
    } catch (err) {
      // 23514: no partition for a row — another replica's retention dropped one we had cached.
      if ((err as { code?: string }).code !== '23514') throw err;
      this.#partitions.clear();
      await this.#ensureDays(days);
      return this.#insertChunk(chunk);
    }
  }

  /** Forgets which partitions exist (after retention dropped some). */
  forgetPartitions(): void {
    this.#partitions.clear();
  }

  async #ensureDays(days: Set<number>): Promise<void> {
    const missing = [...days].filter((d) => !this.#partitions.has(d)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    for (const d of missing) await ensurePartitions(this.db, SAMPLES, d, d);
    for (const d of missing) this.#partitions.add(d);
  }

  /** Returns true when the duplicate-safe path was taken. */
  async #insertChunk(
    rows: ReadonlyArray<readonly [number, number, number, bigint | null]>,
  ): Promise<boolean> {
    // Fast path: one COPY in its own implicit transaction (atomic: all rows or none), one round trip.
    try {
      await this.db.copy({ table: 'ispm_samples', columns: COLUMNS, rows, binary: TYPES });
      return false;
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
    }
    // Some rows are already stored (a retried batch): stage them and skip the duplicates.
    await this.db.transaction(async (tx) => {
      await tx.query(
        `CREATE TEMP TABLE IF NOT EXISTS ispm_staging (
           series_id integer, ts timestamptz, value double precision, raw bigint) ON COMMIT DELETE ROWS`,
      );
      await tx.copy({ table: 'ispm_staging', columns: COLUMNS, rows, binary: TYPES });
      await tx.query(
        `INSERT INTO ispm_samples (series_id, ts, value, raw)
         SELECT series_id, ts, value, raw FROM ispm_staging ON CONFLICT (series_id, ts) DO NOTHING`,
      );
    });
    return true;
  }
}
