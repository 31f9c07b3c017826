import type { DeviceState } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';

/** What a topology is built from: the devices, their neighbours, and storage for link rates. */
export type TopologySources = Pick<FastifyInstance, 'devices' | 'inventory' | 'store'>;

/** A link between two devices, with the interfaces at its ends when known. */
export interface Link {
  source: string;
  target: string;
  kind: 'parent' | 'lldp' | 'cdp' | 'mndp' | 'other';
  sourceInterface?: string;
  targetInterface?: string;
  /** Busiest direction of the busier end (its peak 10 s rate over 5 minutes) over its speed (0..1+). */
  utilisation?: number;
}

/** Devices whose interface rates are looked up for one topology; beyond it links stay uncoloured. */
const MAX_RATED_DEVICES = 2000;
const RATE_WINDOW_MS = 300_000;
const RATE_STEP_MS = 10_000;

/**
 * Utilisation of each link with a known interface at either end: the busier direction's peak rate
 * (bits/s, in 10 s steps over the last 5 minutes, from storage) over the interface's speed
 * (inventory). Three queries per device, a few devices at a time; nothing without storage.
 */
async function addUtilisation(sources: TopologySources, links: Link[]): Promise<void> {
  const store = sources.store();
  if (!store) return;
  const ends = new Map<string, Set<string>>();
  const want = (device: string, ifName: string | undefined) => {
    if (!ifName) return;
    const names = ends.get(device) ?? new Set<string>();
    names.add(ifName);
    ends.set(device, names);
  };
  for (const l of links) {
    want(l.source, l.sourceInterface);
    want(l.target, l.targetInterface);
  }
  if (ends.size === 0 || ends.size > MAX_RATED_DEVICES) return;
  const util = new Map<string, number>();
  const to = Date.now();
  const devices = [...ends.keys()];
  for (let i = 0; i < devices.length; i += 20) {
    await Promise.all(
      devices.slice(i, i + 20).map(async (device) => {
        const range = (name: string) =>
          store.range({
            name,
            labels: { device },
            from: to - RATE_WINDOW_MS,
            to,
            step: RATE_STEP_MS,
            fn: 'rate',
          });
        const [ins, outs, interfaces] = await Promise.all([
          range('interface_in_octets_total'),
          range('interface_out_octets_total'),
          store.interfaces(device),
        ]);
        const speed = new Map(interfaces.map((f) => [f.name, f.speedBps ?? 0]));
        // The peak 10 s rate of each interface in either direction; the newest step is still
        // filling (it would read low), so it counts only when it is the only one.
        const rate = new Map<string, number>();
        for (const series of [...ins, ...outs]) {
          const ifName = series.labels.ifName;
          const points = series.points.length > 1 ? series.points.slice(0, -1) : series.points;
          if (!ifName || points.length === 0) continue;
          const peak = Math.max(...points.map((p) => p[1]));
          rate.set(ifName, Math.max(rate.get(ifName) ?? 0, peak));
        }
        for (const ifName of ends.get(device) ?? []) {
          const bps = speed.get(ifName);
          const octets = rate.get(ifName);
          if (bps && octets !== undefined) util.set(`${device}|${ifName}`, (octets * 8) / bps);
        }
      }),
    );
  }
  for (const l of links) {
    const a = l.sourceInterface ? util.get(`${l.source}|${l.sourceInterface}`) : undefined;
    const b = l.targetInterface ? util.get(`${l.target}|${l.targetInterface}`) : undefined;
    if (a !== undefined || b !== undefined) l.utilisation = Math.max(a ?? 0, b ?? 0);
  }
}

/**
 * Links from two places: the `parent` of each device (what alert suppression follows) and the
 * neighbours devices report (LLDP, CDP, MNDP), matched to devices by id, name or address.
 */
export async function buildTopology(sources: TopologySources) {
  const states = sources.devices.list();
  const byKey = new Map<string, string>();
  for (const s of states) {
    byKey.set(s.device.id.toLowerCase(), s.device.id);
    if (s.device.name) byKey.set(s.device.name.toLowerCase(), s.device.id);
    byKey.set(s.device.host.toLowerCase(), s.device.id);
  }
  const links = new Map<string, Link>();
  const add = (link: Link) => {
    // One link per unordered pair and kind: both ends usually report each other.
    const [a, b] = [link.source, link.target].sort();
    const key = `${a}|${b}|${link.kind}`;
    if (!links.has(key)) links.set(key, link);
  };
  for (const s of states) {
    if (s.device.parent && byKey.has(s.device.parent.toLowerCase())) {
      // The child's uplink (its `uplinks` label, as the alert pack reads it) is the link's far end.
      const uplink = s.device.labels?.uplinks?.split(',')[0]?.trim();
      add({
        source: s.device.parent,
        target: s.device.id,
        kind: 'parent',
        ...(uplink ? { targetInterface: uplink } : {}),
      });
    }
  }
  for (const n of await sources.inventory.neighbours()) {
    const remote = [n.remoteId, n.remoteName, n.remoteAddress]
      .map((k) => (k ? byKey.get(k.toLowerCase()) : undefined))
      .find(Boolean);
    if (!remote || remote === n.device) continue;
    add({
      source: n.device,
      target: remote,
      kind: n.protocol,
      ...(n.localInterface ? { sourceInterface: n.localInterface } : {}),
      ...(n.remoteInterface ? { targetInterface: n.remoteInterface } : {}),
    });
  }
  await addUtilisation(sources, [...links.values()]);
  const nodes = states.map((s: DeviceState) => ({
    id: s.device.id,
    name: s.device.name ?? s.device.id,
    status: s.status,
    driver: s.device.driver,
    labels: s.device.labels ?? {},
    ...(s.device.location ? { location: s.device.location } : {}),
  }));
  const where = new Map(
    nodes.filter((n) => n.location).map((n) => [n.id, n.location as { lat: number; lon: number }]),
  );
  const features: unknown[] = [];
  for (const n of nodes) {
    if (!n.location) continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [n.location.lon, n.location.lat] },
      properties: { id: n.id, name: n.name, status: n.status, ...n.labels },
    });
  }
  for (const l of links.values()) {
    const a = where.get(l.source);
    const b = where.get(l.target);
    if (!a || !b) continue;
    features.push({
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [a.lon, a.lat],
          [b.lon, b.lat],
        ],
      },
      properties: {
        source: l.source,
        target: l.target,
        kind: l.kind,
        ...(l.utilisation !== undefined ? { utilisation: l.utilisation } : {}),
      },
    });
  }
  return { nodes, links: [...links.values()], geojson: { type: 'FeatureCollection', features } };
}
