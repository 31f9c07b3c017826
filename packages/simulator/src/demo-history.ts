/**
 * The history of a running demo: {@link demoHistory} over the demo's SNMP devices and BNGs, with
 * the models they answer from, so the backfill ends where the live data begins.
 */
import type { DemoFleet } from './demo.js';
import type { DemoBngs } from './demo-bngs.js';
import { type DemoHistory, demoHistory } from './history/index.js';
import type { ProfileName } from './profiles/types.js';

/** Options of {@link demoFleetHistory}. */
export interface DemoFleetHistoryOptions {
  /** End of the history (ms). Default: the SNMP fleet's start, which is where live data begins. */
  now?: number;
  /** Days of history. Default 30. */
  days?: number;
  /** Days with 5-minute buckets (older: hourly). Default 1. */
  detailDays?: number;
  /**
   * Budgets that keep a big demo's backfill near the default's half minute: series buckets
   * (default 160,000: every device of the default demo) and PPPoE sessions (default 60,000).
   */
  maxBuckets?: number;
  maxSessions?: number;
}

/** Builds the history of a demo started with `createDemoFleet` and `startDemoBngs`. */
export function demoFleetHistory(
  fleet: DemoFleet,
  bngs: DemoBngs,
  options: DemoFleetHistoryOptions = {},
): DemoHistory {
  const byId = new Map(fleet.fleet.devices.map((d) => [d.id, d]));
  const snmp = fleet.devices.flatMap((device) => {
    const served = byId.get(device.id);
    return served ? [{ device, profile: served.profile as ProfileName, sim: served.sim }] : [];
  });
  const now = options.now ?? snmp[0]?.sim.startMs ?? Date.now();
  return demoHistory({
    snmp,
    bngs: bngs.devices.map((device, i) => ({
      id: device.id,
      device,
      model: (bngs.fleet.routers[i] as DemoBngs['fleet']['routers'][number]).model,
    })),
    now,
    ...(options.days !== undefined ? { days: options.days } : {}),
    ...(options.detailDays !== undefined ? { detailDays: options.detailDays } : {}),
    maxBuckets: options.maxBuckets ?? 160_000,
    maxSessions: options.maxSessions ?? 60_000,
  });
}
