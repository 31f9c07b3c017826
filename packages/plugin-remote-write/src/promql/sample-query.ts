import type { Clock, Labels, RangeQuery, Sample, SampleQuery, SeriesData } from '@ispmonitor/core';
import { labelName, metricName, readBackLabels } from '../labels.js';
import { PromClient, type PromQueryTarget, promDuration, selector } from './client.js';

/** Options of the PromQL reader. */
export interface PromSampleQueryOptions extends PromQueryTarget {
  /**
   * The longest poll interval of the devices, in ms (default 60 s): a `rate` or `increase`
   * bucket reaches back this much further, so the pair of samples spanning its start counts, as
   * it does in PostgreSQL.
   */
  pollInterval?: number;
  /** Time source (the monitor's clock); default the system's. */
  clock?: Pick<Clock, 'now'>;
}

const OVER_TIME = {
  avg: 'avg_over_time',
  min: 'min_over_time',
  max: 'max_over_time',
  last: 'last_over_time',
} as const;

/** Equality matchers with label names made valid the way the writer made them. */
function matchers(labels: Labels = {}): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) out[labelName(k)] = v;
  return out;
}

const byLabels = (a: { labels: Labels }, b: { labels: Labels }) =>
  JSON.stringify(Object.entries(a.labels).sort()).localeCompare(
    JSON.stringify(Object.entries(b.labels).sort()),
  );

/**
 * The monitor's sample reads (`SampleQuery`: `range`, `latest`) answered from a
 * Prometheus-compatible query API, with the results PostgreSQL's reader gives for the same
 * samples, within the engine's step rounding:
 *
 * - `raw`: the raw samples in [from, to] (a range selector at `to`);
 * - `avg`/`min`/`max`/`last`: bucket `[t, t + step)` is `*_over_time(m[step])` evaluated at
 *   `t + step`, reported at `t`, as PostgreSQL reports a bucket at its start;
 * - `rate`: `rate(m[step + pollInterval])` at `t + step`; `increase`: that rate × step.
 *   PromQL extrapolates to the window's edges where PostgreSQL sums whole sample pairs, so
 *   values differ slightly at series starts and ends; counter resets are handled by both.
 * - `latest`: the newest sample of each series within the engine's lookback (5 min by default),
 *   with its own timestamp.
 */
export class PromSampleQuery implements SampleQuery {
  readonly client: PromClient;
  readonly #pollInterval: number;
  readonly #now: () => number;

  constructor(options: PromSampleQueryOptions) {
    this.client = new PromClient(options);
    this.#pollInterval = options.pollInterval ?? 60_000;
    const clock = options.clock;
    this.#now = clock ? () => clock.now() : () => Date.now();
  }

  async range(q: RangeQuery): Promise<SeriesData[]> {
    const fn = q.fn ?? 'raw';
    if (!(q.to >= q.from) || !Number.isFinite(q.from) || !Number.isFinite(q.to))
      throw new RangeError('bad time range');
    const sel = selector(metricName(q.name), matchers(q.labels));
    const asked = Object.keys(q.labels ?? {});
    if (fn === 'raw') {
      const got = await this.client.instant(`${sel}[${promDuration(q.to - q.from + 1)}]`, q.to);
      return got
        .map((s) => ({
          labels: readBackLabels(s.labels, asked),
          points: s.points.filter(([t]) => t >= q.from && t <= q.to),
        }))
        .sort(byLabels);
    }
    if (!(q.step > 0)) throw new RangeError('step must be > 0');
    let expr: string;
    if (fn === 'rate' || fn === 'increase') {
      expr = `rate(${sel}[${promDuration(q.step + this.#pollInterval)}])`;
      if (fn === 'increase') expr = `${expr} * ${q.step / 1000}`;
    } else if (fn in OVER_TIME) {
      expr = `${OVER_TIME[fn as keyof typeof OVER_TIME]}(${sel}[${promDuration(q.step)}])`;
    } else throw new RangeError(`unknown fn ${String(fn)}`);
    const buckets = Math.floor((q.to - q.from) / q.step) + 1;
    const got = await this.client.range(expr, q.from + q.step, q.from + buckets * q.step, q.step);
    return got
      .map((s) => ({
        labels: readBackLabels(s.labels, asked),
        points: s.points
          .map(([t, v]) => [t - q.step, v] as [number, number])
          .filter(([t, v]) => t >= q.from && t <= q.to && Number.isFinite(v)),
      }))
      .filter((s) => s.points.length > 0)
      .sort(byLabels);
  }

  async latest(name: string, labels?: Labels): Promise<Sample[]> {
    const sel = selector(metricName(name), matchers(labels));
    const now = this.#now();
    const [values, stamps] = await Promise.all([
      this.client.instant(sel, now),
      this.client.instant(`timestamp(${sel})`, now),
    ]);
    const key = (l: Labels) => JSON.stringify(Object.entries(l).sort());
    const at = new Map(stamps.map((s) => [key(s.labels), s.points[0]?.[1]]));
    const asked = Object.keys(labels ?? {});
    return values
      .flatMap((s) => {
        const point = s.points[0];
        if (!point) return [];
        const ts = at.get(key(s.labels));
        return [
          {
            name,
            labels: readBackLabels(s.labels, asked),
            value: point[1],
            ts: ts === undefined ? point[0] : Math.round(ts * 1000),
          },
        ];
      })
      .sort(byLabels);
  }

  /** Closes idle connections. */
  close(): void {
    this.client.close();
  }
}
