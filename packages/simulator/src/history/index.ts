/**
 * `demoHistory`: 30 days of history for the demo, as plain data for the storage's
 * `importHistory`: PPPoE sessions, leases and wireless associations of the BNGs (the ones active
 * now are the emulators' current ones), status changes of a few outages and reboots, and the
 * time series the charts read, consistent with all of that. Pure and deterministic: the same
 * devices, models and `now` give the same history.
 */
import type { Device } from '@ispmonitor/core';
import { hashSeed } from '../model/random.js';
import { type Availability, type BngSpans, bucketGrid, type Span } from './buckets.js';
import { bngSeries, type HistorySnmpDevice, snmpSeries } from './series.js';
import { type HistoryBng, historyLeases, historySessions, historyWireless } from './subscribers.js';
import type { DemoHistory, HistoryStatusChange } from './types.js';

export type { Availability } from './buckets.js';
export type { HistorySnmpDevice } from './series.js';
export type { HistoryBng } from './subscribers.js';
export type * from './types.js';

/** What {@link demoHistory} reads. */
export interface DemoHistoryInput {
  /** The SNMP devices as the monitor polls them, with their profile and model. */
  snmp: readonly HistorySnmpDevice[];
  /** The BNGs as the monitor polls them, with their emulator model. */
  bngs: ReadonlyArray<HistoryBng & { device: Device }>;
  /** The end of the history (ms): the demo's start. */
  now: number;
  /** Days of history. Default 30. */
  days?: number;
  /** Days (before `now`) with 5-minute buckets; older days get one bucket per hour. Default 1. */
  detailDays?: number;
  /**
   * At most this many series buckets: series of the BNGs first, then of the SNMP devices in the
   * order given, until the budget is spent (a big demo backfills the charts of some routers, not
   * every one's). Default unlimited.
   */
  maxBuckets?: number;
  /**
   * At most this many PPPoE sessions: beyond it only the newest are kept (with the leases and
   * associations of the same days), open ones always. Default unlimited.
   */
  maxSessions?: number;
}

const DAY = 86_400_000;

/** Reboots (from the model's boot time back) and a few network outages of one SNMP device. */
export function snmpAvailability(d: HistorySnmpDevice, from: number, now: number): Availability {
  const h = hashSeed(d.device.id, 16);
  const boots: number[] = [];
  for (let b = d.sim.bootMs, k = 0; b > from - 60 * DAY && k < 20; k++) {
    boots.push(b);
    b -= (12 + ((h >>> (k % 24)) % 34)) * DAY + ((h * (k + 1)) % 86_400) * 1000;
  }
  const outages = boots
    .filter((b) => b > from && b < now)
    .map((b) => ({ from: b - (90 + (h % 150)) * 1000, to: b + 20_000 }));
  // One device in four also lost its link for a while (10–45 minutes), at least a day ago.
  if (h % 4 === 0) {
    const at = from + (h % Math.max(1, now - from - 2 * DAY));
    outages.push({ from: at, to: at + (10 + (h % 36)) * 60_000 });
  }
  outages.sort((a, b) => a.from - b.from);
  return { outages, boots: boots.filter((b) => b < now) };
}

/** Status changes matching the outages (first seen online at the window's start). */
function statusChanges(router: string, a: Availability, from: number): HistoryStatusChange[] {
  const out: HistoryStatusChange[] = [{ router, ts: from, previous: 'unknown', status: 'online' }];
  for (const o of a.outages) {
    out.push({ router, ts: o.from, previous: 'online', status: 'unreachable', reason: 'request timed out' });
    out.push({ router, ts: o.to, previous: 'unreachable', status: 'online' });
  }
  return out;
}

/** The demo's history: see the module comment. */
export function demoHistory(input: DemoHistoryInput): DemoHistory {
  const now = input.now;
  const from = now - (input.days ?? 30) * DAY;
  const grid = bucketGrid(from, now, input.detailDays ?? 1);
  const history: DemoHistory = { sessions: [], leases: [], wireless: [], statusChanges: [], series: [] };
  let budget = input.maxBuckets ?? Number.POSITIVE_INFINITY;
  const spend = (series: DemoHistory['series']) => {
    const n = series.reduce((sum, x) => sum + x.buckets.length, 0);
    if (n > budget) {
      budget = 0;
      return;
    }
    budget -= n;
    history.series.push(...series);
  };
  const availability = new Map<string, Availability>();
  for (const d of input.snmp) {
    const a = snmpAvailability(d, from, now);
    availability.set(d.device.id, a);
    history.statusChanges.push(...statusChanges(d.device.id, a, from));
  }
  history.sessions = historySessions(input.bngs, from / 1000, now / 1000);
  history.leases = historyLeases(input.bngs, from / 1000, now / 1000);
  history.wireless = historyWireless(input.bngs, from / 1000, now / 1000);
  const spans = new Map<string, BngSpans>(
    input.bngs.map((b) => [b.id, { sessions: [], leases: new Map(), wireless: new Map() }]),
  );
  const add = (map: Map<string, Span[]>, key: string, span: Span) => {
    const list = map.get(key);
    if (list) list.push(span);
    else map.set(key, [span]);
  };
  for (const s of history.sessions) spans.get(s.router)?.sessions.push([s.start, s.end ?? Infinity]);
  for (const l of history.leases) {
    const bng = spans.get(l.router);
    if (bng) add(bng.leases, l.server ?? 'all', [l.from, l.to ?? Infinity]);
  }
  for (const w of history.wireless) {
    const bng = spans.get(w.router);
    if (bng) add(bng.wireless, w.interface, [w.from, w.to ?? Infinity]);
  }
  for (const b of input.bngs) {
    // The BNGs were up throughout (booted before the window): their sessions never broke.
    const a: Availability = { outages: [], boots: [b.model.startedAt - b.model.bootUptime * 1000] };
    history.statusChanges.push(...statusChanges(b.id, a, from));
    spend(bngSeries(b, grid, a, spans.get(b.id) as BngSpans));
  }
  for (const d of input.snmp) {
    if (budget <= 0) break;
    spend(snmpSeries(d, grid, availability.get(d.device.id) as Availability));
  }
  trimSubscribers(history, input.maxSessions ?? Number.POSITIVE_INFINITY);
  return history;
}

/** Keeps the newest `max` sessions (and leases and associations of the same days). */
function trimSubscribers(h: DemoHistory, max: number): void {
  if (h.sessions.length <= max) return;
  const ends = h.sessions.map((s) => s.end ?? Number.POSITIVE_INFINITY).sort((a, b) => b - a);
  const cutoff = ends[Math.max(0, max - 1)] as number;
  const keep = (to: number | null) => to === null || to >= cutoff;
  h.sessions = h.sessions.filter((s) => keep(s.end));
  h.leases = h.leases.filter((l) => keep(l.to));
  h.wireless = h.wireless.filter((w) => keep(w.to));
}

/** Rows and buckets in a history, for a log line. */
export function historySize(h: DemoHistory): {
  sessions: number;
  leases: number;
  wireless: number;
  statusChanges: number;
  series: number;
  buckets: number;
  /** Devices with backfilled series. */
  seriesDevices: number;
  /** Days back to the oldest session kept. */
  sessionDays: number;
  /** Days back to the oldest status change (the window's start). */
  days: number;
} {
  let newest = 0;
  for (const x of h.sessions) newest = Math.max(newest, x.start);
  for (const c of h.statusChanges) newest = Math.max(newest, c.ts);
  const back = (t: number) => Math.round((newest - t) / DAY);
  const oldest = (list: number[]) => list.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  return {
    sessions: h.sessions.length,
    leases: h.leases.length,
    wireless: h.wireless.length,
    statusChanges: h.statusChanges.length,
    series: h.series.length,
    buckets: h.series.reduce((n, s) => n + s.buckets.length, 0),
    seriesDevices: new Set(h.series.map((s) => s.labels.device)).size,
    sessionDays: h.sessions.length ? back(oldest(h.sessions.map((s) => s.end ?? s.start))) : 0,
    days: h.statusChanges.length ? back(oldest(h.statusChanges.map((c) => c.ts))) : 0,
  };
}
