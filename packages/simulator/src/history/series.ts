/**
 * The time series of the demo's history, as 5-minute aggregates computed from the same models
 * the simulated devices answer from: the series the charts and the alert pack read (device_up,
 * CPU, memory in use, uptime, octets of uplinks and an access port, PPPoE sessions, bound leases,
 * wireless clients), under the names and exact labels the live drivers stamp (the device's labels, then
 * the driver's). Older days are compacted to one bucket per hour (see `detailDays`).
 */
import type { Device } from '@ispmonitor/core';
import { catalog } from '@ispmonitor/core';
import type { SimDevice } from '../model/device.js';
import { bytesBetween } from '../model/traffic.js';
import type { ProfileName } from '../profiles/types.js';
import { interfaceBytes, resourceAt } from '../routeros/tables.js';
import {
  type Availability,
  type BngSpans,
  bootAt,
  countAt,
  counter,
  type Grid,
  gauge,
  type Span,
  upBuckets,
} from './buckets.js';
import type { HistoryBng } from './subscribers.js';
import type { HistorySeries } from './types.js';

/** An SNMP device of the demo: its definition, profile and model. */
export interface HistorySnmpDevice {
  device: Device;
  profile: ProfileName;
  sim: SimDevice;
}

/** Labels as the monitor stores them: the device's labels, the driver's, then `device`. */
const labelsOf = (device: Device, own: Record<string, string> = {}) => ({
  ...device.labels,
  ...own,
  device: device.id,
});

/** `device_up` of a device on the grid: 1 while it answered, 0 while it did not. */
function upSeries(device: Device, grid: Grid, a: Availability): HistorySeries {
  return {
    name: catalog.deviceUp.name,
    labels: labelsOf(device),
    kind: 'gauge',
    buckets: upBuckets(grid, a),
  };
}

/** Makes gauges of a device on the grid: `(name, the driver's labels, value at time t) → series`. */
function gaugesOf(device: Device, grid: Grid, a: Availability) {
  return (name: string, own: Record<string, string>, value: (t: number) => number): HistorySeries => ({
    name,
    labels: labelsOf(device, own),
    kind: 'gauge',
    buckets: gauge(grid, a, value),
  });
}

/**
 * The first processor as the SNMP driver labels it (hrProcessorLoad index, cpmCPU index,
 * jnxOperating description). Only the first is backfilled: the charts average the processors,
 * and every series costs the import about 1,000 buckets.
 */
const firstCpu = (profile: ProfileName) => (profile === 'juniper' ? 'Routing Engine' : '1');

/** The series of one SNMP device. */
export function snmpSeries(d: HistorySnmpDevice, grid: Grid, a: Availability): HistorySeries[] {
  const { device, sim, profile } = d;
  const gaugeOf = gaugesOf(device, grid, a);
  const out: HistorySeries[] = [
    upSeries(device, grid, a),
    gaugeOf(catalog.deviceUptime.name, {}, (t) => Math.floor((t - bootAt(a, t)) / 1000)),
    gaugeOf(catalog.deviceCpuLoad.name, { cpu: firstCpu(profile) }, (t) => sim.cpuLoad(0, t) / 100),
  ];
  // Memory from hrStorage, in its allocation units (the charts read the total's latest value only).
  if (profile === 'mikrotik' || profile === 'linux') {
    const unit = profile === 'linux' ? 4096 : 1024;
    out.push(
      gaugeOf(
        catalog.deviceMemoryUsed.name,
        { pool: 'ram' },
        (t) => Math.floor(sim.memUsedBytes(t) / unit) * unit,
      ),
    );
  }
  // Uplinks and the first access port; Juniper's profile has no counters (nor series), as live.
  if (profile !== 'juniper') {
    const access = sim.interfaces.find((s) => s.layout.role === 'access');
    for (const s of sim.interfaces.filter((x) => x.layout.role === 'uplink' || x === access)) {
      for (const dir of ['in', 'out'] as const) {
        out.push({
          name: dir === 'in' ? catalog.ifInOctets.name : catalog.ifOutOctets.name,
          labels: labelsOf(device, { ifName: s.layout.name }),
          kind: 'counter',
          buckets: counter(grid, a, (t) => Math.floor(bytesBetween(s[dir], bootAt(a, t) / 1000, t / 1000))),
        });
      }
    }
  }
  const wlan = sim.interfaces.find((s) => s.layout.role === 'wireless');
  if (profile === 'mikrotik' && wlan) {
    out.push(
      gaugeOf(catalog.wirelessClients.name, { interface: wlan.layout.name }, (t) => sim.wirelessClients(t)),
    );
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
  const gaugeOf = gaugesOf(device, grid, a);
  const out: HistorySeries[] = [
    upSeries(device, grid, a),
    gaugeOf(catalog.deviceUptime.name, {}, (t) => Math.floor(m.bootUptime + rel(t))),
    gaugeOf(catalog.deviceCpuLoad.name, { cpu: 'total' }, (t) => resourceAt(m, rel(t)).load / 100),
    gaugeOf(catalog.deviceMemoryUsed.name, { pool: 'ram' }, (t) => resourceAt(m, rel(t)).usedMemory),
  ];
  // The uplink (ether1) and the first access port.
  for (const i of [0, 1]) {
    const name = m.interfaceNames[i];
    if (!name) continue;
    for (const [k, dir] of [catalog.ifInOctets.name, catalog.ifOutOctets.name].entries()) {
      out.push({
        name: dir,
        labels: labelsOf(device, { ifName: name }),
        kind: 'counter',
        buckets: counter(grid, a, (t) => interfaceBytes(m, i, rel(t))[k] as number),
      });
    }
  }
  const counted = (name: string, own: Record<string, string>, list: readonly Span[]) =>
    out.push(gaugeOf(name, own, countAt(grid, list)));
  if (m.pppSessions > 0) counted(catalog.pppoeSessions.name, { service: 'pppoe' }, spans.sessions);
  for (const [server, list] of spans.leases) counted(catalog.dhcpLeases.name, { server }, list);
  for (const [iface, list] of spans.wireless)
    counted(catalog.wirelessClients.name, { interface: iface }, list);
  return out;
}
