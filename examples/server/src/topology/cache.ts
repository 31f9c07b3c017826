import type { Bus, DeviceState } from '@ispmonitor/core';
import type { NeighbourRow } from '../inventory/facts.js';
import { buildStructure, type Structure, structureSignature } from './build.js';
import { type CollapsedView, collapsedView, type SiteMembersView, siteMembersView } from './collapsed.js';
import { LiveStates } from './live-states.js';
import { LinkRates } from './rates.js';
import { liveTopologyView, type TopologyView } from './view.js';

/** What the topology reads, as the route plugin's decorators provide it. */
export interface TopologySources {
  bus: Bus;
  /**
   * The devices. With `get`, the list is read again only when a device is added, changed or
   * removed (bus events), and a status change (the bus's `device:status`, or `onStatusChange`
   * of a view whose statuses the bus does not carry) re-reads that device alone. Without `get`
   * the whole list is read and compared on every request.
   */
  devices: {
    list(): DeviceState[];
    get?(id: string): DeviceState | undefined;
    onStatusChange?(listener: (change: { device: string }) => void): () => void;
  };
  neighbours(): Promise<NeighbourRow[]>;
  /** Firing alerts (any alerting API's shape); an empty list without one. */
  firingAlerts(): Promise<object[]>;
  now?: () => number;
}

type Definition = DeviceState['device'];
/** The fields of a device the structure's signature hashes (see `structureSignature`), flat. */
const FIELDS = 10;
function putFields(d: Definition, out: unknown[], at: number): void {
  out[at] = d.id;
  out[at + 1] = d.name;
  out[at + 2] = d.host;
  out[at + 3] = d.parent;
  out[at + 4] = d.labels?.site;
  out[at + 5] = d.labels?.lat;
  out[at + 6] = d.labels?.lon;
  out[at + 7] = d.location?.lat;
  out[at + 8] = d.location?.lon;
  out[at + 9] = d.labels?.uplinks;
}
function sameFields(d: Definition, f: unknown[], at: number): boolean {
  return (
    f[at] === d.id &&
    f[at + 1] === d.name &&
    f[at + 2] === d.host &&
    f[at + 3] === d.parent &&
    f[at + 4] === d.labels?.site &&
    f[at + 5] === d.labels?.lat &&
    f[at + 6] === d.labels?.lon &&
    f[at + 7] === d.location?.lat &&
    f[at + 8] === d.location?.lon &&
    f[at + 9] === d.labels?.uplinks
  );
}

/** How long reported neighbours are reused before storage is asked again. */
export const NEIGHBOURS_TTL_MS = 30_000;

/** The devices as the last request saw them, patched by events in between. */
interface Snapshot {
  states: DeviceState[];
  /** Each device's place in `states`. */
  at: Map<string, number>;
  /** Moves with each full read of the list (what the structure's signature depends on). */
  version: number;
}

/**
 * The topology's structure (links and the graph layout), built once and kept until what it is
 * made of changes: a device added, removed or changed (seen at once, through a hash of the
 * devices) or the neighbours devices report (read at most every 30 s, or at once after a device
 * event). A request only lays statuses, alerts and rates over it, so it stays fast at 10,000
 * devices. Concurrent requests during a rebuild share the one rebuild.
 */
export class TopologyCache {
  readonly rates: LinkRates;
  readonly live: LiveStates;
  #structure: Structure | undefined;
  #neighbours: { rows: NeighbourRow[]; at: number } | undefined;
  #building: Promise<Structure> | undefined;
  #builds = 0;
  /** The definitions and neighbours the last signature was computed from. */
  #signed:
    | { fields: unknown[]; neighbours: NeighbourRow[]; signature: string; version: number | undefined }
    | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #offs: Array<() => void>;
  #snapshot: Snapshot | undefined;
  /** Devices whose status changed since the snapshot was taken or last patched. */
  #patched = new Set<string>();
  #versions = 0;

  constructor(private readonly sources: TopologySources) {
    this.rates = new LinkRates(sources.bus);
    this.live = new LiveStates(sources.bus);
    const stale = () => {
      this.#neighbours = undefined;
      this.#snapshot = undefined;
    };
    const patch = (id: string) => {
      this.#patched.add(id);
    };
    this.#offs = [
      sources.bus.on('device:added', stale),
      sources.bus.on('device:changed', stale),
      sources.bus.on('device:removed', stale),
      sources.bus.on('device:status', ({ device }) => patch(device.id)),
    ];
    const off = sources.devices.onStatusChange?.((c) => patch(c.device));
    if (off) this.#offs.push(off);
  }

  /**
   * The devices now, and which of them may have changed since the previous call (undefined: any
   * of them — the list was read again). At 10,000 devices reading and comparing the whole list
   * was most of a request's cost, though between two requests a handful of statuses change.
   */
  #devicesNow(): { states: DeviceState[]; changed: ReadonlySet<string> | undefined } {
    const get = this.sources.devices.get?.bind(this.sources.devices);
    const snap = this.#snapshot;
    if (get && snap) {
      const changed = this.#patched;
      this.#patched = new Set();
      let whole = false;
      for (const id of changed) {
        const i = snap.at.get(id);
        const s = get(id);
        // A device the snapshot does not know (or no longer there): its event is on its way.
        if (i === undefined || !s) {
          whole = true;
          break;
        }
        snap.states[i] = s;
      }
      if (!whole) return { states: snap.states, changed };
    }
    const states = this.sources.devices.list();
    this.#patched.clear();
    if (get) {
      const at = new Map<string, number>();
      for (let i = 0; i < states.length; i++) at.set((states[i] as DeviceState).device.id, i);
      this.#snapshot = { states, at, version: ++this.#versions };
    }
    return { states, changed: undefined };
  }

  /** How many times the structure was built (tests, and `/api/v1/topology`'s `layoutBuiltAt`). */
  get builds(): number {
    return this.#builds;
  }

  #now(): number {
    return this.sources.now?.() ?? Date.now();
  }

  async #currentNeighbours(): Promise<NeighbourRow[]> {
    const now = this.#now();
    if (this.#neighbours && now - this.#neighbours.at < NEIGHBOURS_TTL_MS) return this.#neighbours.rows;
    const rows = await this.sources.neighbours();
    this.#neighbours = { rows, at: now };
    return rows;
  }

  /** The structure for these devices, rebuilt only when its signature changed. */
  async structure(states: readonly DeviceState[]): Promise<Structure> {
    if (this.#building) return this.#building;
    const neighbours = await this.#currentNeighbours();
    const signature = this.#signature(states, neighbours);
    if (this.#structure?.signature === signature) return this.#structure;
    this.#building = (async () => {
      const s = buildStructure(states, neighbours, signature, this.#now());
      this.#builds++;
      this.rates.want(s.watched);
      this.#structure = s;
      return s;
    })();
    try {
      return await this.#building;
    } finally {
      this.#building = undefined;
    }
  }

  /**
   * The structure's signature, hashed again only when what it is made of changed: the fields
   * of each device it hashes are compared with the ones last hashed (a few property reads per
   * device, no string built), and the neighbours by identity (a new read is a new array).
   * Hashing 10,000 definitions on every request cost more than the rest of the answer.
   */
  #signature(states: readonly DeviceState[], neighbours: NeighbourRow[]): string {
    const last = this.#signed;
    // The same snapshot of the list (only statuses patched since): the same definitions.
    const version = this.#snapshot?.states === states ? this.#snapshot.version : undefined;
    if (last && version !== undefined && last.version === version && last.neighbours === neighbours)
      return last.signature;
    if (last && last.neighbours === neighbours && last.fields.length === states.length * FIELDS) {
      let same = true;
      for (let i = 0; i < states.length && same; i++)
        same = sameFields((states[i] as DeviceState).device, last.fields, i * FIELDS);
      if (same) {
        last.version = version;
        return last.signature;
      }
    }
    const signature = structureSignature(states, neighbours);
    const fields: unknown[] = new Array(states.length * FIELDS);
    for (let i = 0; i < states.length; i++) putFields((states[i] as DeviceState).device, fields, i * FIELDS);
    this.#signed = { fields, neighbours, signature, version };
    return signature;
  }

  /** The structure, the devices and their states brought up to date (only what changed is recomputed). */
  async #current() {
    const { states, changed } = this.#devicesNow();
    const [structure, alerts] = await Promise.all([
      this.structure(states),
      this.sources.firingAlerts().catch(() => []),
    ]);
    const rates = (d: string, i: string) => this.rates.get(d, i);
    const snap = this.#snapshot;
    // Only the devices events named are compared again when the list was not read whole.
    const known =
      changed && snap?.states === states
        ? { changed, state: (id: string) => snap.states[snap.at.get(id) ?? -1] }
        : undefined;
    this.live.refresh(structure, states, alerts, rates, known);
    return { structure, states, rates };
  }

  /**
   * What `GET /api/v1/topology` answers without `site`: every device, or above `collapseAbove`
   * devices (or with `view: 'sites'`) every site collapsed.
   */
  async answer(
    view: 'auto' | 'full' | 'sites',
    collapseAbove: number,
  ): Promise<TopologyView | CollapsedView> {
    const { structure, states, rates } = await this.#current();
    const sites = view === 'sites' || (view !== 'full' && states.length > collapseAbove);
    return sites
      ? collapsedView(structure, states, this.live, rates, this.#now())
      : liveTopologyView(structure, states, this.live, rates, this.#now());
  }

  /** The topology now, every device. */
  async view(): Promise<TopologyView> {
    const { structure, states, rates } = await this.#current();
    return liveTopologyView(structure, states, this.live, rates, this.#now());
  }

  /** The topology now with every site collapsed (see `collapsed.ts`). */
  async collapsed(): Promise<CollapsedView> {
    const { structure, states, rates } = await this.#current();
    return collapsedView(structure, states, this.live, rates, this.#now());
  }

  /** One site's devices and the links among them; undefined for an unknown site. */
  async site(site: string): Promise<SiteMembersView | undefined> {
    const { structure, states, rates } = await this.#current();
    return siteMembersView(structure, states, this.live, rates, site, this.#now());
  }

  /**
   * Keeps the structure current in the background, so that link ends are followed (their rates
   * measured from consecutive polls) from the server's start rather than from the first request:
   * the first view of the topology then shows utilisation at once.
   */
  follow(everyMs = NEIGHBOURS_TTL_MS): void {
    if (this.#timer) return;
    // Each tick also drops the snapshot, so the next request reads the whole list and compares
    // every device once: a belt to the events' braces.
    const tick = () => {
      this.#snapshot = undefined;
      void this.structure(this.sources.devices.list()).catch(() => undefined);
    };
    tick();
    this.#timer = setInterval(tick, everyMs);
    this.#timer.unref?.();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const off of this.#offs) off();
    this.rates.close();
    this.live.close();
  }
}
