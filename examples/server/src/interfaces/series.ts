import type { SampleQuery, SeriesData } from '@ispmonitor/core';

/** Time series of one interface for its charts: traffic in bits/s, errors and discards per second. */
export interface InterfaceSeries {
  ifName: string;
  in: Array<[number, number]>;
  out: Array<[number, number]>;
  inErrors: Array<[number, number]>;
  outErrors: Array<[number, number]>;
  inDiscards: Array<[number, number]>;
  outDiscards: Array<[number, number]>;
}

const METRICS = {
  in: 'interface_in_octets_total',
  out: 'interface_out_octets_total',
  inErrors: 'interface_in_errors_total',
  outErrors: 'interface_out_errors_total',
  inDiscards: 'interface_in_discards_total',
  outDiscards: 'interface_out_discards_total',
} as const;
type Key = keyof typeof METRICS;
const KEYS = Object.keys(METRICS) as Key[];

/**
 * Routers with at most this many interfaces are read router-wide whatever the choice: six
 * queries (a few statements each) instead of six per charted interface, for a few thousand rows
 * more — on PGlite, which runs one statement at a time, the statements are what the page waits for.
 */
const ROUTER_WIDE_MAX = 64;

/** Octets are charted as bits. */
const scale = (k: Key) => (k === 'in' || k === 'out' ? 8 : 1);

/**
 * Every chart series of the chosen interfaces of one router over a range, in one answer: the
 * six counters as per-second rates per step. A few interfaces out of many are read one by one
 * (each query touches only its series); on a router of up to 64 interfaces, or many charted, they
 * are read router-wide and filtered (one query per counter beats dozens of small ones).
 */
export async function interfaceSeries(opts: {
  samples: SampleQuery;
  device: string;
  ifNames: string[];
  /** How many interfaces the router has: decides between the two ways of reading. */
  total: number;
  from: number;
  to: number;
  step: number;
}): Promise<InterfaceSeries[]> {
  const { samples, device, ifNames, from, to, step } = opts;
  const wanted = new Set(ifNames);
  const found = new Map<string, InterfaceSeries>(
    ifNames.map((n) => [
      n,
      { ifName: n, in: [], out: [], inErrors: [], outErrors: [], inDiscards: [], outDiscards: [] },
    ]),
  );
  const put = (k: Key, series: SeriesData[]) => {
    for (const s of series) {
      const name = s.labels.ifName;
      const row = name !== undefined && wanted.has(name) ? found.get(name) : undefined;
      if (!row) continue;
      const f = scale(k);
      // A bucket reaching past the range's end is still filling (its rate would dip): left out.
      const whole = s.points.filter(([t]) => t + step <= to + 1);
      row[k] = f === 1 ? whole : whole.map(([t, v]) => [t, v * f]);
    }
  };
  const one = (name: string, labels: Record<string, string>) =>
    samples.range({ name, labels, from, to, step, fn: 'rate' });
  if (opts.total > ROUTER_WIDE_MAX && ifNames.length * 4 <= opts.total) {
    await Promise.all(
      ifNames.flatMap((ifName) => KEYS.map(async (k) => put(k, await one(METRICS[k], { device, ifName })))),
    );
  } else {
    await Promise.all(KEYS.map(async (k) => put(k, await one(METRICS[k], { device }))));
  }
  return ifNames.map((n) => found.get(n) as InterfaceSeries);
}
