import { type Device, parseDuration, type SampleQuery, type SeriesData } from '@ispmonitor/core';
import type { InterfaceRow } from '../inventory/facts.js';
import { lastRate, type PortState, portState, type Reading, uplinksOf, utilisation } from './rates.js';

/** Points of a table row's sparkline (the last hour). */
export const SPARK_POINTS = 30;
const SPARK_MS = 3_600_000;

/** One row of a router's interface table, with live rates computed from stored counters. */
export interface InterfaceTableRow {
  id: string;
  index: number | string;
  name: string;
  alias?: string;
  description?: string;
  type?: string;
  mac?: string;
  /** Bits per second; null when the device does not say (RouterOS, virtual interfaces). */
  speedBps: number | null;
  adminUp?: boolean;
  operUp?: boolean;
  state: PortState;
  /** Named in the router's `uplinks` label. */
  uplink: boolean;
  inBps: number | null;
  outBps: number | null;
  /** Utilisation 0–1 of the speed, clamped; null when the speed or the rate is unknown. */
  inUtil: number | null;
  outUtil: number | null;
  inErrorsPerSec: number | null;
  outErrorsPerSec: number | null;
  inDiscardsPerSec: number | null;
  outDiscardsPerSec: number | null;
  /** In and out bits per second over the last hour, one value per step, null for a gap. */
  sparkIn: Array<number | null>;
  sparkOut: Array<number | null>;
}

/** The whole table of one router, as `GET /api/v1/routers/:id/interface-table` answers. */
export interface InterfaceTable {
  router: string;
  /** Newest counter reading the rates come from (epoch ms), null when none is stored. */
  at: number | null;
  /** Interface names of the `uplinks` label, in the label's order. */
  uplinks: string[];
  /** Whether rates could be read at all (a server without storage has none). */
  rates: boolean;
  spark: { from: number; step: number; points: number };
  items: InterfaceTableRow[];
}

const COUNTERS = {
  inOctets: 'interface_in_octets_total',
  outOctets: 'interface_out_octets_total',
  inErrors: 'interface_in_errors_total',
  outErrors: 'interface_out_errors_total',
  inDiscards: 'interface_in_discards_total',
  outDiscards: 'interface_out_discards_total',
} as const;
type Counter = keyof typeof COUNTERS;

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

const round = (v: number | undefined, digits = 3) =>
  v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Builds a router's interface table in one go: the interfaces from inventory, six counters read
 * raw over a short window (two readings per series give the live rate, wrap and reset handled),
 * and two rate queries for the hour of sparklines. Eight storage queries for the whole router,
 * whatever its number of ports; uplinks come first, then the router's own order.
 */
export async function interfaceTable(opts: {
  device: Device;
  interfaces: InterfaceRow[];
  samples: SampleQuery | undefined;
  now: number;
}): Promise<InterfaceTable> {
  const { device, interfaces, samples, now } = opts;
  const uplinks = uplinksOf(device.labels);
  const step = SPARK_MS / SPARK_POINTS;
  // The grid's last bucket is the last complete one (a bucket still filling would show a dip),
  // on step boundaries so that consecutive loads draw the same buckets.
  const sparkTo = Math.floor(now / step) * step - step;
  const sparkFrom = sparkTo - (SPARK_POINTS - 1) * step;
  const labels = { device: device.id };
  let at: number | null = null;
  const rates = new Map<Counter, Map<string, number | undefined>>();
  let sparkIn = new Map<string, Array<[number, number]>>();
  let sparkOut = new Map<string, Array<[number, number]>>();
  if (samples) {
    const from = now - rateWindowMs(device.interval);
    const names = Object.keys(COUNTERS) as Counter[];
    const [raw, spIn, spOut] = await Promise.all([
      Promise.all(
        names.map((k) => samples.range({ name: COUNTERS[k], labels, from, to: now, step: 1, fn: 'raw' })),
      ),
      samples.range({ name: COUNTERS.inOctets, labels, from: sparkFrom, to: sparkTo, step, fn: 'rate' }),
      samples.range({ name: COUNTERS.outOctets, labels, from: sparkFrom, to: sparkTo, step, fn: 'rate' }),
    ]);
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
    sparkIn = byIfName(spIn);
    sparkOut = byIfName(spOut);
  }
  const rate = (k: Counter, name: string) => rates.get(k)?.get(name);
  const items = interfaces.map((i): InterfaceTableRow => {
    const inOct = rate('inOctets', i.name);
    const outOct = rate('outOctets', i.name);
    const inBps = inOct === undefined ? undefined : inOct * 8;
    const outBps = outOct === undefined ? undefined : outOct * 8;
    const speed = i.speedBps !== undefined && i.speedBps > 0 ? i.speedBps : undefined;
    return {
      id: i.id,
      index: i.index,
      name: i.name,
      ...(i.alias ? { alias: i.alias } : {}),
      ...(i.description ? { description: i.description } : {}),
      ...(i.type ? { type: i.type } : {}),
      ...(i.mac ? { mac: i.mac } : {}),
      speedBps: speed ?? null,
      ...(i.adminUp !== undefined ? { adminUp: i.adminUp } : {}),
      ...(i.operUp !== undefined ? { operUp: i.operUp } : {}),
      state: portState(i.adminUp, i.operUp),
      uplink: uplinks.includes(i.name),
      inBps: round(inBps, 0),
      outBps: round(outBps, 0),
      inUtil: round(utilisation(inBps, speed), 6),
      outUtil: round(utilisation(outBps, speed), 6),
      inErrorsPerSec: round(rate('inErrors', i.name)),
      outErrorsPerSec: round(rate('outErrors', i.name)),
      inDiscardsPerSec: round(rate('inDiscards', i.name)),
      outDiscardsPerSec: round(rate('outDiscards', i.name)),
      sparkIn: onGrid(sparkIn.get(i.name), sparkFrom, step),
      sparkOut: onGrid(sparkOut.get(i.name), sparkFrom, step),
    };
  });
  const rank = (r: InterfaceTableRow) => {
    const u = uplinks.indexOf(r.name);
    return u === -1 ? uplinks.length : u;
  };
  // A stable sort: uplinks in the label's order, the rest as the router lists them.
  items.sort((a, b) => rank(a) - rank(b));
  return {
    router: device.id,
    at,
    uplinks,
    rates: samples !== undefined,
    spark: { from: sparkFrom, step, points: SPARK_POINTS },
    items,
  };
}
