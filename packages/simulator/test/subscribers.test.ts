/**
 * The subscriber model behind the emulated BNGs: sessions that agree between "now" and "over a
 * period", churn near 2 % per hour with a few flapping users, unique users and addresses across
 * a fleet, leases renewing at half their time and expiring, clients roaming between routers.
 */
import { describe, expect, it } from 'vitest';
import {
  associationAt,
  associationsBetween,
  fleetClients,
  leaseAt,
  leaseExpiry,
  leasesBetween,
} from '../src/routeros/lan-clients.js';
import { RouterModel } from '../src/routeros/model.js';
import {
  isFlapping,
  type SubscriberPlan,
  sessionAddress,
  sessionAt,
  sessionId,
  sessionsBetween,
  userIdentity,
} from '../src/routeros/subscribers.js';

const T0 = 1_780_000_000; // seconds
const DAY = 86_400;

const plan = (index = 0, size = 2, over: Partial<SubscriberPlan> = {}): SubscriberPlan =>
  new RouterModel({
    pppSessions: 2000,
    sessionLifetimeSeconds: 50 * 3600,
    leases: 100,
    wirelessClients: 20,
    fleet: { index, size },
    now: () => T0 * 1000,
    ...over,
  }).subscribers;

describe('PPPoE sessions', () => {
  const p = plan();

  it('the session at an instant is the one the period lists, with the same identity', () => {
    for (let s = 0; s < 300; s += 7) {
      const spans = sessionsBetween(p, s, T0 - 3 * DAY, T0);
      for (let t = T0 - 3 * DAY + 1234; t < T0; t += 4321) {
        const at = sessionAt(p, s, t);
        const listed = spans.find((x) => x.start <= t && t < x.end);
        expect(at).toEqual(listed);
      }
    }
  });

  it('never overlap for one user, and each has its own .id for its whole life', () => {
    const ids = new Set<number>();
    for (let s = 0; s < 2000; s += 13) {
      const spans = sessionsBetween(p, s, T0 - 10 * DAY, T0);
      for (let i = 1; i < spans.length; i++)
        expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
      for (const span of spans) {
        const id = sessionId(p, span);
        expect(ids.has(id)).toBe(false);
        ids.add(id);
        const mid = sessionAt(p, s, (span.start + span.end) / 2);
        if (mid) expect(sessionId(p, mid)).toBe(id);
      }
    }
  });

  it('about 2 % of sessions end per hour; flapping users reconnect every few minutes', () => {
    let ended = 0;
    let active = 0;
    const flappers: number[] = [];
    for (let s = 0; s < p.users; s++) {
      if (isFlapping(p, s)) {
        flappers.push(sessionsBetween(p, s, T0 - 3600, T0).length);
        continue;
      }
      if (sessionAt(p, s, T0 - 24 * 3600)) active++;
      ended += sessionsBetween(p, s, T0 - 24 * 3600, T0).filter((x) => x.end <= T0).length;
    }
    const perHour = ended / 24 / active;
    expect(perHour).toBeGreaterThan(0.01);
    expect(perHour).toBeLessThan(0.03);
    expect(flappers).toHaveLength(2);
    for (const n of flappers) expect(n).toBeGreaterThanOrEqual(8);
    // They flap since a few hours or days: before that, their sessions were ordinary ones.
    for (let s = 0; s < p.users; s++) {
      if (isFlapping(p, s))
        expect(sessionsBetween(p, s, T0 - 30 * DAY, T0 - 3 * DAY).length).toBeLessThan(40);
    }
    // Most users are online at any time.
    expect(active / p.users).toBeGreaterThan(0.9);
  });

  it('user names, CPE MACs and addresses are unique across the fleet', () => {
    const a = plan(0, 2);
    const b = plan(1, 2);
    const names = new Set<string>();
    const macs = new Set<number>();
    const addresses = new Map<number, string>();
    for (const q of [a, b]) {
      for (let s = 0; s < q.users; s++) {
        const who = userIdentity(q, s);
        names.add(who.name);
        macs.add(who.mac);
        for (const span of sessionsBetween(q, s, T0 - 2 * DAY, T0)) {
          const owner = addresses.get(sessionAddress(q, span));
          expect(owner === undefined || owner === who.name).toBe(true);
          addresses.set(sessionAddress(q, span), who.name);
        }
      }
    }
    expect(names.size).toBe(4000);
    expect(macs.size).toBe(4000);
  });
});

describe('DHCP leases', () => {
  const p = plan();

  it('renew at half the lease time while the client is there, then run out and go away', () => {
    let expired = 0;
    for (let j = 0; j < p.leases; j++) {
      for (const l of leasesBetween(p, j, T0 - 2 * DAY, T0)) {
        expect(l.expires).toBeGreaterThan(l.leave);
        expect(l.expires - l.leave).toBeLessThanOrEqual(p.leaseTime);
        for (let t = l.arrive; t < l.leave; t += 97) {
          const left = leaseExpiry(p, leaseAt(p, j, t)!, t) - t;
          // Renewed every half lease time: between half and all of the lease time is left.
          expect(left).toBeGreaterThan(p.leaseTime / 2 - 1);
          expect(left).toBeLessThanOrEqual(p.leaseTime);
        }
        // After the client left, the lease counts down to its expiry and is gone then.
        expect(leaseExpiry(p, l, l.leave + 1)).toBe(l.expires);
        expect(leaseAt(p, j, l.expires)).toBeUndefined();
        if (l.expires <= T0) expired++;
      }
    }
    expect(expired).toBeGreaterThan(50);
  });
});

describe('wireless clients', () => {
  it('are on one router at a time and roam between the fleet’s routers', () => {
    const p = plan(0, 3);
    let roamed = 0;
    for (let c = 0; c < fleetClients(p); c++) {
      const spans = associationsBetween(p, c, T0 - DAY, T0);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBeGreaterThanOrEqual(spans[i - 1]!.to);
      if (new Set(spans.map((a) => a.router)).size > 1) roamed++;
      for (const a of spans) expect(associationAt(p, c, (a.from + a.to) / 2)).toEqual(a);
    }
    expect(roamed).toBeGreaterThan(fleetClients(p) / 4);
  });
});
