import type { Labels, RangeQuery, Sample, SampleQuery, SeriesData } from '@ispmonitor/core';
import { chunkWatermark, loadSamples } from '../chunks/read.js';
import { virtualRollupPartials } from '../chunks/virtual.js';
import type { Queryable } from '../db/types.js';
import { IMPORTED_LEVEL } from '../history-import/series.js';
import { decodeValue } from '../ingest/encode.js';
import { ROLLUP_SETTLE_MS } from '../maintenance/rollups.js';
import { finalize, mergePartial, type Partial, readPartials } from './partials.js';
import { chooseSource, type Retention, ROLLUP_STEP, type Source } from './source.js';

const FNS = new Set(['raw', 'rate', 'increase', 'avg', 'min', 'max', 'last']);
/** Points one query may return; a wider request is refused rather than exhausting memory. */
export const MAX_POINTS = 1_000_000;
const FIVE_MIN = 300_000;
const HOUR = 3_600_000;

/** A series matched by name and labels. */
export interface SeriesRow {
  id: number;
  labels: Labels;
}

/**
 * Reads stored samples: raw points, or per-step aggregates from the table `chooseSource` picks.
 * When a rollup is read, the part after the rollup's watermark (not yet rolled up) is read from
 * the raw samples and merged, so recent buckets are never missing.
 */
export class SampleReader implements SampleQuery {
  constructor(
    private readonly db: Queryable,
    private readonly retention: Retention,
    private readonly now: () => number,
  ) {}

  /** Series of `name` whose labels include `labels`. */
  async series(name: string, labels: Labels = {}): Promise<SeriesRow[]> {
    const res = await this.db.query<{ id: number; labels: Labels }>(
      `SELECT id, labels FROM ispm_series
        WHERE name = $1 AND labels @> $2::jsonb AND ($3::text IS NULL OR device = $3) ORDER BY id`,
      [name, JSON.stringify(labels), labels.device ?? null],
    );
    return res.rows.map((r) => ({ id: Number(r.id), labels: r.labels }));
  }

  async latest(name: string, labels: Labels = {}): Promise<Sample[]> {
    const res = await this.db.query<{ labels: Labels; value: number; raw: string | null; ts: number }>(
      `SELECT s.labels, x.value, x.raw::text AS raw, (extract(epoch FROM x.ts) * 1000)::float8 AS ts
         FROM ispm_series s
         CROSS JOIN LATERAL (
           SELECT value, raw, ts FROM (
             (SELECT value, raw, ts, 1 AS pick FROM ispm_samples WHERE series_id = s.id ORDER BY ts DESC LIMIT 1)
             UNION ALL
             -- The latest day's chunks: a late chunk beside a merged day may start after the
             -- day's own chunk yet end before it.
             (SELECT last, last_raw, last_ts, 0 FROM ispm_chunks c WHERE c.series_id = s.id
                 AND c.start_ts > (SELECT max(m.start_ts) FROM ispm_chunks m WHERE m.series_id = s.id) - interval '1 day'
               ORDER BY c.last_ts DESC, c.start_ts LIMIT 1)) u
           ORDER BY ts DESC, pick LIMIT 1) x
        WHERE s.name = $1 AND s.labels @> $2::jsonb AND ($3::text IS NULL OR s.device = $3) ORDER BY s.id`,
      [name, JSON.stringify(labels), labels.device ?? null],
    );
    return res.rows.map((r) => ({
      name,
      labels: r.labels,
      value: decodeValue(Number(r.value), r.raw),
      ts: Number(r.ts),
    }));
  }

  /** Exact raw readings (bigint beyond 2^53) of one series in [from, to]. */
  async rawExact(name: string, labels: Labels, from: number, to: number): Promise<Sample[]> {
    const mark = await chunkWatermark(this.db);
    if (mark !== undefined && from < mark) {
      const series = await this.series(name, labels);
      const samples = await loadSamples(
        this.db,
        series.map((s) => s.id),
        { from, to, toInclusive: true },
      );
      return series.flatMap((s) => {
        const d = samples.get(s.id);
        if (!d) return [];
        return d.ts.map((ts, i) => ({
          name,
          labels: s.labels,
          value: decodeValue(d.values[i] as number, d.raws[i] ?? null),
          ts,
        }));
      });
    }
    const res = await this.db.query<{ labels: Labels; value: number; raw: string | null; ts: number }>(
      `SELECT s.labels, x.value, x.raw::text AS raw, (extract(epoch FROM x.ts) * 1000)::float8 AS ts
         FROM ispm_series s JOIN ispm_samples x ON x.series_id = s.id
        WHERE s.name = $1 AND s.labels @> $2::jsonb AND x.ts >= $3::timestamptz AND x.ts <= $4::timestamptz
          AND ($5::text IS NULL OR s.device = $5)
        ORDER BY s.id, x.ts`,
      [
        name,
        JSON.stringify(labels),
        new Date(from).toISOString(),
        new Date(to).toISOString(),
        labels.device ?? null,
      ],
    );
    return res.rows.map((r) => ({
      name,
      labels: r.labels,
      value: decodeValue(Number(r.value), r.raw),
      ts: Number(r.ts),
    }));
  }

  async range(q: RangeQuery): Promise<SeriesData[]> {
    const fn = q.fn ?? 'raw';
    if (!FNS.has(fn)) throw new RangeError(`unknown fn ${String(fn)}`);
    if (!(q.to >= q.from) || !Number.isFinite(q.from) || !Number.isFinite(q.to))
      throw new RangeError('bad time range');
    if (fn !== 'raw' && !(q.step > 0)) throw new RangeError('step must be > 0');
    const series = await this.series(q.name, q.labels);
    if (series.length === 0) return [];
    if (fn === 'raw') return this.#raw(series, q.from, q.to);
    const buckets = Math.floor((q.to - q.from) / q.step) + 1;
    if (buckets * series.length > MAX_POINTS)
      throw new RangeError(`query would return over ${MAX_POINTS} points`);
    const source = this.source(q);
    const parts = await this.#partials(source, series, q);
    return series.map((s) => {
      const points: Array<[number, number]> = [];
      for (let b = 0; b < buckets; b++) {
        const p = parts.get(`${s.id}:${b}`);
        const v = p && finalize(p, fn, q.step);
        if (v !== undefined && Number.isFinite(v)) points.push([q.from + b * q.step, v]);
      }
      return { labels: s.labels, points };
    });
  }

  /** The table a query reads (exposed for tests and for the API's explain output). */
  source(q: Pick<RangeQuery, 'from' | 'to' | 'step' | 'fn'>): Source {
    return chooseSource(
      { from: q.from, to: q.to, step: q.step, fn: q.fn ?? 'raw' },
      this.now(),
      this.retention,
    );
  }

  async #raw(series: SeriesRow[], from: number, to: number): Promise<SeriesData[]> {
    const mark = await chunkWatermark(this.db);
    if (mark !== undefined && from < mark) {
      const samples = await loadSamples(
        this.db,
        series.map((s) => s.id),
        { from, to, toInclusive: true },
      );
      let total = 0;
      for (const d of samples.values()) total += d.ts.length;
      if (total > MAX_POINTS) throw new RangeError(`query would return over ${MAX_POINTS} points`);
      return series.map((s) => {
        const d = samples.get(s.id);
        return {
          labels: s.labels,
          points: d ? d.ts.map((t, i): [number, number] => [t, d.values[i] as number]) : [],
        };
      });
    }
    const res = await this.db.query<{ series_id: number; ts: number; value: number }>(
      `SELECT series_id, (extract(epoch FROM ts) * 1000)::float8 AS ts, value FROM ispm_samples
        WHERE series_id = ANY($1::int[]) AND ts >= $2::timestamptz AND ts <= $3::timestamptz
        ORDER BY series_id, ts LIMIT ${MAX_POINTS + 1}`,
      [series.map((s) => s.id), new Date(from).toISOString(), new Date(to).toISOString()],
    );
    if (res.rows.length > MAX_POINTS) throw new RangeError(`query would return over ${MAX_POINTS} points`);
    const byId = new Map<number, Array<[number, number]>>(series.map((s) => [s.id, []]));
    for (const r of res.rows) byId.get(Number(r.series_id))?.push([Number(r.ts), Number(r.value)]);
    return series.map((s) => ({ labels: s.labels, points: byId.get(s.id) ?? [] }));
  }

  async #partials(source: Source, series: SeriesRow[], q: RangeQuery): Promise<Map<string, Partial>> {
    const ids = series.map((s) => s.id);
    const end = q.to + 1;
    const chunksUntil = await chunkWatermark(this.db);
    const lookbackMs = Math.max(q.step, 15 * 60_000);
    if (source === 'raw') {
      return readPartials(
        this.db,
        'raw',
        {
          ids,
          origin: q.from,
          step: q.step,
          start: q.from,
          end,
          lookbackMs,
        },
        chunksUntil,
      );
    }
    // Rollup buckets are complete up to the watermark; the rest comes from raw samples.
    const level = source === '5m' ? 'rollup_5m' : 'rollup_1h';
    const mark = await this.db.query<{ t: number | null }>(
      'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
      [level],
    );
    const width = ROLLUP_STEP[source];
    const alignedFrom = Math.floor(q.from / width) * width;
    const stored = Number(mark.rows[0]?.t ?? alignedFrom);
    // With chunks, rollups are written at compaction: the buckets the row layout's rounds would
    // hold by now are computed from the hot rows, so answers do not depend on the layout.
    let rolled = stored;
    if (chunksUntil !== undefined) {
      const five = Math.floor((this.now() - ROLLUP_SETTLE_MS) / FIVE_MIN) * FIVE_MIN;
      rolled = Math.max(stored, source === '5m' ? five : Math.floor(five / HOUR) * HOUR);
    }
    const headEnd = Math.min(end, Math.max(alignedFrom, stored));
    const watermark = Math.min(end, Math.max(alignedFrom, rolled));
    const head = await readPartials(this.db, source, {
      ids,
      origin: q.from,
      step: q.step,
      start: alignedFrom,
      end: headEnd,
      lookbackMs,
    });
    const mid = await virtualRollupPartials(this.db, source, {
      ids,
      start: headEnd,
      end: watermark,
      origin: q.from,
      step: q.step,
    });
    for (const [k, p] of mid) {
      const h = head.get(k);
      head.set(k, h ? mergePartial(h, p) : p);
    }
    // Rollup rows stored past the watermark by `importHistory` (history with no samples to
    // compute buckets from), up to where the import ended: its samples and the live ones are
    // disjoint, so a bucket holding both merges them. Past that, stored rows are a round's not
    // yet covered by its watermark, and are not read.
    const importedEnd = chunksUntil === undefined ? undefined : await importedUntil(this.db);
    if (importedEnd !== undefined && Math.min(watermark, importedEnd) > headEnd) {
      const imported = await readPartials(this.db, source, {
        ids,
        origin: q.from,
        step: q.step,
        start: headEnd,
        end: Math.min(watermark, importedEnd),
        lookbackMs,
      });
      for (const [k, p] of imported) {
        const h = head.get(k);
        head.set(k, h ? mergePartial(h, p) : p);
      }
    }
    const tail = await readPartials(
      this.db,
      'raw',
      { ids, origin: q.from, step: q.step, start: watermark, end, lookbackMs },
      chunksUntil,
    );
    for (const [k, p] of tail) {
      const h = head.get(k);
      head.set(k, h ? mergePartial(h, p) : p);
    }
    return head;
  }
}

/** Where imported history ends (`importHistory` with chunks on), if any was imported. */
async function importedUntil(db: Queryable): Promise<number | undefined> {
  const res = await db.query<{ t: number }>(
    'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
    [IMPORTED_LEVEL],
  );
  return res.rows[0] ? Number(res.rows[0].t) : undefined;
}
