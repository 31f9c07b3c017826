import type { DeviceState, DeviceStatus, Labels } from '@ispmonitor/core';
import type { Link, Structure } from './build.js';
import { coordinatesOf } from './build.js';
import { LiveStates, worstOfTally } from './live-states.js';
import { type InterfaceRate, utilisationOf } from './rates.js';
import type { NodeState } from './states.js';

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

/** Where a link end's rates come from. */
export type Rates = (device: string, ifName: string) => InterfaceRate | undefined;

/** The link's two directions from whichever end measured them (the busier reading when both did). */
export function linkView(l: Link, rates: Rates): LinkView {
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

/** The view from scratch: the structure with these statuses, alerts and rates laid over it. */
export function topologyView(
  structure: Structure,
  states: readonly DeviceState[],
  alerts: readonly object[],
  rates: Rates,
  now: number,
): TopologyView {
  const live = new LiveStates();
  live.refresh(structure, states, alerts, rates);
  return liveTopologyView(structure, states, live, rates, now);
}

/** Per-request view: the cached structure with the device states `live` keeps current laid over it. */
export function liveTopologyView(
  structure: Structure,
  states: readonly DeviceState[],
  live: LiveStates,
  rates: Rates,
  now: number,
): TopologyView {
  const nodes: NodeView[] = [];
  const all = live.nodes;
  for (const s of states) {
    const n = all.get(s.device.id);
    if (n) nodes.push(n);
  }
  return {
    generatedAt: now,
    layoutBuiltAt: structure.builtAt,
    nodes,
    links: structure.links.map((l) => linkView(l, rates)),
    sites: siteViews(structure, states, live),
  };
}

/** Every site with its members' tally and worst state, and its place (members' mean coordinates). */
export function siteViews(
  structure: Structure,
  states: readonly DeviceState[],
  live: LiveStates,
): SiteView[] {
  const places = sitePlaces(structure, states);
  return structure.layout.sites.map((disc) => {
    const t = live.site(disc.id) ?? { count: 0, counts: {} };
    const view: SiteView = { ...disc, count: t.count, state: worstOfTally(t), counts: { ...t.counts } };
    const place = places.get(disc.id);
    if (place) {
      view.lat = place.lat;
      view.lon = place.lon;
    }
    return view;
  });
}

/** Site places, computed once per structure (coordinates are part of what builds one). */
const placesOf = new WeakMap<Structure, Map<string, { lat: number; lon: number }>>();

function sitePlaces(structure: Structure, states: readonly DeviceState[]) {
  let places = placesOf.get(structure);
  if (places) return places;
  const sums = new Map<string, { lat: number; lon: number; n: number }>();
  for (const s of states) {
    const site = s.device.labels?.site;
    const c = site ? coordinatesOf(s.device) : undefined;
    if (!site || !c) continue;
    const e = sums.get(site) ?? { lat: 0, lon: 0, n: 0 };
    e.lat += c.lat;
    e.lon += c.lon;
    e.n++;
    sums.set(site, e);
  }
  places = new Map([...sums].map(([k, e]) => [k, { lat: e.lat / e.n, lon: e.lon / e.n }]));
  placesOf.set(structure, places);
  return places;
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
