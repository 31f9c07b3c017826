/**
 * The demo's 30-day history against the running demo it precedes: deterministic, one router per
 * user and no overlapping sessions, the open sessions/leases/associations are exactly what the
 * emulated BNGs answer at `now`, and the series are well-formed 5-minute aggregates under
 * catalogue names with the devices' labels, agreeing with the subscriber rows.
 */
import { createHash } from 'node:crypto';
import { catalog, catalogNames } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoFleet, type DemoFleet, planDemoNetwork } from '../src/demo.js';
import { type DemoBngs, planDemoBngs, startDemoBngs } from '../src/demo-bngs.js';
import { demoFleetHistory } from '../src/demo-history.js';
import { type DemoHistory, historySize } from '../src/history/index.js';
import { menuRows } from '../src/routeros/tables.js';
import { parseDurationForTest } from './support/durations.js';

const NOW = Date.UTC(2026, 10, 20, 18, 2, 17);
const DAY = 86_400_000;
let fleet: DemoFleet;
let bngs: DemoBngs;
let h: DemoHistory;

beforeAll(async () => {
  const clock = { now: () => NOW, setTimeout: (f: () => void, ms: number) => setTimeout(f, ms) };
  fleet = await createDemoFleet({ snmpDevices: 12, clock });
  bngs = await startDemoBngs(planDemoBngs(planDemoNetwork(12).nodes), { now: () => NOW });
  h = demoFleetHistory(fleet, bngs);
}, 60_000);
afterAll(async () => {
  await fleet?.close();
  await bngs?.fleet.close();
});

const rowsOf = (i: number, menu: string) => menuRows(bngs.fleet.routers[i]!.model, menu) ?? [];

describe('demoFleetHistory at the default demo size', () => {
  it('is deterministic and covers 30 days before now', () => {
    const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');
    expect(digest(demoFleetHistory(fleet, bngs))).toBe(digest(h));
    const starts = h.sessions.map((s) => s.start);
    expect(Math.min(...starts)).toBeLessThan(NOW - 29 * DAY);
    expect(h.sessions.length).toBeGreaterThan(50_000);
    expect(h.leases.length).toBeGreaterThan(1_000);
    expect(h.wireless.length).toBeGreaterThan(1_000);
  });

  it('puts each user on one router, with sessions that never overlap', () => {
    const byUser = new Map<string, typeof h.sessions>();
    for (const s of h.sessions) byUser.set(s.user, [...(byUser.get(s.user) ?? []), s]);
    expect(byUser.size).toBe(3_000);
    for (const [user, list] of byUser) {
      expect(new Set(list.map((s) => s.router)).size, user).toBe(1);
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBeGreaterThanOrEqual(list[i - 1]!.end!);
      expect(list.slice(0, -1).every((s) => s.end !== null && s.endReason === 'vanished')).toBe(true);
    }
  });

  it('ends with exactly the sessions, bound leases and clients the BNGs show now', () => {
    bngs.devices.forEach((device, i) => {
      const live = rowsOf(i, '/ppp/active').map((r) => {
        const start = NOW - parseDurationForTest(r.uptime!) * 1000;
        return `${r.name}|${r['.id']}|${r['caller-id']!.toLowerCase()}|${r.address}|${Math.round(start / 1000)}`;
      });
      const open = h.sessions
        .filter((s) => s.router === device.id && s.end === null)
        .map(
          (s) => `${s.user}|${s.routerSessionId}|${s.callerId}|${s.address}|${Math.round(s.start / 1000)}`,
        );
      expect(open.length).toBeGreaterThan(1_300);
      expect(open.sort()).toEqual(live.sort());
      const bound = rowsOf(i, '/ip/dhcp-server/lease')
        .filter((r) => r.status === 'bound')
        .map((r) => `${r['mac-address']!.toLowerCase()}|${r.address}`);
      const openLeases = h.leases
        .filter((l) => l.router === device.id && l.to === null)
        .map((l) => `${l.mac}|${l.address}`);
      expect(openLeases.sort()).toEqual(bound.sort());
      const clients = rowsOf(i, '/interface/wifi/registration-table').map(
        (r) => `${r['mac-address']!.toLowerCase()}|${r.interface}`,
      );
      const openClients = h.wireless
        .filter((w) => w.router === device.id && w.to === null)
        .map((w) => `${w.mac}|${w.interface}`);
      expect(openClients.sort()).toEqual(clients.sort());
    });
  });

  it('has reconnects and flapping users, but not enough to look like a flapping BNG', () => {
    const lastDay = h.sessions.filter((s) => s.start >= NOW - DAY);
    for (const d of bngs.devices) {
      const reconnects = lastDay.filter((s) => s.router === d.id && s.reconnect).length;
      expect(reconnects / 24).toBeGreaterThan(5);
      // The ISP pack's SubscriberFlapping fires above 50 an hour.
      expect(reconnects / 24).toBeLessThan(50);
    }
    const perUser = new Map<string, number>();
    for (const s of lastDay) perUser.set(s.user, (perUser.get(s.user) ?? 0) + 1);
    expect([...perUser.values()].filter((n) => n > 50).length).toBe(4);
  });

  it('writes well-formed 5-minute aggregates of catalogue series with the devices’ own labels', () => {
    const devices = new Map([...fleet.devices, ...bngs.devices].map((d) => [d.id, d]));
    const keys = new Set<string>();
    const problems: string[] = [];
    for (const s of h.series) {
      expect(catalogNames.has(s.name), s.name).toBe(true);
      const device = devices.get(s.labels.device!);
      expect(device, JSON.stringify(s.labels)).toBeDefined();
      for (const [k, v] of Object.entries(device!.labels ?? {})) expect(s.labels[k]).toBe(v);
      const key = `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
      expect(keys.has(key), key).toBe(false);
      keys.add(key);
      // Checked in plain code: an expect per bucket (270,000 of them) would take most of a minute.
      let prev = -Infinity;
      for (const b of s.buckets) {
        const bad =
          b.ts % 300_000 !== 0 ||
          b.ts <= prev ||
          b.ts + 300_000 > NOW ||
          b.min > b.max ||
          b.count < 1 ||
          (s.kind === 'counter' && !((b.increase ?? -1) >= 0));
        if (bad) problems.push(`${key} ${JSON.stringify(b)}`);
        prev = b.ts;
      }
    }
    expect(problems).toEqual([]);
    const names = new Set(h.series.map((s) => s.name));
    const stored = [
      'deviceUp',
      'deviceCpuLoad',
      'deviceMemoryUsed',
      'deviceUptime',
      'ifInOctets',
      'pppoeSessions',
      'dhcpLeases',
      'wirelessClients',
    ] as const;
    for (const key of stored) {
      expect(names).toContain(catalog[key].name);
    }
  });

  it('agrees with itself: PPPoE gauges follow the sessions, device_up the outages', () => {
    for (const d of bngs.devices) {
      const gauge = h.series.find((s) => s.name === catalog.pppoeSessions.name && s.labels.device === d.id)!;
      const b = gauge.buckets.at(-1)!;
      const at = b.ts + 0.95 * 300_000;
      const active = h.sessions.filter(
        (s) => s.router === d.id && s.start <= at && (s.end ?? Infinity) > at,
      ).length;
      expect(b.last).toBe(active);
    }
    for (const id of new Set(h.statusChanges.map((c) => c.router))) {
      const changes = h.statusChanges.filter((c) => c.router === id);
      expect(changes[0]).toMatchObject({ previous: 'unknown', status: 'online' });
      expect(changes.at(-1)!.status).toBe('online');
      const downMs = changes.reduce(
        (sum, c, i) => (c.status === 'unreachable' ? sum + (changes[i + 1]!.ts - c.ts) : sum),
        0,
      );
      const up = h.series.find((s) => s.name === catalog.deviceUp.name && s.labels.device === id)!;
      const downBuckets = up.buckets.reduce(
        (sum, b) => sum + (1 - b.sum / b.count) * (b.count === 10 ? 300_000 : 3_600_000),
        0,
      );
      expect(Math.abs(downBuckets - downMs)).toBeLessThan(60_000);
    }
    expect(h.statusChanges.some((c) => c.status === 'unreachable')).toBe(true);
  });

  it('keeps a big demo’s backfill within its budgets: BNG charts first, the newest sessions, every open one', () => {
    const small = demoFleetHistory(fleet, bngs, { maxBuckets: 30_000, maxSessions: 10_000 });
    const size = historySize(small);
    expect(size.buckets).toBeLessThanOrEqual(30_000);
    const charted = new Set(small.series.map((s) => s.labels.device));
    for (const d of bngs.devices) expect(charted).toContain(d.id);
    expect(size.seriesDevices).toBeLessThan(14);
    expect(small.sessions.length).toBeLessThanOrEqual(10_050);
    expect(size.sessionDays).toBeLessThan(30);
    const open = (x: DemoHistory) => x.sessions.filter((s) => s.end === null).length;
    expect(open(small)).toBe(open(h));
    expect(small.statusChanges).toEqual(h.statusChanges);
    expect(historySize(h)).toMatchObject({ days: 30, seriesDevices: 14 });
  });
});
