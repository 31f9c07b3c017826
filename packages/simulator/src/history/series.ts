/**
 * The time series of the demo's history, as 5-minute aggregates computed from the same models
 * the simulated devices answer from: the series the charts and the alert pack read (device_up,
 * CPU, memory, uptime, octets of uplinks and a few ports, PPPoE sessions, bound leases, wireless
 * clients), under the names and exact labels the live drivers stamp (the device's labels, then
 * the driver's). Older days are compacted to one bucket per hour (see `detailDays`).
 */
import type { Device } from '@ispmonitor/core';
import { catalog } from '@ispmonitor/core';
import type { SimDevice } from '../model/device.js';
import { bytesBetween } from '../model/traffic.js';
import type { ProfileName } from '../profiles/types.js';
import { interfaceBytes, resourceAt, TOTAL_MEMORY } from '../routeros/tables.js';
import type { HistoryBng } from './subscribers.js';
import type { HistoryBucket, HistorySeries } from './types.js';

/** An SNMP device of the demo: its definition, profile and model. */
export interface HistorySnmpDevice {
  device: Device;
  profile: ProfileName;
  sim: SimDevice;
}

/** When a device was down (ms), and since when it runs (boots, ms). */
export interface Availability {
  outages: Array<{ from: number; to: number }>;
  boots: number[];
}

/** The bucket grid: start times and lengths (ms). */
export interface Grid {
  starts: number[];
  lengths: number[];
}

const FIVE_MIN = 300_000;
const HOUR = 3_600_000;
/** Polls per 5 minutes that the buckets claim (a 30 s interval). */
const PER_5M = 10;

/** 5-minute buckets over the last `detailDays`, hourly ones before, all ending at or before `now`. */
export function bucketGrid(from: number, now: number, detailDays: number): Grid {
  const end = Math.floor(now / FIVE_MIN) * FIVE_MIN;
  const fine = Math.max(from, Math.floor((end - detailDays * 86_400_000) / HOUR) * HOUR);
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let t = Math.ceil(from / HOUR) * HOUR; t + HOUR <= fine; t += HOUR) {
    starts.push(t);
    lengths.push(HOUR);
  }
  for (let t = Math.ceil(fine / FIVE_MIN) * FIVE_MIN; t + FIVE_MIN <= end; t += FIVE_MIN) {
    starts.push(t);
    lengths.push(FIVE_MIN);
  }
  return { starts, lengths };
}

const bootAt = (a: Availability, t: number) => {
  let boot = Number.NEGATIVE_INFINITY;
  for (const b of a.boots) if (b <= t && b > boot) boot = b;
  return boot;
};
const downDuring = (a: Availability, from: number, to: number) =>
  a.outages.reduce((sum, o) => sum + Math.max(0, Math.min(to, o.to) - Math.max(from, o.from)), 0);

/** Buckets of a gauge sampled at three instants per bucket (none while the device is down). */
function gauge(grid: Grid, a: Availability, value: (t: number) => number): HistoryBucket[] {
  return sampled(grid, a, value, false);
}

/** Buckets of a counter given its value at any instant (it restarts from 0 at each boot). */
function counter(grid: Grid, a: Availability, value: (t: number) => number): HistoryBucket[] {
  return sampled(grid, a, value, true);
}

function sampled(
  grid: Grid,
  a: Availability,
  value: (t: number) => number,
  isCounter: boolean,
): HistoryBucket[] {
  const out: HistoryBucket[] = [];
  for (let i = 0; i < grid.starts.length; i++) {
    const start = grid.starts[i] as number;
    const len = grid.lengths[i] as number;
    const up = a.outages.length === 0 ? 1 : 1 - downDuring(a, start, start + len) / len;
    if (up <= 0) continue;
    const count = Math.max(1, Math.round((PER_5M * len * up) / FIVE_MIN));
    const v0 = value(start + (isCounter ? 0 : len * 0.2));
    const v1 = value(start + len * 0.55);
    const v2 = value(start + len * 0.95);
    const b: HistoryBucket = {
      ts: start,
      count,
      min: Math.min(v0, v1, v2),
      max: Math.max(v0, v1, v2),
      sum: ((v0 + v1 + v2) / 3) * count,
      last: v2,
    };
    // A boot inside the bucket: what was counted since it is the increase.
    if (isCounter) b.increase = v2 >= v0 ? v2 - v0 : v2;
    out.push(b);
  }
  return out;
}

/** A subscriber's time on a router, ms (`to` Infinity while it lasts). */
export type Span = readonly [from: number, to: number];

/** What a BNG's counting series count: sessions, live leases per server, clients per radio. */
export interface BngSpans {
  sessions: Span[];
  leases: Map<string, Span[]>;
  wireless: Map<string, Span[]>;
}

/**
 * How many spans cover each instant {@link gauge} samples, by a sweep (a difference array over
 * the sorted instants) rather than asking the model at each instant: thousands of sessions times
 * thousands of buckets would take seconds.
 */
function countAt(grid: Grid, spans: readonly Span[]): (t: number) => number {
  const at: number[] = [];
  for (let i = 0; i < grid.starts.length; i++) {
    const start = grid.starts[i] as number;
    const len = grid.lengths[i] as number;
    at.push(start + len * 0.2, start + len * 0.55, start + len * 0.95);
  }
  const lower = (x: number) => {
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((at[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const diff = new Int32Array(at.length + 1);
  for (const [from, to] of spans) {
    const lo = lower(from);
    const hi = lower(to);
    diff[lo] = (diff[lo] as number) + 1;
    diff[hi] = (diff[hi] as number) - 1;
  }
  const counts = new Map<number, number>();
  let n = 0;
  at.forEach((t, i) => {
    n += diff[i] as number;
    counts.set(t, n);
  });
  return (t) => counts.get(t) ?? 0;
}

/** `device_up`: 1, with the outages' share of each bucket at 0. */
function upBuckets(grid: Grid, a: Availability): HistoryBucket[] {
  return grid.starts.map((start, i) => {
    const len = grid.lengths[i] as number;
    const down = downDuring(a, start, start + len) / len;
    const count = Math.round((PER_5M * len) / FIVE_MIN);
    const endsUp = downDuring(a, start + len - 1, start + len) === 0;
    return {
      ts: start,
      count,
      min: down > 0 ? 0 : 1,
      max: down < 1 ? 1 : 0,
      sum: count * (1 - down),
      last: endsUp ? 1 : 0,
    };
  });
}

/** Labels as the monitor stores them: the device's labels, the driver's, then `device`. */
const labelsOf = (device: Device, own: Record<string, string> = {}) => ({
  ...device.labels,
  ...own,
  device: device.id,
});

/** CPU label values the SNMP driver reads from each profile (hrProcessorLoad index, cpmCPU, jnxOperating). */
function cpuLabels(profile: ProfileName, sim: SimDevice): string[] {
  if (profile === 'juniper') return ['Routing Engine'];
  if (profile === 'cisco') return ['1'];
  return Array.from({ length: sim.cpuCount }, (_, i) => String(i + 1));
}

/** The series of one SNMP device. */
export function snmpSeries(d: HistorySnmpDevice, grid: Grid, a: Availability): HistorySeries[] {
  const { device, sim, profile } = d;
  const out: HistorySeries[] = [
    { name: catalog.deviceUp.name, labels: labelsOf(device), kind: 'gauge', buckets: upBuckets(grid, a) },
    {
      name: catalog.deviceUptime.name,
      labels: labelsOf(device),
      kind: 'gauge',
      buckets: gauge(grid, a, (t) => Math.floor((t - bootAt(a, t)) / 1000)),
    },
  ];
  cpuLabels(profile, sim).forEach((cpu, i) => {
    out.push({
      name: catalog.deviceCpuLoad.name,
      labels: labelsOf(device, { cpu }),
      kind: 'gauge',
      buckets: gauge(
        grid,
        a,
        (t) => sim.cpuLoad(profile === 'mikrotik' || profile === 'linux' ? i : 0, t) / 100,
      ),
    });
  });
  if (profile === 'mikrotik' || profile === 'linux') {
    const unit = profile === 'linux' ? 4096 : 1024;
    const pool = { pool: 'ram' };
    const total = Math.floor(sim.memTotalBytes / unit) * unit;
    out.push(
      {
        name: catalog.deviceMemoryTotal.name,
        labels: labelsOf(device, pool),
        kind: 'gauge',
        buckets: gauge(grid, a, () => total),
      },
      {
        name: catalog.deviceMemoryUsed.name,
        labels: labelsOf(device, pool),
        kind: 'gauge',
        buckets: gauge(grid, a, (t) => Math.floor(sim.memUsedBytes(t) / unit) * unit),
      },
    );
  }
  // Juniper's recording-like profile has no counters: no octets series, as live.
  if (profile !== 'juniper') {
    // Uplinks, the radio and the first two access ports.
    const access = sim.interfaces.filter((s) => s.layout.role === 'access').slice(0, 2);
    const picked = sim.interfaces.filter(
      (s) => s.layout.role === 'uplink' || s.layout.role === 'wireless' || access.includes(s),
    );
    for (const s of picked) {
      const labels = labelsOf(device, { ifName: s.layout.name });
      for (const dir of ['in', 'out'] as const) {
        out.push({
          name: dir === 'in' ? catalog.ifInOctets.name : catalog.ifOutOctets.name,
          labels,
          kind: 'counter',
          buckets: counter(grid, a, (t) => Math.floor(bytesBetween(s[dir], bootAt(a, t) / 1000, t / 1000))),
        });
      }
    }
  }
  if (profile === 'mikrotik') {
    const wlan = sim.interfaces.find((s) => s.layout.role === 'wireless');
    if (wlan) {
      out.push({
        name: catalog.wirelessClients.name,
        labels: labelsOf(device, { interface: wlan.layout.name }),
        kind: 'gauge',
        buckets: gauge(grid, a, (t) => sim.wirelessClients(t)),
      });
    }
  }
  return out;
}

/** The series of one BNG (the MikroTik driver's names and labels). */
export function bngSeries(
  bng: HistoryBng & { device: Device },
  grid: Grid,
  a: Availability,
  spans: BngSpans,
): HistorySeries[] {
  const m = bng.model;
  const device = bng.device;
  const rel = (t: number) => (t - m.startedAt) / 1000;
  const out: HistorySeries[] = [
    { name: catalog.deviceUp.name, labels: labelsOf(device), kind: 'gauge', buckets: upBuckets(grid, a) },
    {
      name: catalog.deviceUptime.name,
      labels: labelsOf(device),
      kind: 'gauge',
      buckets: gauge(grid, a, (t) => Math.floor(m.bootUptime + rel(t))),
    },
    {
      name: catalog.deviceCpuLoad.name,
      labels: labelsOf(device, { cpu: 'total' }),
      kind: 'gauge',
      buckets: gauge(grid, a, (t) => resourceAt(m, rel(t)).load / 100),
    },
    {
      name: catalog.deviceMemoryTotal.name,
      labels: labelsOf(device, { pool: 'ram' }),
      kind: 'gauge',
      buckets: gauge(grid, a, () => TOTAL_MEMORY),
    },
    {
      name: catalog.deviceMemoryUsed.name,
      labels: labelsOf(device, { pool: 'ram' }),
      kind: 'gauge',
      buckets: gauge(grid, a, (t) => resourceAt(m, rel(t)).usedMemory),
    },
  ];
  // The uplink and the first access port.
  for (const i of [0, 1]) {
    const name = m.interfaceNames[i];
    if (!name) continue;
    out.push(
      ...(['in', 'out'] as const).map((dir) => ({
        name: dir === 'in' ? catalog.ifInOctets.name : catalog.ifOutOctets.name,
        labels: labelsOf(device, { ifName: name }),
        kind: 'counter' as const,
        buckets: counter(grid, a, (t) => interfaceBytes(m, i, rel(t))[dir === 'in' ? 0 : 1]),
      })),
    );
  }
  const counted = (name: string, labels: Record<string, string>, spans: readonly Span[]) =>
    out.push({
      name,
      labels: labelsOf(device, labels),
      kind: 'gauge',
      buckets: gauge(grid, a, countAt(grid, spans)),
    });
  if (m.pppSessions > 0) counted(catalog.pppoeSessions.name, { service: 'pppoe' }, spans.sessions);
  for (const [server, list] of spans.leases) counted(catalog.dhcpLeases.name, { server }, list);
  for (const [iface, list] of spans.wireless)
    counted(catalog.wirelessClients.name, { interface: iface }, list);
  return out;
}
