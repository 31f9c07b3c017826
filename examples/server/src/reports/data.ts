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

/**
 * Availability of each of `devices` over [from, to), from one read of the fleet's status history
 * for the period (each router's transitions, preceded by the one in force at `from`).
 */
export async function readRouterReports(
  store: PostgresStore,
  devices: readonly DeviceState[],
  from: number,
  to: number,
): Promise<RouterReport[]> {
  if (devices.length === 0) return [];
  const ids = devices.map((d) => d.device.id);
  const rows = await store.statusChanges(from, to, ids);
  const byDevice = new Map<string, { initial: InitialStatus; changes: Transition[] }>();
  for (const r of rows) {
    let entry = byDevice.get(r.device);
    if (!entry) {
      entry = { initial: { status: 'unknown', since: null, reason: null }, changes: [] };
      byDevice.set(r.device, entry);
    }
    // The row dated before the period is the status in force at its start.
    if (r.ts < from) entry.initial = { status: r.status, since: r.ts, reason: r.reason };
    else entry.changes.push({ ts: r.ts, status: r.status, reason: r.reason });
  }
  return devices.map((state) => {
    const id = state.device.id;
    const entry = byDevice.get(id);
    return {
      id,
      name: state.device.name ?? id,
      site: state.device.labels?.site ?? null,
      status: state.status,
      ...routerAvailability(
        from,
        to,
        entry?.initial ?? { status: 'unknown', since: null, reason: null },
        entry?.changes ?? [],
      ),
    };
  });
}
