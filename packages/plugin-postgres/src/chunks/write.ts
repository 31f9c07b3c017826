import type { CopySpec, Queryable } from '../db/types.js';
import { summarize } from './aggregate.js';
import { type ChunkRow, chunkCopy } from './chunk-copy.js';
import type { ChunkSamples, Exact } from './codec.js';
import type { EncodedWindow } from './times.js';

const iso = (ms: number) => new Date(ms).toISOString();
const UPSERT = `ON CONFLICT (series_id, start_ts) DO UPDATE SET first_ts = excluded.first_ts, last_ts = excluded.last_ts,
       count = excluded.count, min = excluded.min, max = excluded.max, sum = excluded.sum, first = excluded.first,
       last = excluded.last, first_raw = excluded.first_raw, last_raw = excluded.last_raw,
       increase = excluded.increase, data = excluded.data`;

/** A transaction that can also bulk-load. */
export type CopyTx = Queryable & { copy(spec: CopySpec): Promise<number> };

/**
 * Writes the chunks of one window (or merged day) starting at `start`, with their plain columns
 * computed from the samples and the shared times they need. New chunks go by binary COPY into
 * `into.table` (the chunk table, or a new day partition being filled); the series in
 * `into.replace` have a chunk stored under the same key already (re-opened by late rows: the
 * caller read it in this transaction, under the maintenance lock) and it is replaced.
 */
export async function insertChunks(
  tx: CopyTx,
  start: number,
  bySeries: ReadonlyMap<number, ChunkSamples>,
  counter: ReadonlySet<number>,
  encoded: EncodedWindow,
  into: { table: string; replace: ReadonlySet<number> } = { table: 'ispm_chunks', replace: new Set() },
): Promise<void> {
  if (encoded.times.length > 0)
    await tx.query(
      `INSERT INTO ispm_chunk_times (series_id, start_ts, data)
       SELECT id, $2::timestamptz, decode(d, 'hex') FROM unnest($1::int[], $3::text[]) AS t(id, d)`,
      [
        encoded.times.map((t) => t.id),
        iso(start),
        encoded.times.map((t) => Buffer.from(t.data).toString('hex')),
      ],
    );
  const fresh: ChunkRow[] = [];
  const again: ChunkRow[] = [];
  for (const [id, s] of bySeries) {
    const row = { id, sum: summarize(s, counter.has(id)), data: encoded.data.get(id) as Uint8Array };
    (into.replace.has(id) ? again : fresh).push(row);
  }
  if (fresh.length > 0) await tx.copy(chunkCopy(into.table, start, fresh));
  if (again.length > 0) await replaceChunks(tx, start, again);
}

/** Chunks that replace the stored ones under the same key (rare: windows re-opened by late rows). */
async function replaceChunks(tx: Queryable, start: number, rows: readonly ChunkRow[]): Promise<void> {
  const col = <T>(f: (r: ChunkRow) => T) => rows.map(f);
  const raw = (x: Exact | null) => (x === null ? null : String(x));
  await tx.query(
    `INSERT INTO ispm_chunks (series_id, start_ts, first_ts, last_ts, count, min, max, sum, first, last,
                              first_raw, last_raw, increase, data)
     SELECT id, $2::timestamptz, to_timestamp(ft / 1000), to_timestamp(lt / 1000), n, lo, hi, total, fv, lv,
            fr, lr, inc, decode(d, 'hex')
       FROM unnest($1::int[], $3::float8[], $4::float8[], $5::int[], $6::float8[], $7::float8[], $8::float8[],
                   $9::float8[], $10::float8[], $11::bigint[], $12::bigint[], $13::float8[], $14::text[])
            AS t(id, ft, lt, n, lo, hi, total, fv, lv, fr, lr, inc, d)
     ${UPSERT}`,
    [
      col((r) => r.id),
      iso(start),
      col((r) => r.sum.firstTs),
      col((r) => r.sum.lastTs),
      col((r) => r.sum.count),
      col((r) => r.sum.min),
      col((r) => r.sum.max),
      col((r) => r.sum.sum),
      col((r) => r.sum.first),
      col((r) => r.sum.last),
      col((r) => raw(r.sum.firstRaw)),
      col((r) => raw(r.sum.lastRaw)),
      col((r) => r.sum.increase),
      col((r) => Buffer.from(r.data).toString('hex')),
    ],
  );
}
