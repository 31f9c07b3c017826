import { describe, expect, it } from 'vitest';
import { FactsMemo } from '../src/inventory/facts-memo.js';

const MIN = 60_000;
const ports = (operUp: boolean) => [
  { index: 1, name: 'ether1', operUp },
  { index: 2, name: 'ether2', operUp: true },
];

describe('FactsMemo: write inventory facts when they change', () => {
  it('skips unchanged facts until the refresh interval, writes changes at once', () => {
    const memo = new FactsMemo(5 * MIN, () => 0);
    const first = memo.due('r1', { interfaces: ports(true) }, 0);
    expect(Object.keys(first.facts)).toEqual(['interfaces']);
    memo.commit('r1', first.prints, 0);

    expect(memo.due('r1', { interfaces: ports(true) }, MIN).prints.size).toBe(0);
    const changed = memo.due('r1', { interfaces: ports(false) }, 2 * MIN);
    expect(changed.facts.interfaces?.[0]?.operUp).toBe(false);
    memo.commit('r1', changed.prints, 2 * MIN);
    expect(memo.due('r1', { interfaces: ports(false) }, 6 * MIN).prints.size).toBe(0);
    // Unchanged for the whole refresh interval: written again (moves last_seen).
    expect(memo.due('r1', { interfaces: ports(false) }, 7 * MIN).prints.size).toBe(1);
  });

  it('a change of the addresses of an interface is a change of the interfaces', () => {
    const memo = new FactsMemo(5 * MIN, () => 0);
    const withAddresses = (addresses: string[]) => [{ index: 1, name: 'ether1', addresses }];
    memo.commit('r1', memo.due('r1', { interfaces: withAddresses(['10.0.0.1/30']) }, 0).prints, 0);
    expect(memo.due('r1', { interfaces: withAddresses(['10.0.0.1/30']) }, MIN).prints.size).toBe(0);
    const moved = memo.due('r1', { interfaces: withAddresses(['10.0.0.5/30']) }, MIN);
    expect(moved.facts.interfaces?.[0]?.addresses).toEqual(['10.0.0.5/30']);
  });

  it('a write that was not committed (it failed) is attempted again on the next poll', () => {
    const memo = new FactsMemo(5 * MIN, () => 0);
    expect(memo.due('r1', { interfaces: ports(true) }, 0).prints.size).toBe(1);
    expect(memo.due('r1', { interfaces: ports(true) }, MIN).prints.size).toBe(1);
  });

  it('uptimes and lease expiries alone are not a change; an empty list after a full one is', () => {
    const memo = new FactsMemo(5 * MIN, () => 0);
    const at = (uptime: number) => ({
      system: { name: 'bras', uptimeSeconds: uptime },
      pppoeSessions: [{ user: 'alice', uptimeSeconds: uptime }],
      dhcpLeases: [{ address: '192.0.2.1', mac: 'aa:bb:cc:dd:ee:ff', expiresAfterSeconds: 600 - uptime }],
    });
    memo.commit('r1', memo.due('r1', at(100), 0).prints, 0);
    expect(memo.due('r1', at(160), MIN).prints.size).toBe(0);
    const gone = memo.due('r1', { pppoeSessions: [] }, 2 * MIN);
    expect(gone.facts).toEqual({ pppoeSessions: [] });
  });

  it('keeps devices apart, forgets a removed device, and handles 64-bit counters in facts', () => {
    const memo = new FactsMemo(5 * MIN, () => 0);
    memo.commit('r1', memo.due('r1', { interfaces: ports(true) }, 0).prints, 0);
    expect(memo.due('r2', { interfaces: ports(true) }, 0).prints.size).toBe(1);
    memo.forget('r1');
    expect(memo.due('r1', { interfaces: ports(true) }, MIN).prints.size).toBe(1);
    const wireless = { wirelessClients: [{ mac: 'aa', interface: 'wlan1', txBytes: 2n ** 64n - 1n }] };
    expect(() => memo.due('r3', wireless, 0)).not.toThrow();
  });

  it('spreads the first refresh of a fleet written at once over the interval, then keeps the period', () => {
    const memo = new FactsMemo(5 * MIN);
    const ids = Array.from({ length: 1000 }, (_, i) => `r-${i}`);
    for (const id of ids) memo.commit(id, memo.due(id, { interfaces: ports(true) }, 0).prints, 0);
    const firstRefresh = new Map<string, number>();
    const perMinute = [0, 0, 0, 0, 0, 0];
    for (let minute = 1; minute <= 6; minute++) {
      for (const id of ids) {
        const due = memo.due(id, { interfaces: ports(true) }, minute * MIN);
        if (due.prints.size === 0) continue;
        perMinute[minute - 1] = (perMinute[minute - 1] ?? 0) + 1;
        if (!firstRefresh.has(id)) firstRefresh.set(id, minute);
        memo.commit(id, due.prints, minute * MIN);
      }
    }
    // Every device refreshed once within the first 5 minutes, about a fifth in each minute.
    expect(perMinute.slice(0, 5).reduce((a, b) => a + b)).toBe(1000);
    for (const n of perMinute.slice(0, 5)) expect(n).toBeGreaterThan(140);
    for (const n of perMinute.slice(0, 5)) expect(n).toBeLessThan(260);
    // Then each one every 5 minutes: none again in minute 6 unless it first refreshed in minute 1.
    expect(perMinute[5]).toBe([...firstRefresh.values()].filter((m) => m === 1).length);
  });

  it('a changed fact is written at once and keeps the device on its refresh period', () => {
    const memo = new FactsMemo(5 * MIN, () => 0.5);
    memo.commit('r1', memo.due('r1', { interfaces: ports(true) }, 0).prints, 0);
    // Half the interval skipped: first refresh 2.5 minutes after the first write.
    expect(memo.due('r1', { interfaces: ports(true) }, 2 * MIN).prints.size).toBe(0);
    expect(memo.due('r1', { interfaces: ports(true) }, 3 * MIN).prints.size).toBe(1);
    const changed = memo.due('r1', { interfaces: ports(false) }, MIN);
    memo.commit('r1', changed.prints, MIN);
    expect(memo.due('r1', { interfaces: ports(false) }, 5 * MIN).prints.size).toBe(0);
    expect(memo.due('r1', { interfaces: ports(false) }, 6 * MIN).prints.size).toBe(1);
  });
});
