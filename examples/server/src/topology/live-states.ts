/**
 * Every device's map state, kept current incrementally: a request recomputes only the devices
 * something happened to since the last one (a status or definition change, a poll of its
 * interfaces, an alert firing, resolving, acknowledged or silenced on it), and each site's counts
 * per state move by those devices alone. At 10,000 routers a request no longer walks every router to know which
 * sites are in trouble.
 */
import type { Bus, DeviceState } from '@ispmonitor/core';
import type { Structure } from './build.js';
import { coordinatesOf } from './build.js';
import type { InterfaceRate } from './rates.js';
import { alertTally, HANDLED_SPAN, NODE_STATES, type NodeState, nodeState } from './states.js';
import type { NodeView } from './view.js';

type Rates = (device: string, ifName: string) => InterfaceRate | undefined;

/** One site's members counted per state. */
export interface SiteTally {
  count: number;
  counts: Partial<Record<NodeState, number>>;
}

/** The worst state present in a tally (`up` for an empty one). */
export function worstOfTally(t: SiteTally): NodeState {
  for (const s of NODE_STATES) if ((t.counts[s] ?? 0) > 0) return s;
  return 'up';
}

function tally(t: SiteTally, state: NodeState): void {
  t.count++;
  t.counts[state] = (t.counts[state] ?? 0) + 1;
}

function untally(t: SiteTally, state: NodeState): void {
  t.count--;
  const left = (t.counts[state] ?? 1) - 1;
  if (left > 0) t.counts[state] = left;
  else delete t.counts[state];
}

/** Whether the down list names a device: down or unreachable, acknowledged or not. */
export function isProblem(n: Pick<NodeView, 'state' | 'status'>): boolean {
  return (
    n.state === 'down' ||
    n.state === 'unreachable' ||
    (n.state === 'acknowledged' && (n.status === 'offline' || n.status === 'unreachable'))
  );
}

/** The labels of a device without any: one object, so two views of it compare equal. */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** Whether two views of one device show the same (its definition unchanged: labels, driver). */
function sameView(a: NodeView, b: NodeView): boolean {
  return (
    a.state === b.state &&
    a.status === b.status &&
    a.name === b.name &&
    a.site === b.site &&
    a.x === b.x &&
    a.y === b.y &&
    a.labels === b.labels &&
    a.location?.lat === b.location?.lat &&
    a.location?.lon === b.location?.lon &&
    a.reasons.join('\n') === b.reasons.join('\n')
  );
}

/** Node views of every device and per-site tallies, recomputed only where something changed. */
export class LiveStates {
  readonly #nodes = new Map<string, NodeView>();
  /** The definition each view was computed from (a changed definition is a new object). */
  readonly #defs = new Map<string, DeviceState['device']>();
  readonly #sites = new Map<string, SiteTally>();
  /** The whole fleet's tally. */
  readonly fleet: SiteTally = { count: 0, counts: {} };
  /** Devices the down list names: down, unreachable, or either of them acknowledged. */
  readonly problems = new Set<string>();
  #dirty = new Set<string>();
  #all = true;
  #structure: Structure | undefined;
  /** The states array `#index` was built for (patched in place by the cache between requests). */
  #indexed: readonly DeviceState[] | undefined;
  /** Each device's place in `#indexed`, where its alert tally is. */
  #index = new Map<string, number>();
  /** Firing and handled alerts per device, packed (see `alertTally`), at `#index`'s places. */
  #tally = new Float64Array(0);
  /** The previous request's tally array, reused for the next one. */
  #spare = new Float64Array(0);
  /** How many node views the last refresh computed and found changed (tests: proof that it was incremental). */
  lastRecomputed = 0;
  /** Moves whenever a refresh changed any view: what is derived from the views may be kept until it does. */
  version = 0;
  readonly #offs: Array<() => void>;
  readonly #following: boolean;

  /** Without a bus nothing is followed: each refresh recomputes every device (a one-off view). */
  constructor(bus?: Bus) {
    const mark = (id: string | undefined) => {
      if (id) this.#dirty.add(id);
    };
    this.#following = bus !== undefined;
    if (!bus) {
      this.#offs = [];
      return;
    }
    this.#offs = [
      bus.on('device:status', ({ device }) => mark(device.id)),
      // Enabling or disabling a device changes its state without changing the structure.
      bus.on('device:changed', ({ device }) => mark(device.id)),
      // A poll may change an uplink's state (degraded); marking is O(1), the work waits for a request.
      bus.on('facts', ({ device }) => mark(device.id)),
      bus.on('samples', ({ device }) => mark(device.id)),
    ];
  }

  /**
   * Brings every view up to date for this structure, statuses and firing alerts; returns the
   * views. With `known` (the caller's word that, since the previous refresh, only the devices it
   * names may have a new status or state object), only those and the devices events marked are
   * compared, not the whole fleet.
   */
  refresh(
    structure: Structure,
    states: readonly DeviceState[],
    alerts: readonly object[],
    rates: Rates,
    known?: { changed: ReadonlySet<string>; state(id: string): DeviceState | undefined },
  ): Map<string, NodeView> {
    if (!this.#following || structure !== this.#structure || states.length !== this.#nodes.size) {
      this.#structure = structure;
      this.#all = true;
    }
    this.#tallyAlerts(states, alerts);

    if (this.#all) {
      this.#all = false;
      this.#dirty.clear();
      this.#nodes.clear();
      this.#defs.clear();
      this.#sites.clear();
      this.problems.clear();
      this.fleet.count = 0;
      this.fleet.counts = {};
      for (const s of states) this.#put(s, rates);
      this.lastRecomputed = states.length;
      this.version++;
      return this.#nodes;
    }
    const dirty = this.#dirty;
    this.#dirty = new Set();
    let n = 0;
    const visit = (s: DeviceState) => {
      const id = s.device.id;
      const node = this.#nodes.get(id);
      if (!dirty.has(id) && node && node.status === s.status && this.#defs.get(id) === s.device) return;
      this.#drop(id);
      this.#put(s, rates);
      // A poll marks its router, and most polls change nothing the map shows: the old view is
      // kept (what was derived from it stays valid) and the version does not move.
      const fresh = this.#nodes.get(id);
      if (node && fresh && sameView(node, fresh)) this.#nodes.set(id, node);
      else n++;
    };
    if (known) {
      // Only the devices named by the caller or by events: what changed between two requests.
      for (const id of known.changed) dirty.add(id);
      for (const id of dirty) {
        const s = known.state(id);
        if (s) visit(s);
      }
    } else {
      // One comparison per device catches what no event announced (an API replica's sync rounds
      // change statuses without the bus); only the devices that differ are computed again.
      for (const s of states) visit(s);
    }
    this.lastRecomputed = n;
    if (n > 0) this.version++;
    return this.#nodes;
  }

  /**
   * Tallies the firing alerts per device and marks the devices whose tally changed since the
   * previous request (fired, resolved, acknowledged, silenced): typed arrays at each device's
   * place, compared element by element, as long as the states array is the same one.
   */
  #tallyAlerts(states: readonly DeviceState[], alerts: readonly object[]): void {
    const n = states.length;
    const before = this.#tally;
    const oldIndex = this.#index;
    const same = states === this.#indexed && oldIndex.size === n && before.length === n;
    if (!same) {
      const index = new Map<string, number>();
      for (let i = 0; i < n; i++) index.set((states[i] as DeviceState).device.id, i);
      this.#index = index;
      this.#indexed = states;
    }
    const next = this.#spare.length === n ? this.#spare : new Float64Array(n);
    next.fill(0);
    alertTally(alerts, this.#index, next);
    if (same) {
      for (let i = 0; i < n; i++)
        if (next[i] !== before[i]) this.#dirty.add((states[i] as DeviceState).device.id);
    } else {
      // Another list (devices added or removed, or read again): compared by id.
      for (let i = 0; i < n; i++) {
        const id = (states[i] as DeviceState).device.id;
        const was = oldIndex.get(id);
        if (next[i] !== (was === undefined ? 0 : before[was])) this.#dirty.add(id);
      }
    }
    this.#spare = before;
    this.#tally = next;
  }

  /** Every device's view, by id (as of the last refresh). */
  get nodes(): ReadonlyMap<string, NodeView> {
    return this.#nodes;
  }

  /** The tally of a site (undefined when no device carries it). */
  site(id: string): SiteTally | undefined {
    return this.#sites.get(id);
  }

  #drop(id: string): void {
    const old = this.#nodes.get(id);
    if (!old) return;
    this.#nodes.delete(id);
    this.#defs.delete(id);
    this.problems.delete(id);
    untally(this.fleet, old.state);
    const t = old.site ? this.#sites.get(old.site) : undefined;
    if (t) untally(t, old.state);
  }

  #put(s: DeviceState, rates: Rates): void {
    const structure = this.#structure as Structure;
    const d = s.device;
    const uplinksDown = (structure.uplinks.get(d.id) ?? []).filter((name) => {
      const r = rates(d.id, name);
      return r?.operUp === false && r.adminUp !== false;
    });
    const alert = this.#tally[this.#index.get(d.id) ?? -1] ?? 0;
    const { state, reasons } = nodeState({
      status: s.status,
      enabled: d.enabled !== false,
      uplinksDown,
      firing: Math.floor(alert / HANDLED_SPAN),
      handled: alert % HANDLED_SPAN,
    });
    const pos = structure.layout.nodes.get(d.id) ?? { x: 0, y: 0 };
    const c = coordinatesOf(d);
    const site = d.labels?.site;
    const node: NodeView = {
      id: d.id,
      name: d.name ?? d.id,
      status: s.status,
      driver: d.driver,
      labels: d.labels ?? NO_LABELS,
      ...(c ? { location: { ...d.location, ...c } } : {}),
      ...(site ? { site } : {}),
      state,
      reasons,
      x: Math.round(pos.x * 10) / 10,
      y: Math.round(pos.y * 10) / 10,
    };
    this.#nodes.set(d.id, node);
    this.#defs.set(d.id, d);
    if (isProblem(node)) this.problems.add(d.id);
    tally(this.fleet, state);
    if (!site) return;
    let t = this.#sites.get(site);
    if (!t) {
      t = { count: 0, counts: {} };
      this.#sites.set(site, t);
    }
    tally(t, state);
  }

  close(): void {
    for (const off of this.#offs) off();
  }
}
