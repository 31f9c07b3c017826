// The API's shapes, as the UI reads them (see examples/server/src/routes). No DOM here.
// Shapes the server defines are its own types, imported as types only: nothing of the server
// (node code) enters the bundle.

import type { DeviceStatus } from '@ispmonitor/core';

export type { AlertCounts } from '../../../src/alerts/counts.js';
export type { DeviceStatus };

/** A router as `/api/v1/routers` shows it. */
export interface Router {
  id: string;
  name: string;
  host: string;
  port?: number;
  driver: string;
  labels?: Record<string, string>;
  parent?: string;
  location?: { lat: number; lon: number; address?: string };
  enabled?: boolean;
  origin?: 'config' | 'store';
  status: DeviceStatus;
  since?: string;
  lastPollAt?: string;
  lastSuccessAt?: string;
  lastError?: { code: string; message: string; at: string };
  system?: {
    vendor?: string;
    model?: string;
    version?: string;
    description?: string;
    uptimeSeconds?: number;
  };
  /** Newest CPU, memory, temperature and uptime from the server's own polls (one router's answer). */
  gauges?: RouterGauges;
}

/** Newest value of each health gauge (the highest of several CPUs or sensors). */
export type RouterGauges = Partial<
  Record<'cpu' | 'memoryUsed' | 'memoryTotal' | 'temperature' | 'uptimeSeconds', number>
>;

/** A page of a list. */
export interface Page<T> {
  items: T[];
  total: number;
  page?: number;
  pageSize?: number;
}

/** Inventory rows (`/api/v1/interfaces`, `/sessions/…`): a fact of a router's poll with the router's id. */
export type { DhcpRow, InterfaceRow, PppoeRow, WirelessRow } from '../../../src/inventory/facts.js';

export interface Alert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt?: number;
  value?: number;
  acknowledged?: { by: string; at: number; comment?: string };
  /** Active but not yet past its `for` duration. */
  pending?: boolean;
  /** Why it is not notified now (silence, acknowledgement, inhibition, parent down). */
  muted?: { kind: string; id?: string; by?: string; parent?: string };
}

export type { Silence } from '../../../src/alerts/api.js';

export interface Series {
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

/** `/api/v1/metrics/...` answer. */
export interface RangeResult {
  metric: string;
  from: number;
  to: number;
  step: number;
  fn: string;
  series: Series[];
}

/** `GET /api/v1/routers/:id/health`: the router page's health charts and tiles in one answer. */
export interface RouterHealth {
  router: string;
  from: number;
  to: number;
  step: number;
  /** Whether time series are stored at all. */
  stored: boolean;
  series: { cpu: Series[]; memoryUsed: Series[]; temperature: Series[]; up: Series[] };
  /** Newest value of each gauge: the server's polls, else storage. */
  now: RouterGauges;
}

export interface TopoNode {
  id: string;
  name: string;
  status: DeviceStatus;
  driver: string;
  labels: Record<string, string>;
  location?: { lat: number; lon: number };
}

export interface TopoLink {
  source: string;
  target: string;
  kind: 'parent' | 'lldp' | 'cdp' | 'mndp' | 'other';
  sourceInterface?: string;
  targetInterface?: string;
  utilisation?: number;
}

export interface Topology {
  nodes: TopoNode[];
  links: TopoLink[];
}

/** `/api/v1/metrics/latest` item. */
export interface LatestItem {
  device: string;
  labels?: Record<string, string>;
  value: number;
  ts: number;
}

/** `/api/v1/metrics/traffic` answer. */
export interface Traffic {
  devices: Array<{ device: string; inBps: number; outBps: number }>;
  top: Array<{
    interfaceId?: string;
    device: string;
    ifName: string;
    inBps: number;
    outBps: number;
    speedBps?: number;
    utilisation?: number;
  }>;
}

/** The `device:status` server-sent event. */
export interface StatusEvent {
  device: string;
  previous: DeviceStatus;
  status: DeviceStatus;
  ts: number;
  reason?: string;
}

export interface Me {
  id?: string;
  username?: string;
  role?: string;
}

/** A device's state on the topology map, worst first (see the server's `topology/states.ts`). */
export type TopoState =
  | 'down'
  | 'unreachable'
  | 'degraded'
  | 'acknowledged'
  | 'unknown'
  | 'admin-down'
  | 'up';

/** `/api/v1/topology` node: a `TopoNode` with its state, site and server-computed graph position. */
export interface TopoNodeView extends TopoNode {
  site?: string;
  state: TopoState;
  reasons: string[];
  x: number;
  y: number;
}

/** One direction of a link: bits/s and utilisation 0..1 (clamped) of the link's capacity. */
export interface TopoDirection {
  bps: number;
  utilisation?: number;
}

/** `/api/v1/topology` link with per-direction traffic (forward = source → target). */
export interface TopoLinkView extends TopoLink {
  forward?: TopoDirection;
  reverse?: TopoDirection;
  capacityBps?: number;
  state?: 'down' | 'admin-down';
}

/** `/api/v1/topology` site: devices sharing the `site` label, with their worst state. */
export interface TopoSite {
  id: string;
  x: number;
  y: number;
  r: number;
  count: number;
  state: TopoState;
  counts: Partial<Record<TopoState, number>>;
  lat?: number;
  lon?: number;
}

/** `/api/v1/topology` answer. */
export interface TopologyView {
  generatedAt: number;
  layoutBuiltAt: number;
  nodes: TopoNodeView[];
  links: TopoLinkView[];
  sites: TopoSite[];
  /**
   * Set when the server answered at scale: every site collapsed (links between sites merged, ends
   * `site:NAME`), `nodes` only the routers without a site and the down list's worst few hundred.
   */
  collapsed?: boolean;
  /** With `collapsed`: routers in all, per state, and how many the down list names. */
  total?: number;
  counts?: Partial<Record<TopoState, number>>;
  problems?: number;
}

/** `/api/v1/topology?site=NAME`: one site's routers and the links among them. */
export interface TopoSiteMembers {
  site: string;
  nodes: TopoNodeView[];
  links: TopoLinkView[];
}

/** `/api/v1/topology/positions`: the caller's dragged positions (node id or `site:NAME`). */
export interface TopoPositions {
  positions: Record<string, { x: number; y: number }>;
  updatedAt: number;
}

/** `/api/v1/topology/basemap`: land rings and border lines as `[lon, lat]` points. */
export interface Basemap {
  resolution: string;
  bbox: [number, number, number, number];
  land: number[][][];
  borders: number[][][];
}

/** The monitor's own overload (`hello.overload`, `monitor:overloaded` on the stream). */
export interface OverloadState {
  overloaded: boolean;
  lagMs: number;
  backlog: number;
  reason: string;
  ts: number;
}
