// The live figures of a router's interface table: per-second rates of the newest pair of
// counter readings and an hour of sparklines, from this process's polls (memory) or from storage.
import { type Device, parseDuration, type SampleQuery, type SeriesData } from '@ispmonitor/core';
import { type CounterIndex, type LiveRouter, SPARK_POINTS, SPARK_STEP_MS } from './live.js';
import { lastRate, type Reading } from './rates.js';

/** The sparkline's span: SPARK_POINTS buckets. */
export const SPARK_MS = SPARK_POINTS * SPARK_STEP_MS;

const COUNTERS = {
  inOctets: 'interface_in_octets_total',
  outOctets: 'interface_out_octets_total',
  inErrors: 'interface_in_errors_total',
  outErrors: 'interface_out_errors_total',
  inDiscards: 'interface_in_discards_total',
  outDiscards: 'interface_out_discards_total',
} as const;
export type Counter = keyof typeof COUNTERS;

/**
 * How far back the live rates look: ten polls (at least two minutes), so the last two readings
 * are in it even when polls run late on a busy poller; never beyond 30 minutes, so a router that
 * stopped answering does not show old traffic as live (`at` says how old the readings are).
 */
export function rateWindowMs(interval: Device['interval']): number {
  let ms = 60_000;
  try {
    if (interval !== undefined) ms = parseDuration(interval);
  } catch {
    // A malformed interval was refused when the device was added; keep the default.
  }
  return Math.min(30 * 60_000, Math.max(120_000, 10 * ms));
}

const byIfName = (series: SeriesData[]) => {
  const out = new Map<string, Array<[number, number]>>();
  for (const s of series) if (s.labels.ifName) out.set(s.labels.ifName, s.points);
  return out;
};

/** The sparkline values on a fixed grid of `SPARK_POINTS` steps, null where nothing is stored. */
function onGrid(
  points: Array<[number, number]> | undefined,
  from: number,
  step: number,
): Array<number | null> {
  const out: Array<number | null> = new Array(SPARK_POINTS).fill(null);
  for (const [t, v] of points ?? []) {
    const i = Math.round((t - from) / step);
    if (i >= 0 && i < SPARK_POINTS && Number.isFinite(v)) out[i] = v * 8;
  }
  return out;
}

/** Live rates and sparklines of a router's interfaces, from memory or from storage. */
export interface Readings {
  at: number | null;
  rate(k: Counter, ifName: string): number | undefined;
  spark(ifName: string): { in: Array<number | null>; out: Array<number | null> };
}

export const NO_SPARK = () => ({
  in: new Array(SPARK_POINTS).fill(null),
  out: new Array(SPARK_POINTS).fill(null),
});

/**
 * The readings from storage: six counters read raw over a short window (two readings per series
 * give the live rate, wrap and reset handled), and two rate queries for the hour of sparklines.
 */
export async function storedReadings(
  samples: SampleQuery,
  device: Device,
  now: number,
  sparkFrom: number,
  sparkTo: number,
): Promise<Readings> {
  const step = SPARK_MS / SPARK_POINTS;
  const labels = { device: device.id };
  const from = now - rateWindowMs(device.interval);
  const names = Object.keys(COUNTERS) as Counter[];
  const [raw, spIn, spOut] = await Promise.all([
    Promise.all(
      names.map((k) => samples.range({ name: COUNTERS[k], labels, from, to: now, step: 1, fn: 'raw' })),
    ),
    samples.range({ name: COUNTERS.inOctets, labels, from: sparkFrom, to: sparkTo, step, fn: 'rate' }),
    samples.range({ name: COUNTERS.outOctets, labels, from: sparkFrom, to: sparkTo, step, fn: 'rate' }),
  ]);
  let at: number | null = null;
  const rates = new Map<Counter, Map<string, number | undefined>>();
  names.forEach((k, i) => {
    const m = new Map<string, number | undefined>();
    for (const s of raw[i] ?? []) {
      if (!s.labels.ifName) continue;
      m.set(s.labels.ifName, lastRate(s.points as Reading[]));
      const last = s.points.at(-1)?.[0];
      if (last !== undefined && (at === null || last > at)) at = last;
    }
    rates.set(k, m);
  });
  const sparkIn = byIfName(spIn);
  const sparkOut = byIfName(spOut);
  return {
    at,
    rate: (k, name) => rates.get(k)?.get(name),
    spark: (name) => ({
      in: onGrid(sparkIn.get(name), sparkFrom, step),
      out: onGrid(sparkOut.get(name), sparkFrom, step),
    }),
  };
}

const COUNTER_INDEX: Record<Counter, CounterIndex> = {
  inOctets: 0,
  outOctets: 1,
  inErrors: 2,
  outErrors: 3,
  inDiscards: 4,
  outDiscards: 5,
};

/** Sparkline reads of stored history in flight, one per router. */
const seeding = new WeakMap<LiveRouter, Promise<void>>();

/**
 * Once per router and process: the stored sparkline buckets of the hour before this process saw
 * the router (a restart, a router added or taken over lately) are read into its ring, so its
 * sparklines do not start empty. Nothing to read when the ring already covers the hour.
 */
async function seedSpark(
  live: LiveRouter,
  samples: SampleQuery | undefined,
  device: string,
  sparkFrom: number,
  sparkTo: number,
): Promise<void> {
  if (live.seeded) return;
  if (!samples || live.since <= sparkFrom) {
    live.seeded = true;
    return;
  }
  let pending = seeding.get(live);
  if (!pending) {
    const step = SPARK_MS / SPARK_POINTS;
    const read = (name: string) =>
      samples.range({ name, labels: { device }, from: sparkFrom, to: sparkTo, step, fn: 'rate' });
    pending = Promise.all([read(COUNTERS.inOctets), read(COUNTERS.outOctets)])
      .then(([spIn, spOut]) => {
        const ins = byIfName(spIn);
        const outs = byIfName(spOut);
        for (const name of new Set([...ins.keys(), ...outs.keys()])) {
          const i = new Map(ins.get(name) ?? []);
          const o = new Map(outs.get(name) ?? []);
          // Stored rates are octets per second; the ring keeps bits.
          const bits = (v: number | undefined) => (v === undefined ? undefined : v * 8);
          for (const t of new Set([...i.keys(), ...o.keys()]))
            live.seedBucket(name, t, bits(i.get(t)), bits(o.get(t)));
        }
        live.seeded = true;
      })
      .finally(() => seeding.delete(live));
    seeding.set(live, pending);
  }
  // A failed read leaves the sparklines to what the ring has; the next load tries again.
  await pending.catch(() => undefined);
}

/**
 * The readings from this process's own polls (no storage query once the ring covers the hour):
 * the newest pair of each counter, unless the newest reading is older than the rate window.
 */
export async function liveReadings(opts: {
  live: LiveRouter;
  samples: SampleQuery | undefined;
  device: Device;
  now: number;
  sparkFrom: number;
  sparkTo: number;
}): Promise<Readings> {
  const { live, device, now, sparkFrom, sparkTo } = opts;
  await seedSpark(live, opts.samples, device.id, sparkFrom, sparkTo);
  const fresh = live.at !== undefined && live.at >= now - rateWindowMs(device.interval);
  return {
    at: fresh ? (live.at as number) : null,
    rate: (k, name) => (fresh ? live.rate(name, COUNTER_INDEX[k]) : undefined),
    spark: (name) => live.spark(name, sparkFrom, SPARK_POINTS),
  };
}
