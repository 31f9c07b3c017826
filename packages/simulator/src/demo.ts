/**
 * The demo network behind `npm start`: a small ISP of SNMP routers at a few sites, with parents
 * forming a tree (border → core → distribution → access) and coordinates for the map. One device
 * gets into trouble within the first minute so a demo alert fires.
 */
import type { Device } from '@ispmonitor/core';
import type { SimClock } from './clock.js';
import { type SnmpFleet, startSnmpFleet } from './fleet.js';
import type { Faults } from './model/faults.js';
import { type ProfileName, profiles } from './profiles/index.js';

/** One node of the demo network, before it is bound to a port. */
export interface DemoNode {
  id: string;
  name: string;
  role: 'border' | 'core' | 'distribution' | 'access';
  site: string;
  parent?: string;
  profile: ProfileName;
  location: { lat: number; lon: number; address: string };
  faults?: Faults;
}

/** A problem the demo stages, so the UI can say what to expect. */
export interface DemoProblem {
  device: string;
  kind: 'cpu-spike' | 'link-down' | 'device-dead';
  atMs: number;
  description: string;
}

const SITES = [
  { code: 'BEY', city: 'Beirut', lat: 33.8938, lon: 35.5018 },
  { code: 'TRP', city: 'Tripoli', lat: 34.4367, lon: 35.8497 },
  { code: 'SDN', city: 'Sidon', lat: 33.5571, lon: 35.3729 },
  { code: 'ZHL', city: 'Zahle', lat: 33.8463, lon: 35.902 },
] as const;

/** Problems staged in every demo, relative to the fleet's start. */
export const DEMO_TIMELINE = { cpuSpikeMs: 30_000, linkDownMs: 45_000, deadMs: 55_000 } as const;

/**
 * Plans `n` devices (n ≥ 1): a border router, two core routers, one distribution router per site,
 * then access routers spread over the sites. Pure and deterministic: same n, same network.
 */
export function planDemoNetwork(
  n: number,
  problems = true,
  delayMs = 0,
): { nodes: DemoNode[]; problems: DemoProblem[] } {
  const nodes: DemoNode[] = [];
  // Small offsets keep devices of one site apart on the map.
  const at = (site: (typeof SITES)[number], k: number) => ({
    lat: +(site.lat + 0.004 * Math.sin(k * 2.1)).toFixed(5),
    lon: +(site.lon + 0.004 * Math.cos(k * 2.1)).toFixed(5),
    address: `${site.city} POP`,
  });
  const add = (node: Omit<DemoNode, 'name'>) => {
    if (nodes.length < n) nodes.push({ ...node, name: node.id.toUpperCase() });
  };
  const bey = SITES[0];
  add({ id: 'bey-border-1', role: 'border', site: bey.code, profile: 'juniper', location: at(bey, 0) });
  add({
    id: 'bey-core-1',
    role: 'core',
    site: bey.code,
    parent: 'bey-border-1',
    profile: 'cisco',
    location: at(bey, 1),
  });
  add({
    id: 'bey-core-2',
    role: 'core',
    site: bey.code,
    parent: 'bey-border-1',
    profile: 'cisco',
    location: at(bey, 2),
  });
  SITES.forEach((site, s) => {
    const parent = s % 2 === 0 ? 'bey-core-1' : 'bey-core-2';
    const id = `${site.code.toLowerCase()}-dist-1`;
    add({ id, role: 'distribution', site: site.code, parent, profile: 'mikrotik', location: at(site, 3) });
  });
  for (let k = 0; nodes.length < n; k++) {
    const site = SITES[k % SITES.length]!;
    const num = Math.floor(k / SITES.length) + 1;
    const code = site.code.toLowerCase();
    add({
      id: `${code}-acc-${num}`,
      role: 'access',
      site: site.code,
      parent: `${code}-dist-1`,
      profile: k % 5 === 4 ? 'linux' : 'mikrotik',
      location: at(site, 4 + num),
    });
  }
  // Parents that the size cut off: hang the device on the nearest existing ancestor.
  const ids = new Set(nodes.map((d) => d.id));
  for (const d of nodes)
    if (d.parent && !ids.has(d.parent)) d.parent = ids.has('bey-core-1') ? 'bey-core-1' : 'bey-border-1';

  const staged: DemoProblem[] = [];
  if (problems) {
    const stage = (pred: (d: DemoNode) => boolean, faults: Faults, p: Omit<DemoProblem, 'device'>) => {
      const d = [...nodes].reverse().find((x) => pred(x) && !x.faults && x.id !== 'bey-border-1');
      if (!d) return;
      d.faults = faults;
      staged.push({ device: d.id, ...p });
    };
    stage(
      (d) => d.profile === 'mikrotik',
      { cpuSpike: { atMs: delayMs + DEMO_TIMELINE.cpuSpikeMs, load: 98 } },
      {
        kind: 'cpu-spike',
        atMs: delayMs + DEMO_TIMELINE.cpuSpikeMs,
        description: 'CPU load jumps to ~98 %',
      },
    );
    stage(
      (d) => d.profile === 'mikrotik',
      { linkDown: [{ ifIndex: 1, atMs: delayMs + DEMO_TIMELINE.linkDownMs }] },
      {
        kind: 'link-down',
        atMs: delayMs + DEMO_TIMELINE.linkDownMs,
        description: 'ether1 (uplink) goes down',
      },
    );
    stage(
      (d) => d.role === 'access',
      { deadAfterMs: delayMs + DEMO_TIMELINE.deadMs },
      {
        kind: 'device-dead',
        atMs: delayMs + DEMO_TIMELINE.deadMs,
        description: 'stops answering SNMP',
      },
    );
  }
  return { nodes, problems: staged };
}

/** Options of {@link createDemoFleet}. */
export interface DemoFleetOptions {
  /** Number of SNMP devices. Default 12. */
  snmpDevices?: number;
  /** Loopback address; default 127.0.0.1. */
  host?: string;
  /** First port (0 = ephemeral, the default). */
  basePort?: number;
  community?: string;
  /** Physical ports per device. Default 8 (a demo does not need 24). */
  interfaces?: number;
  /** Poll interval written into each Device. Default `30s`. */
  interval?: string;
  /** Stage the demo problems. Default true. */
  problems?: boolean;
  /** Added to the problems' times (e.g. while the demo backfills its history). Default 0. */
  problemsDelayMs?: number;
  seed?: number;
  clock?: SimClock;
}

/** A running demo network. */
export interface DemoFleet {
  /** Device definitions for `createMonitor({ devices })`. */
  devices: Device[];
  problems: DemoProblem[];
  fleet: SnmpFleet;
  close(): Promise<void>;
}

/** Starts the demo SNMP devices and returns their Device definitions. */
export async function createDemoFleet(options: DemoFleetOptions = {}): Promise<DemoFleet> {
  const { nodes, problems } = planDemoNetwork(
    options.snmpDevices ?? 12,
    options.problems ?? true,
    options.problemsDelayMs ?? 0,
  );
  const community = options.community ?? 'public';
  const ports = options.interfaces ?? 8;
  const fleet = await startSnmpFleet({
    count: nodes.length,
    profile: (i) => nodes[i]!.profile,
    id: (i) => nodes[i]!.id,
    faults: (i) => nodes[i]!.faults,
    interfaces: ports,
    community,
    ...(options.host ? { host: options.host } : {}),
    ...(options.basePort !== undefined ? { basePort: options.basePort } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const devices: Device[] = fleet.devices.map((fd, i) => {
    const node = nodes[i]!;
    // A device with a parent reaches it through its profile's uplink ports: the `uplinks` label
    // (as the alert pack and the topology read it) names them, the first being the parent link.
    const uplinks = node.parent
      ? profiles[node.profile]
          .layout(ports)
          .filter((l) => l.role === 'uplink')
          .map((l) => l.name)
      : [];
    return {
      id: node.id,
      name: node.name,
      host: fd.host,
      port: fd.port,
      driver: 'snmp',
      interval: options.interval ?? '30s',
      labels: { site: node.site, role: node.role, ...(uplinks.length ? { uplinks: uplinks.join(',') } : {}) },
      ...(node.parent ? { parent: node.parent } : {}),
      location: node.location,
      snmp: { version: '2c', community },
    };
  });
  return { devices, problems, fleet, close: () => fleet.close() };
}
