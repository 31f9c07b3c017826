import type { Device, SampleQuery } from '@ispmonitor/core';
import type { InterfaceRow } from '../inventory/facts.js';
import { type LiveRouter, SPARK_POINTS } from './live.js';
import { type PortState, portState, uplinksOf, utilisation } from './rates.js';
import { type Counter, liveReadings, NO_SPARK, type Readings, SPARK_MS, storedReadings } from './readings.js';

/**
 * One row of a router's interface table: the interface as the inventory knows it, its state, and
 * live rates computed from counters. The web UI reads this type too (a type-only import).
 */
export interface InterfaceTableRow extends Omit<InterfaceRow, 'device' | 'speedBps' | 'addresses'> {
  /** Bits per second; null when the device does not say (RouterOS, virtual interfaces). */
  speedBps: number | null;
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

const round = (v: number | undefined, digits = 3) =>
  v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Builds a router's interface table in one go: the interfaces from inventory, their live rates
 * and an hour of sparklines from this process's own polls (`live`, no storage query), else from
 * storage (eight queries for the whole router, whatever its number of ports). Uplinks come
 * first, then the router's own order.
 */
export async function interfaceTable(opts: {
  device: Device;
  interfaces: InterfaceRow[];
  samples: SampleQuery | undefined;
  now: number;
  /** What this process's polls said of the router, when it polls it. */
  live?: LiveRouter;
}): Promise<InterfaceTable> {
  const { device, interfaces, samples, now, live } = opts;
  const uplinks = uplinksOf(device.labels);
  const step = SPARK_MS / SPARK_POINTS;
  // The grid's last bucket is the last complete one (a bucket still filling would show a dip),
  // on step boundaries so that consecutive loads draw the same buckets.
  const sparkTo = Math.floor(now / step) * step - step;
  const sparkFrom = sparkTo - (SPARK_POINTS - 1) * step;
  const readings: Readings | undefined = live?.hasRates()
    ? await liveReadings({ live, samples, device, now, sparkFrom, sparkTo })
    : samples
      ? await storedReadings(samples, device, now, sparkFrom, sparkTo)
      : undefined;
  const at = readings?.at ?? null;
  const rate = (k: Counter, name: string) => readings?.rate(k, name);
  const items = interfaces.map((i): InterfaceTableRow => {
    const spark = readings?.spark(i.name) ?? NO_SPARK();
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
      sparkIn: spark.in.map((v) => (v === null ? null : Math.round(v))),
      sparkOut: spark.out.map((v) => (v === null ? null : Math.round(v))),
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
