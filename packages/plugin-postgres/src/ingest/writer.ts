import type { Sample } from '@ispmonitor/core';
import type { Db } from '../db/types.js';
import { lateBuckets, markDirty } from '../maintenance/rollups.js';
import { ensurePartitions, SAMPLES } from '../schema/partitions.js';
import { RAW_BIG, RAW_NONE, RAW_VALUE, SampleColumns } from './columns.js';
import { canonicalLabels, isWellFormed, seriesKind, storableSeries } from './encode.js';
import type { SeriesCache, SeriesKey } from './series.js';

const DAY = 86_400_000;
const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;
const NO_LABELS = Object.freeze({});

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
    // Rows go straight into column arrays; series not in the cache are resolved after the loop.
    const rows = new SampleColumns(batch.length);
    const { ids, ts, value, raw, big } = rows;
    // Series not in the cache, each once (by name, then canonical labels), and for each row
    // that needs one, which: indexes, not a map of string keys per row (see resolveList).
    const unknown: SeriesKey[] = [];
    const unknownAt = new Map<string, Map<string, number>>();
    const unknownRows: number[] = [];
    const unknownOf: number[] = [];
    const days = new Set<number>();
    let lastDay = Number.NaN;
    let minTs = Number.POSITIVE_INFINITY;
    let n = 0;
    for (const s of batch) {
      if (!isWellFormed(s)) {
        reject('malformed');
        continue;
      }
      const v = s.value;
      let kind = RAW_NONE;
      let num: number;
      let pattern: bigint | undefined;
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) {
          reject('value');
          continue;
        }
        num = v;
        // Only safe integers are exact in a double; larger numbers already lost precision upstream.
        if (v >= 0 && Number.isSafeInteger(v)) kind = RAW_VALUE;
      } else if (typeof v === 'bigint' && v >= -TWO_63 && v < TWO_64) {
        num = Number(v);
        if (v >= 0n) {
          kind = RAW_BIG;
          pattern = v >= TWO_63 ? v - TWO_64 : v;
        }
      } else {
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
      const t = Math.trunc(s.ts);
      const labels = s.labels ?? NO_LABELS;
      const id = this.series.get(s.name, labels);
      if (id === undefined) {
        // First sight (or evicted): resolved after the loop, each series once per batch.
        const canonical = canonicalLabels(labels);
        let byLabels = unknownAt.get(s.name);
        if (byLabels === undefined) {
          byLabels = new Map();
          unknownAt.set(s.name, byLabels);
        }
        let at = byLabels.get(canonical);
        if (at === undefined) {
          if (!storableSeries(s.name, labels, canonical)) {
            reject('malformed');
            continue;
          }
          at = unknown.length;
          byLabels.set(canonical, at);
          const kind = seriesKind(s.name, this.options.counters);
          unknown.push({ name: s.name, labels: canonical, kind, source: labels });
        }
        unknownRows.push(n);
        unknownOf.push(at);
      } else ids[n] = id;
      ts[n] = t;
      value[n] = num;
      raw[n] = kind;
      if (pattern !== undefined) big.set(n, pattern);
      if (t < minTs) minTs = t;
      const day = Math.floor(t / DAY);
      if (day !== lastDay) {
        days.add(day * DAY);
        lastDay = day;
      }
      n++;
    }
    rows.length = n;
    if (n === 0) return { accepted: 0, rejected, deduplicated: false };

    await this.#ensureDays(days);
    if (unknown.length > 0) {
      const resolved = await this.series.resolveList(unknown);
      for (let j = 0; j < unknownRows.length; j++)
        ids[unknownRows[j] as number] = resolved[unknownOf[j] as number] as number;
    }
    // Chunks go out on up to `parallel` connections at once: the server ingests on several cores
    // while this process encodes the next chunk. A write can then half-succeed; that is safe,
    // because a retry of the whole batch skips the rows already stored.
    const size = Math.max(
      this.options.minParallelChunk,
      Math.min(this.options.chunkSize, Math.ceil(n / this.options.parallel)),
    );
    // At most `parallel` chunks in flight: a batch larger than `chunkSize` goes in turn.
    const ranges: Array<[number, number]> = [];
    for (let i = 0; i < n; i += size) ranges.push([i, Math.min(n, i + size)]);
    let next = 0;
    const lane = async (): Promise<boolean> => {
      let dedup = false;
      for (let r = ranges[next++]; r !== undefined; r = ranges[next++])
        dedup = (await this.#insertWithRetry(rows, r[0], r[1], days)) || dedup;
      return dedup;
    };
    const lanes = Array.from({ length: Math.min(this.options.parallel, ranges.length) }, lane);
    const deduplicated = (await Promise.all(lanes)).some(Boolean);
    // After the rows are stored (a failure here fails the batch; its retry stores nothing twice).
    if (this.options.rollups) {
      const at = this.options.now();
      if (lateBuckets([minTs], at).length > 0) await markDirty(this.db, lateBuckets(ts.subarray(0, n), at));
    }
    return { accepted: n, rejected, deduplicated };
  }

  async #insertWithRetry(rows: SampleColumns, from: number, to: number, days: Set<number>): Promise<boolean> {
    try {
      return await this.#insertChunk(rows, from, to);
    } catch (err) {
      // 23514: no partition for a row — another replica's retention dropped one we had cached.
      if ((err as { code?: string }).code !== '23514') throw err;
      this.#partitions.clear();
      await this.#ensureDays(days);
      return this.#insertChunk(rows, from, to);
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
  async #insertChunk(rows: SampleColumns, from: number, to: number): Promise<boolean> {
    // Fast path: one COPY in its own implicit transaction (atomic: all rows or none), one round
    // trip; the rows are encoded piece by piece while the server stores the pieces before.
    try {
      await this.db.copy({ table: 'ispm_samples', columns: COLUMNS, payload: rows.payload(from, to) });
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
      await tx.copy({ table: 'ispm_staging', columns: COLUMNS, payload: rows.payload(from, to) });
      await tx.query(
        `INSERT INTO ispm_samples (series_id, ts, value, raw)
         SELECT series_id, ts, value, raw FROM ispm_staging ON CONFLICT (series_id, ts) DO NOTHING`,
      );
    });
    return true;
  }
}
