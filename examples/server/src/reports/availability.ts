/**
 * Availability arithmetic of the report: pure functions over a router's recorded status
 * transitions, no I/O. Everything is in milliseconds since the epoch.
 *
 * What counts: over a period [from, to), each instant has the status in force then — the last
 * recorded transition at or before it, or `unknown` before the first one. Time `online`,
 * `unreachable` and `offline` is *covered* (the monitor knew the status); `unknown` is not.
 * Availability is online time over covered time, so a router monitored for 17 minutes of a
 * 30-day period reports 17 minutes covered and its availability over those 17 minutes — never a
 * 30-day figure.
 */
import type { DeviceStatus } from '@ispmonitor/core';

/** One recorded status transition. */
export interface Transition {
  ts: number;
  status: DeviceStatus;
  reason: string | null;
}

/** The status in force when the period starts. */
export interface InitialStatus {
  status: DeviceStatus;
  /** When that status began, if known (it may be before the period). */
  since: number | null;
  reason: string | null;
}

/** Milliseconds spent in each status. */
export type StatusTimes = Record<DeviceStatus, number>;

/** One outage: a stretch of `offline` (cause `down`) or `unreachable` status. */
export interface Outage {
  /** Start inside the period (the period's start when it began before). */
  start: number;
  /** When the status changed again; null while still ongoing at the period's end. */
  end: number | null;
  /** Time inside the period. */
  durationMs: number;
  cause: 'down' | 'unreachable';
  /** The reason recorded with the status change, when there is one. */
  reason: string | null;
  /** The outage began before the period (`since` says when, when known). */
  startedBefore: boolean;
  /** Real start, when it began before the period and is known. */
  since: number | null;
}

/** The figures of a router's, a site's and the fleet's availability. */
export interface Coverage {
  ms: StatusTimes;
  /** online + unreachable + offline: the time the status was known. */
  coveredMs: number;
  /** First and last instants covered, or null when nothing is. */
  coveredFrom: number | null;
  coveredTo: number | null;
  /** online / covered, 0..1; null when nothing is covered. */
  availability: number | null;
  /** Outage time (unreachable + offline). */
  downtimeMs: number;
}

/** A router's availability over a period. */
export interface RouterAvailability extends Coverage {
  from: number;
  to: number;
  outages: Outage[];
}

/** A site's (or any group's) availability: the sums of its routers. */
export interface GroupAvailability extends Coverage {
  routers: number;
  /** Routers with some covered time. */
  coveredRouters: number;
  outages: number;
}

/** The figures of `Coverage` from the time spent in each status and the first and last instants covered. */
function coverage(ms: StatusTimes, coveredFrom: number | null, coveredTo: number | null): Coverage {
  const coveredMs = ms.online + ms.unreachable + ms.offline;
  return {
    ms,
    coveredMs,
    coveredFrom,
    coveredTo,
    availability: coveredMs > 0 ? ms.online / coveredMs : null,
    downtimeMs: ms.unreachable + ms.offline,
  };
}

const zero = (): StatusTimes => ({ unknown: 0, online: 0, unreachable: 0, offline: 0 });
const causeOf = (s: DeviceStatus): Outage['cause'] | null =>
  s === 'offline' ? 'down' : s === 'unreachable' ? 'unreachable' : null;

/**
 * Availability of one router over [from, to). `changes` may come in any order and may include
 * transitions outside the period (ignored: the one in force at `from` is `initial`). A transition
 * to the status already in force (a monitor restart re-announcing it) does not split anything.
 */
export function routerAvailability(
  from: number,
  to: number,
  initial: InitialStatus,
  changes: readonly Transition[],
): RouterAvailability {
  const ms = zero();
  const outages: Outage[] = [];
  let coveredFrom: number | null = null;
  let coveredTo: number | null = null;
  if (!(to > from)) return finish(from, to, ms, null, null, outages);

  const inside = changes.filter((c) => c.ts >= from && c.ts < to).sort((a, b) => a.ts - b.ts);
  let status = initial.status;
  let start = from;
  let open: Outage | null = null;
  const begin = (
    s: DeviceStatus,
    at: number,
    reason: string | null,
    since: number | null,
    before: boolean,
  ) => {
    const cause = causeOf(s);
    open = cause
      ? { start: at, end: null, durationMs: 0, cause, reason, startedBefore: before, since }
      : null;
  };
  // An outage in force at `from` began before the period unless its start is known to be `from`.
  begin(status, from, initial.reason, initial.since, initial.since === null || initial.since < from);

  const close = (at: number) => {
    const span = at - start;
    if (span > 0) {
      ms[status] += span;
      if (status !== 'unknown') {
        coveredFrom ??= start;
        coveredTo = at;
      }
    }
  };
  for (const c of inside) {
    if (c.status === status) continue;
    close(c.ts);
    if (open) {
      const o: Outage = open;
      o.end = c.ts;
      o.durationMs = c.ts - o.start;
      outages.push(o);
    }
    status = c.status;
    start = c.ts;
    begin(status, c.ts, c.reason, c.ts, false);
  }
  close(to);
  if (open) {
    const o: Outage = open;
    o.durationMs = to - o.start;
    outages.push(o);
  }
  return finish(from, to, ms, coveredFrom, coveredTo, outages);
}

function finish(
  from: number,
  to: number,
  ms: StatusTimes,
  coveredFrom: number | null,
  coveredTo: number | null,
  outages: Outage[],
): RouterAvailability {
  return { from, to, ...coverage(ms, coveredFrom, coveredTo), outages };
}

/**
 * A group's availability: the routers' times summed, so a router covered for a day weighs a
 * thirtieth of one covered for 30 days (the group's figure is online router-time over covered
 * router-time, not a mean of percentages).
 */
export function groupAvailability(list: readonly RouterAvailability[]): GroupAvailability {
  const ms = zero();
  let coveredFrom: number | null = null;
  let coveredTo: number | null = null;
  let coveredRouters = 0;
  let outages = 0;
  for (const r of list) {
    for (const k of Object.keys(ms) as DeviceStatus[]) ms[k] += r.ms[k];
    if (r.coveredMs > 0) coveredRouters++;
    if (r.coveredFrom !== null) coveredFrom = Math.min(coveredFrom ?? r.coveredFrom, r.coveredFrom);
    if (r.coveredTo !== null) coveredTo = Math.max(coveredTo ?? r.coveredTo, r.coveredTo);
    outages += r.outages.length;
  }
  return { routers: list.length, coveredRouters, ...coverage(ms, coveredFrom, coveredTo), outages };
}
