/**
 * Reads what the availability report needs from the storage plugin's status history: the status
 * of each router in force at the period's start and its transitions inside the period.
 */
import type { DeviceState, DeviceStatus } from '@ispmonitor/core';
import type { PostgresStore } from '@ispmonitor/plugin-postgres';
import {
  type InitialStatus,
  type RouterAvailability,
  routerAvailability,
  type Transition,
} from './availability.js';

/** A router of the report: who it is and its availability over the period. */
export interface RouterReport extends RouterAvailability {
  id: string;
  name: string;
  /** The router's `site` label; null without one. */
  site: string | null;
  /** Its status now. */
  status: DeviceStatus;
}

/** At most this many status reads at once (each is one indexed query). */
const CONCURRENCY = 8;
/** How far before the period to look for the start and reason of an outage in force at its start. */
const LOOKBACK_MS = 7 * 86_400_000;

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The storage answers at most this many transitions a read, oldest first: longer histories are paged. */
const PAGE = 10_000;
/** A router flapping beyond this many transitions in one period is cut there. */
const MAX_TRANSITIONS = 200_000;

/** Every transition of `id` in [from, to], read page by page (the storage caps each read). */
async function readTransitions(
  store: PostgresStore,
  id: string,
  from: number,
  to: number,
): Promise<Transition[]> {
  const out: Transition[] = [];
  let at = from;
  // Rows at the page's last instant are read again by the next page: skip the ones already kept.
  let seenAtBoundary = new Set<string>();
  for (;;) {
    const rows = await store.statusHistory(id, at, to);
    const boundary = new Set<string>();
    const last = rows.at(-1)?.ts;
    for (const r of rows) {
      const key = `${r.ts}|${r.previous}|${r.status}|${r.reason ?? ''}`;
      if (r.ts === at && seenAtBoundary.has(key)) continue;
      if (r.ts === last) boundary.add(key);
      out.push({ ts: r.ts, status: r.status, reason: r.reason });
    }
    if (rows.length < PAGE || last === undefined || out.length >= MAX_TRANSITIONS) return out;
    if (last === at && boundary.size >= PAGE) return out; // a whole page at one instant: give up paging
    at = last;
    seenAtBoundary = boundary;
  }
}

/** The one status with time in it over a millisecond: the status in force then. */
function statusOf(ms: Record<DeviceStatus, number>): DeviceStatus {
  for (const [s, v] of Object.entries(ms)) if (v > 0) return s as DeviceStatus;
  return 'unknown';
}

/**
 * Availability of each of `devices` over [from, to). Routers whose status did not change during
 * the period (the bulk of a healthy fleet) cost no query of their own: one bulk availability
 * read says so. The others have their transitions read, a few at a time.
 */
export async function readRouterReports(
  store: PostgresStore,
  devices: readonly DeviceState[],
  from: number,
  to: number,
): Promise<RouterReport[]> {
  if (devices.length === 0) return [];
  const ids = devices.map((d) => d.device.id);
  const [before, totals] = await Promise.all([
    // Availability over the millisecond before `from`: the status in force at `from`.
    store.availability(from - 1, from, ids),
    store.availability(from, to, ids),
  ]);
  const initialOf = new Map(before.map((a) => [a.device, statusOf(a.ms)]));
  const span = to - from;
  const changing = new Set(
    totals.filter((a) => !Object.values(a.ms).some((v) => v === span)).map((a) => a.device),
  );

  return mapLimited(devices, CONCURRENCY, async (state): Promise<RouterReport> => {
    const id = state.device.id;
    const status = initialOf.get(id) ?? 'unknown';
    const initial: InitialStatus = { status, since: null, reason: null };
    if (status === 'offline' || status === 'unreachable') {
      // An outage already running at `from`: its start and reason, when within the lookback.
      const earlier = await store.statusHistory(id, from - LOOKBACK_MS, from - 1);
      const last = earlier.at(-1);
      if (last && last.status === status) {
        initial.since = last.ts;
        initial.reason = last.reason;
      }
    }
    let changes: Transition[] = [];
    if (changing.has(id)) {
      changes = await readTransitions(store, id, from, to);
    }
    return {
      id,
      name: state.device.name ?? id,
      site: state.device.labels?.site ?? null,
      status: state.status,
      ...routerAvailability(from, to, initial, changes),
    };
  });
}
