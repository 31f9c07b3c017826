import type { DeviceState, DeviceStatus, Labels } from '@ispmonitor/core';
import type { Link, Structure } from './build.js';
import { coordinatesOf } from './build.js';
import { type InterfaceRate, utilisationOf } from './rates.js';
import { alertsByDevice, type NodeState, nodeState, worstState } from './states.js';

/** One direction of a link: bits per second and utilisation 0..1 (clamped) of the link's capacity. */
export interface Direction {
  bps: number;
  utilisation?: number;
}

/** A link as the API shows it. */
export interface LinkView extends Link {
  /** The busier direction's utilisation, 0..1 (kept for clients of the first version). */
  utilisation?: number;
  /** Source → target. */
  forward?: Direction;
  /** Target → source. */
  reverse?: Direction;
  /** The slower end's speed, bits per second. */
  capacityBps?: number;
  /** `down` when an end has no link while enabled; `admin-down` when an end is disabled. */
  state?: 'down' | 'admin-down';
}

/** A device as the API shows it. */
export interface NodeView {
  id: string;
  name: string;
  status: DeviceStatus;
  driver: string;
  labels: Labels;
  location?: { lat: number; lon: number; address?: string };
  site?: string;
  state: NodeState;
  reasons: string[];
  /** Graph-view position (layout units) computed by the server. */
  x: number;
  y: number;
}

/** A site (devices sharing the `site` label). */
export interface SiteView {
  id: string;
  x: number;
  y: number;
  r: number;
  count: number;
  /** The worst state of its devices: what a collapsed site shows. */
  state: NodeState;
  counts: Partial<Record<NodeState, number>>;
  lat?: number;
  lon?: number;
}

export interface TopologyView {
  generatedAt: number;
  layoutBuiltAt: number;
  nodes: NodeView[];
  links: LinkView[];
  sites: SiteView[];
}

type Rates = (device: string, ifName: string) => InterfaceRate | undefined;

/** The link's two directions from whichever end measured them (the busier reading when both did). */
function linkView(l: Link, rates: Rates): LinkView {
  const a = l.sourceInterface ? rates(l.source, l.sourceInterface) : undefined;
  const b = l.targetInterface ? rates(l.target, l.targetInterface) : undefined;
  const out: LinkView = { ...l };
  if (!a && !b) return out;
  const speeds = [a?.speedBps, b?.speedBps].filter((s): s is number => s !== undefined && s > 0);
  const capacity = speeds.length > 0 ? Math.min(...speeds) : undefined;
  const pick = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  const fwd = pick(a?.outBps, b?.inBps);
  const rev = pick(a?.inBps, b?.outBps);
  if (capacity !== undefined) out.capacityBps = capacity;
  const dir = (bps: number | undefined): Direction | undefined => {
    if (bps === undefined) return undefined;
    const u = utilisationOf(bps, capacity);
    return u === undefined ? { bps } : { bps, utilisation: u };
  };
  const f = dir(fwd);
  const r = dir(rev);
  if (f) out.forward = f;
  if (r) out.reverse = r;
  const us = [f?.utilisation, r?.utilisation].filter((u): u is number => u !== undefined);
  if (us.length > 0) out.utilisation = Math.max(...us);
  if (a?.adminUp === false || b?.adminUp === false) out.state = 'admin-down';
  else if (a?.operUp === false || b?.operUp === false) out.state = 'down';
  return out;
}

/** Per-request view: the cached structure with this moment's statuses, alerts and rates laid over it. */
export function topologyView(
  structure: Structure,
  states: readonly DeviceState[],
  alerts: readonly object[],
  rates: Rates,
  now: number,
): TopologyView {
  const firing = alertsByDevice(alerts);
  const nodes: NodeView[] = [];
  const bySite = new Map<string, NodeView[]>();
  for (const s of states) {
    const d = s.device;
    const uplinksDown = (structure.uplinks.get(d.id) ?? []).filter((name) => {
      const r = rates(d.id, name);
      return r?.operUp === false && r.adminUp !== false;
    });
    const alert = firing.get(d.id) ?? { firing: 0, handled: 0 };
    const { state, reasons } = nodeState({
      status: s.status,
      enabled: d.enabled !== false,
      uplinksDown,
      firing: alert.firing,
      handled: alert.handled,
    });
    const pos = structure.layout.nodes.get(d.id) ?? { x: 0, y: 0 };
    const c = coordinatesOf(d);
    const site = d.labels?.site;
    const node: NodeView = {
      id: d.id,
      name: d.name ?? d.id,
      status: s.status,
      driver: d.driver,
      labels: d.labels ?? {},
      ...(c ? { location: { ...d.location, ...c } } : {}),
      ...(site ? { site } : {}),
      state,
      reasons,
      x: Math.round(pos.x * 10) / 10,
      y: Math.round(pos.y * 10) / 10,
    };
    nodes.push(node);
    if (site) {
      const list = bySite.get(site);
      if (list) list.push(node);
      else bySite.set(site, [node]);
    }
  }
  const sites: SiteView[] = structure.layout.sites.map((disc) => {
    const members = bySite.get(disc.id) ?? [];
    const counts: Partial<Record<NodeState, number>> = {};
    for (const m of members) counts[m.state] = (counts[m.state] ?? 0) + 1;
    const located = members.filter((m) => m.location);
    const view: SiteView = {
      ...disc,
      count: members.length,
      state: worstState(members.map((m) => m.state)),
      counts,
    };
    if (located.length > 0) {
      view.lat = located.reduce((s, m) => s + (m.location?.lat ?? 0), 0) / located.length;
      view.lon = located.reduce((s, m) => s + (m.location?.lon ?? 0), 0) / located.length;
    }
    return view;
  });
  return {
    generatedAt: now,
    layoutBuiltAt: structure.builtAt,
    nodes,
    links: structure.links.map((l) => linkView(l, rates)),
    sites,
  };
}

/** The view as GeoJSON: a point per located device, a line per link between two located devices. */
export function toGeoJson(view: TopologyView): object {
  const where = new Map(view.nodes.filter((n) => n.location).map((n) => [n.id, n.location]));
  const features: unknown[] = [];
  for (const n of view.nodes) {
    if (!n.location) continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [n.location.lon, n.location.lat] },
      properties: { ...n.labels, id: n.id, name: n.name, status: n.status, state: n.state },
    });
  }
  for (const l of view.links) {
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
  return { type: 'FeatureCollection', features };
}
