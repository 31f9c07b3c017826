/**
 * Alert totals as every page shows them. One definition, computed on the server, so the
 * navigation badge, the alerts page and the overview cannot disagree: an alert is `firing` only
 * once it is past its `for` duration; `pending` ones are counted apart and never as firing.
 */
import type { AlertsApi } from './api.js';

/** Totals of active alerts. `bySeverity`, `acknowledged` and `silenced` count firing alerts only. */
export interface AlertCounts {
  firing: number;
  pending: number;
  /** Firing alerts someone acknowledged (and whose acknowledgement has not run out). */
  acknowledged: number;
  /** Firing alerts an active silence matches. */
  silenced: number;
  /** Firing alerts neither acknowledged nor silenced: what still needs someone. */
  unhandled: number;
  bySeverity: Record<string, number>;
}

/** An alert from either alerting API (the plugin's or the bus fallback's shape), as far as counting reads it. */
export interface AlertLike {
  state?: unknown;
  status?: unknown;
  labels?: Record<string, string>;
  ack?: unknown;
  acknowledged?: unknown;
  muted?: { kind?: unknown };
}

/** The state of an alert in either shape (core's `status`, the plugin's `state`). */
export function alertState(a: object): 'firing' | 'pending' | 'resolved' | undefined {
  const r = a as AlertLike;
  const s = r.state ?? r.status;
  return s === 'firing' || s === 'pending' || s === 'resolved' ? s : undefined;
}

/** Counts a list of alerts (any mix of states). */
export function countAlerts(items: readonly object[]): AlertCounts {
  const out: AlertCounts = {
    firing: 0,
    pending: 0,
    acknowledged: 0,
    silenced: 0,
    unhandled: 0,
    bySeverity: {},
  };
  for (const item of items) {
    const state = alertState(item);
    if (state === 'pending') out.pending++;
    if (state !== 'firing') continue;
    const a = item as AlertLike;
    out.firing++;
    const sev = a.labels?.severity ?? 'none';
    out.bySeverity[sev] = (out.bySeverity[sev] ?? 0) + 1;
    const acked = Boolean(a.ack ?? a.acknowledged);
    const silenced = a.muted?.kind === 'silence';
    if (acked) out.acknowledged++;
    if (silenced) out.silenced++;
    if (!acked && !silenced) out.unhandled++;
  }
  return out;
}

/** The current totals from the alerting in use (firing and pending only; resolved are not read). */
export async function currentCounts(alerts: AlertsApi): Promise<AlertCounts> {
  const [firing, pending] = await Promise.all([
    alerts.list({ status: 'firing' }),
    alerts.list({ status: 'pending' }),
  ]);
  return countAlerts([...firing, ...pending]);
}
