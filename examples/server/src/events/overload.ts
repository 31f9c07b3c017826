/**
 * The monitor's overload state as the event stream tells it: core announces each change on the
 * bus (`monitor:overloaded`) and nothing else keeps it, so the stream remembers the latest one to
 * put in the `hello` snapshot of every new client.
 */
import type { Bus, BusEvents } from '@ispmonitor/core';

/** The overload state: core's `monitor:overloaded` payload. */
export type OverloadState = BusEvents['monitor:overloaded'];

/** Follows `monitor:overloaded`; `current()` is calm (overloaded false) until a first change. */
export function overloadTracker(bus: Bus): { current(): OverloadState; close(): void } {
  let state: OverloadState = {
    overloaded: false,
    lagMs: 0,
    backlog: 0,
    reason: 'no overload seen',
    ts: Date.now(),
  };
  const off = bus.on('monitor:overloaded', (e) => {
    state = { overloaded: e.overloaded, lagMs: e.lagMs, backlog: e.backlog, reason: e.reason, ts: e.ts };
  });
  return { current: () => state, close: off };
}
