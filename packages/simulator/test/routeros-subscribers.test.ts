/**
 * Subscribers on emulated BNGs, read over the API as a driver reads them: sessions with stable
 * `.id`s and consistent uptimes, one router per user across a fleet, the dynamic `pppoe-in`
 * interfaces, leases counting down, ARP, legacy `/interface/wireless` SSIDs and clients roaming.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type RouterOsEmulatorOptions,
  startRouterOsEmulator,
  startRouterOsFleet,
} from '../src/routeros/index.js';
import { parseDurationForTest } from './support/durations.js';
import { attrs, type RawClient, rawClient } from './support/routeros-client.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});

async function reader(port: number) {
  const c: RawClient = await rawClient(port);
  open.push(c);
  await c.run(['/login', '=name=admin', '=password=']);
  return async (path: string, ...extra: string[]) =>
    (await c.run([`${path}/print`, ...extra])).filter((w) => w[0] === '!re').map(attrs);
}

/** Starts an emulator (closed after the test) and logs in: its `read` as `reader` gives it. */
async function emulated(options: RouterOsEmulatorOptions) {
  const r = await startRouterOsEmulator(options);
  open.push(r);
  return reader(r.port);
}

describe('PPPoE sessions over the API', () => {
  it('keep their .id and grow their uptime between polls; a reconnect is a new .id', async () => {
    let now = 1_780_000_000_000;
    const read = await emulated({ pppSessions: 500, sessionLifetimeSeconds: 1800, now: () => now });
    const first = new Map((await read('/ppp/active')).map((s) => [s.name, s]));
    now += 60_000;
    const second = await read('/ppp/active');
    let kept = 0;
    let renewed = 0;
    for (const s of second) {
      const before = first.get(s.name as string);
      if (!before) continue;
      const grown = parseDurationForTest(s.uptime!) - parseDurationForTest(before.uptime!);
      if (before['.id'] === s['.id']) {
        kept++;
        expect(grown).toBe(60);
        expect(s.address).toBe(before.address);
      } else {
        renewed++;
        // Reconnected within the minute: a new session, started after the first poll.
        expect(parseDurationForTest(s.uptime!)).toBeLessThan(60);
      }
    }
    expect(kept).toBeGreaterThan(400);
    expect(renewed + (first.size - kept)).toBeGreaterThan(0);
  });

  it('a fleet never puts one user (or one address) on two routers', async () => {
    const fleet = await startRouterOsFleet({ count: 3, pppSessions: 300, now: () => 1_780_000_000_000 });
    open.push(fleet);
    const users = new Map<string, number>();
    const addresses = new Set<string>();
    for (const [i, port] of fleet.ports.entries()) {
      for (const s of await (await reader(port))('/ppp/active')) {
        expect(users.has(s.name!), s.name).toBe(false);
        users.set(s.name!, i);
        expect(addresses.has(s.address!)).toBe(false);
        addresses.add(s.address!);
      }
    }
    expect(users.size).toBeGreaterThan(700);
  });

  it('each active session has its dynamic <pppoe-USER> interface, with growing byte counters', async () => {
    let now = 1_780_000_000_000;
    const read = await emulated({
      pppSessions: 200,
      interfaces: 2,
      sessionLifetimeSeconds: 36_000,
      now: () => now,
    });
    const users = (await read('/ppp/active')).map((s) => s.name);
    const dyn = (await read('/interface')).filter((i) => i.type === 'pppoe-in');
    expect(dyn.map((i) => i.name)).toEqual(users.map((u) => `<pppoe-${u}>`));
    for (const i of dyn) expect(i).toMatchObject({ dynamic: 'true', running: 'true' });
    now += 30_000;
    const later = new Map((await read('/interface', '?type=pppoe-in')).map((i) => [i.name, i]));
    for (const i of dyn) {
      const j = later.get(i.name);
      if (!j) continue;
      expect(j['.id']).toBe(i['.id']);
      expect(Number(j['tx-byte'])).toBeGreaterThan(Number(i['tx-byte']));
      expect(Number(j['rx-byte'])).toBeGreaterThan(Number(i['rx-byte']));
    }
  });
});

describe('leases, ARP and wireless over the API', () => {
  it('expires-after counts down and is renewed at half the lease time', async () => {
    let now = 1_780_000_000_000;
    const read = await emulated({ leases: 60, leaseTimeSeconds: 600, now: () => now });
    const seen = new Map<string, number[]>();
    for (let k = 0; k < 40; k++, now += 30_000) {
      for (const l of await read('/ip/dhcp-server/lease', '?status=bound')) {
        const left = parseDurationForTest(l['expires-after']!);
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(600);
        seen.set(l.address!, [...(seen.get(l.address!) ?? []), left]);
      }
    }
    // Somewhere a countdown went back up by about half the lease time: a renewal.
    const renewals = [...seen.values()]
      .flatMap((v) => v.slice(1).map((x, i) => x - v[i]!))
      .filter((d) => d > 200);
    expect(renewals.length).toBeGreaterThan(0);
  });

  it('/ip/arp lists the upstream gateway and the DHCP clients that are present', async () => {
    const read = await emulated({ profile: 'v7.16', leases: 80 });
    const arp = await read('/ip/arp');
    const bound = new Set((await read('/ip/dhcp-server/lease', '?status=bound')).map((l) => l.address));
    expect(arp[0]).toMatchObject({ interface: 'ether1', DHCP: 'false', complete: 'true', dynamic: 'true' });
    const fromDhcp = arp.filter((a) => a.DHCP === 'true');
    expect(fromDhcp.length).toBeGreaterThan(10);
    for (const a of fromDhcp) {
      expect(bound.has(a.address)).toBe(true);
      expect(a['mac-address']).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
      expect(Object.keys(a).sort()).toEqual(
        [
          '.id',
          'DHCP',
          'address',
          'complete',
          'disabled',
          'dynamic',
          'interface',
          'invalid',
          'mac-address',
          'published',
          'status',
        ].sort(),
      );
    }
  });

  it('legacy /interface/wireless names each radio’s SSID (v6), and the menu is absent without the package', async () => {
    const r = await startRouterOsEmulator({ profile: 'v6', wirelessClients: 4 });
    const bare = await startRouterOsEmulator({ profile: 'v6' });
    open.push(r, bare);
    expect((await (await reader(r.port))('/interface/wireless')).map((w) => [w.name, w.ssid])).toEqual([
      ['wlan1', 'isp-wifi'],
      ['wlan2', 'isp-wifi-5g'],
    ]);
    const c = await rawClient(bare.port);
    open.push(c);
    await c.run(['/login', '=name=admin', '=password=']);
    expect((await c.run(['/interface/wireless/print']))[0]?.[0]).toBe('!trap');
  });

  it('a client leaves one router’s registration table and appears in another’s', async () => {
    let now = 1_780_000_000_000;
    const fleet = await startRouterOsFleet({ count: 2, wirelessClients: 15, now: () => now });
    open.push(fleet);
    const reads = await Promise.all(fleet.ports.map((p) => reader(p)));
    const where = new Map<string, Set<number>>();
    for (let k = 0; k < 48; k++, now += 30 * 60_000) {
      const seen = new Set<string>();
      for (const [i, read] of reads.entries()) {
        for (const c of await read('/interface/wifi/registration-table')) {
          // One router at a time.
          expect(seen.has(c['mac-address']!)).toBe(false);
          seen.add(c['mac-address']!);
          where.set(c['mac-address']!, (where.get(c['mac-address']!) ?? new Set()).add(i));
        }
      }
    }
    expect([...where.values()].filter((s) => s.size === 2).length).toBeGreaterThan(3);
  });
});
