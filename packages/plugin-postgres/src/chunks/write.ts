import type { Queryable } from '../db/types.js';
import { summarize } from './aggregate.js';
import type { ChunkSamples } from './codec.js';
import type { EncodedWindow } from './times.js';

const iso = (ms: number) => new Date(ms).toISOString();
const UPSERT = `ON CONFLICT (series_id, start_ts) DO UPDATE SET first_ts = excluded.first_ts, last_ts = excluded.last_ts,
       count = excluded.count, min = excluded.min, max = excluded.max, sum = excluded.sum, first = excluded.first,
       last = excluded.last, first_raw = excluded.first_raw, last_raw = excluded.last_raw,
       increase = excluded.increase, data = excluded.data`;

/**
 * Writes the chunks of one window (or merged day) starting at `start`, with their plain columns
 * computed from the samples and the shared times they need; a chunk already stored under the
 * same key is replaced. `into` is the chunk table, or a new day partition being filled (no key
 * yet: plain inserts).
 */
export async function insertChunks(
  tx: Queryable,
  start: number,
  bySeries: ReadonlyMap<number, ChunkSamples>,
  counter: ReadonlySet<number>,
  encoded: EncodedWindow,
  into: { table: string; upsert: boolean } = { table: 'ispm_chunks', upsert: true },
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

  const c = { id: [] as number[], first: [] as number[], last: [] as number[], n: [] as number[] };
  const agg = {
    min: [] as number[],
    max: [] as number[],
    sum: [] as number[],
    fv: [] as number[],
    lv: [] as number[],
  };
  const raws = {
    first: [] as Array<string | null>,
    last: [] as Array<string | null>,
    inc: [] as Array<number | null>,
  };
  const data: string[] = [];
  for (const [id, s] of bySeries) {
    const sum = summarize(s, counter.has(id));
    c.id.push(id);
    c.first.push(sum.firstTs);
    c.last.push(sum.lastTs);
    c.n.push(sum.count);
    agg.min.push(sum.min);
    agg.max.push(sum.max);
    agg.sum.push(sum.sum);
    agg.fv.push(sum.first);
    agg.lv.push(sum.last);
    raws.first.push(sum.firstRaw === null ? null : String(sum.firstRaw));
    raws.last.push(sum.lastRaw === null ? null : String(sum.lastRaw));
    raws.inc.push(sum.increase);
    data.push(Buffer.from(encoded.data.get(id) as Uint8Array).toString('hex'));
  }
  await tx.query(
    `INSERT INTO ${into.table} (series_id, start_ts, first_ts, last_ts, count, min, max, sum, first, last,
                              first_raw, last_raw, increase, data)
     SELECT id, $2::timestamptz, to_timestamp(ft / 1000), to_timestamp(lt / 1000), n, lo, hi, total, fv, lv,
            fr, lr, inc, decode(d, 'hex')
       FROM unnest($1::int[], $3::float8[], $4::float8[], $5::int[], $6::float8[], $7::float8[], $8::float8[],
                   $9::float8[], $10::float8[], $11::bigint[], $12::bigint[], $13::float8[], $14::text[])
            AS t(id, ft, lt, n, lo, hi, total, fv, lv, fr, lr, inc, d)
     ${into.upsert ? UPSERT : ''}`,
    [
      c.id,
      iso(start),
      c.first,
      c.last,
      c.n,
      agg.min,
      agg.max,
      agg.sum,
      agg.fv,
      agg.lv,
      raws.first,
      raws.last,
      raws.inc,
      data,
    ],
  );
}
