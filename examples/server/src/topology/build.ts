import { createHash } from 'node:crypto';
import type { DeviceState } from '@ispmonitor/core';
import type { NeighbourRow } from '../inventory/facts.js';
import { type Layout, layoutGraph } from './layout.js';
import { rateKey } from './rates.js';

/** A link between two devices, with the interfaces at its ends when known. */
export interface Link {
  source: string;
  target: string;
  kind: 'parent' | 'lldp' | 'cdp' | 'mndp' | 'other';
  sourceInterface?: string;
  targetInterface?: string;
}

/** What does not change from one request to the next: links, where each device sits, what to watch. */
export interface Structure {
  /** Hash of everything the structure was built from; a different one means rebuild. */
  signature: string;
  builtAt: number;
  links: Link[];
  layout: Layout;
  /** Interfaces whose rates and states the map needs (link ends and uplinks), as `rateKey`s. */
  watched: Set<string>;
  /** Each device's uplink interfaces (its `uplinks` label). */
  uplinks: Map<string, string[]>;
}

/** A device's coordinates: its `location`, else its `lat`/`lon` labels; undefined when invalid. */
export function coordinatesOf(d: DeviceState['device']): { lat: number; lon: number } | undefined {
  const lat = d.location?.lat ?? Number(d.labels?.lat);
  const lon = d.location?.lon ?? Number(d.labels?.lon);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180)
    return undefined;
  if (d.location === undefined && (d.labels?.lat === undefined || d.labels?.lon === undefined))
    return undefined;
  return { lat, lon };
}

/** The uplink interface names in a device's `uplinks` label (comma-separated, first = parent link). */
export function uplinksOf(d: DeviceState['device']): string[] {
  return (d.labels?.uplinks ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Links from two places: the `parent` of each device (what alert suppression follows) and the
 * neighbours devices report (LLDP, CDP, MNDP), matched to devices by id, name or address.
 */
export function buildLinks(states: readonly DeviceState[], neighbours: readonly NeighbourRow[]): Link[] {
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
      const uplink = uplinksOf(s.device)[0];
      add({
        source: byKey.get(s.device.parent.toLowerCase()) as string,
        target: s.device.id,
        kind: 'parent',
        ...(uplink ? { targetInterface: uplink } : {}),
      });
    }
  }
  for (const n of neighbours) {
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
  return [...links.values()];
}

/** Everything the structure depends on, hashed: devices (identity, parent, site, place, uplinks) and links. */
export function structureSignature(
  states: readonly DeviceState[],
  neighbours: readonly NeighbourRow[],
): string {
  const h = createHash('sha1');
  for (const s of states) {
    const d = s.device;
    const c = coordinatesOf(d);
    h.update(
      `${d.id}\u0001${d.name ?? ''}\u0001${d.host}\u0001${d.parent ?? ''}\u0001${d.labels?.site ?? ''}\u0001${c ? `${c.lat},${c.lon}` : ''}\u0001${d.labels?.uplinks ?? ''}\u0002`,
    );
  }
  for (const n of neighbours) {
    h.update(
      `${n.device}\u0001${n.protocol}\u0001${n.localInterface ?? ''}\u0001${n.remoteId ?? ''}\u0001${n.remoteName ?? ''}\u0001${n.remoteAddress ?? ''}\u0001${n.remoteInterface ?? ''}\u0002`,
    );
  }
  return h.digest('hex');
}

/** Builds the structure: links, the graph layout, and the interfaces to watch. */
export function buildStructure(
  states: readonly DeviceState[],
  neighbours: readonly NeighbourRow[],
  signature: string,
  now: number,
): Structure {
  const links = buildLinks(states, neighbours);
  const layout = layoutGraph(
    states.map((s) => {
      const c = coordinatesOf(s.device);
      return {
        id: s.device.id,
        ...(s.device.labels?.site ? { site: s.device.labels.site } : {}),
        ...(s.device.parent ? { parent: s.device.parent } : {}),
        ...(c ? { lat: c.lat, lon: c.lon } : {}),
      };
    }),
  );
  const watched = new Set<string>();
  const uplinks = new Map<string, string[]>();
  for (const s of states) {
    const names = uplinksOf(s.device);
    if (names.length === 0) continue;
    uplinks.set(s.device.id, names);
    for (const n of names) watched.add(rateKey(s.device.id, n));
  }
  for (const l of links) {
    if (l.sourceInterface) watched.add(rateKey(l.source, l.sourceInterface));
    if (l.targetInterface) watched.add(rateKey(l.target, l.targetInterface));
  }
  return { signature, builtAt: now, links, layout, watched, uplinks };
}
