import type { Bus, Device, DeviceState, DeviceStatus } from '@ispmonitor/core';
import type { DeviceView } from '../replicas/sync.js';

/** The filters of `GET /api/v1/routers`. */
export interface RouterFilter {
  status?: DeviceStatus;
  site?: string;
  role?: string;
  driver?: string;
  origin?: 'config' | 'store';
  /** Case-insensitive substring of the id, name or host. */
  search?: string;
}

/** A device in the index, with the lower-case text a search looks in. */
interface Row {
  id: string;
  device: Device;
  hay: string;
}

/** Filters whose matching rows are kept, per level (the oldest is dropped first). */
const MATCH_CACHE = 32;
/** How often, at most, the index counts the devices to notice ones loaded without an event. */
const RECOUNT_MS = 1000;

/** Filters on the device definition: they change only with the inventory. */
function matchesDevice(d: Device, q: RouterFilter): boolean {
  if (q.driver && d.driver !== q.driver) return false;
  if (q.site && d.labels?.site !== q.site) return false;
  if (q.role && d.labels?.role !== q.role) return false;
  return true;
}

/** Filters on the live state: they change with a status, without an inventory event. */
function matchesState(s: DeviceState, q: RouterFilter): boolean {
  if (q.status && s.status !== q.status) return false;
  if (q.origin && s.origin !== q.origin) return false;
  return true;
}

/** Keeps at most MATCH_CACHE entries, dropping the oldest. */
function remember(cache: Map<string, Row[]>, key: string, rows: Row[]): Row[] {
  if (cache.size >= MATCH_CACHE) cache.delete(cache.keys().next().value as string);
  cache.set(key, rows);
  return rows;
}

/**
 * The ids of the router list in id order, filtered, without walking every device per request.
 *
 * Sorting 10,000 ids (and lower-casing their names) on every request would cost more than the
 * page itself, so the sorted rows are rebuilt only after the inventory changed. On top of them,
 * two small caches: the rows matching a definition filter (driver, site, role, search), kept
 * until the inventory changes, so paging through one filtered list costs a slice; and the rows
 * matching a status or origin filter too, kept until a status changes (reading the status of
 * 10,000 devices costs more than the page, and on an API replica allocates a state per device).
 */
export class RouterListIndex {
  #index: { rows: Row[]; matches: Map<string, Row[]>; byState: Map<string, Row[]> } | undefined;
  #checkedAt = 0;
  readonly #offs: Array<() => void>;

  constructor(
    private readonly devices: DeviceView,
    bus: Bus,
    private readonly now: () => number = Date.now,
  ) {
    const invalidate = () => {
      this.#index = undefined;
    };
    const statusChanged = () => {
      this.#index?.byState.clear();
    };
    this.#offs = [
      bus.on('device:added', invalidate),
      bus.on('device:changed', invalidate),
      bus.on('device:removed', invalidate),
      // An API replica's statuses change at its sync rounds, which the bus does not carry.
      devices.onStatusChange ? devices.onStatusChange(statusChanged) : bus.on('device:status', statusChanged),
    ];
  }

  /** How many devices match `filter`, and the ids of `limit` of them from `offset`. */
  page(filter: RouterFilter, offset: number, limit: number): { ids: string[]; total: number } {
    const rows = filter.status || filter.origin ? this.#matchingState(filter) : this.#matching(filter);
    return { ids: rows.slice(offset, offset + limit).map((r) => r.id), total: rows.length };
  }

  /** Stops following the inventory and statuses. */
  close(): void {
    for (const off of this.#offs) off();
  }

  #current() {
    const now = this.now();
    // Devices loaded without an event (config, stored devices at start) change the count:
    // checked at most once a second, because counting walks every device.
    if (this.#index && now - this.#checkedAt > RECOUNT_MS) {
      this.#checkedAt = now;
      const total = Object.values(this.devices.counts()).reduce((a, b) => a + b, 0);
      if (total !== this.#index.rows.length) this.#index = undefined;
    }
    if (!this.#index) {
      const rows = this.devices.list().map((s) => ({
        id: s.device.id,
        device: s.device,
        hay: `${s.device.id}\u0000${s.device.name ?? ''}\u0000${s.device.host}`.toLowerCase(),
      }));
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.#index = { rows, matches: new Map(), byState: new Map() };
      this.#checkedAt = now;
    }
    return this.#index;
  }

  /** The rows matching the definition filters, from the cache when asked lately. */
  #matching(q: RouterFilter): Row[] {
    const { rows, matches } = this.#current();
    const needle = q.search?.toLowerCase();
    if (!needle && !q.driver && !q.site && !q.role) return rows;
    const key = JSON.stringify([needle, q.driver, q.site, q.role]);
    return (
      matches.get(key) ??
      remember(
        matches,
        key,
        rows.filter((r) => (!needle || r.hay.includes(needle)) && matchesDevice(r.device, q)),
      )
    );
  }

  /** The rows matching a filter with a status or origin, from the cache until a status changes. */
  #matchingState(q: RouterFilter): Row[] {
    const rows = this.#matching(q);
    const { byState } = this.#current();
    const key = JSON.stringify([q.search?.toLowerCase(), q.driver, q.site, q.role, q.status, q.origin]);
    return (
      byState.get(key) ??
      remember(
        byState,
        key,
        rows.filter((r) => {
          const state = this.devices.get(r.id);
          return state !== undefined && matchesState(state, q);
        }),
      )
    );
  }
}
