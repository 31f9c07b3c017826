/**
 * The demo's PPPoE/DHCP routers (BNGs): emulated RouterOS API routers sharing one subscriber
 * population, one per big site and more as the demo grows. Several thousand subscribers in all,
 * each on one BNG, reconnecting now and then (a few flapping), leases renewing and expiring,
 * wireless clients roaming between the BNGs.
 */
import type { Device } from '@ispmonitor/core';
import type { DemoNode } from './demo.js';
import { type RouterOsFleet, startRouterOsFleet } from './routeros/fleet.js';
import type { RouterModelOptions } from './routeros/model.js';

/** One BNG of the demo, before it is bound to a port. */
export interface DemoBng {
  id: string;
  site: string;
  /** The SNMP router it hangs off (one that the plan has). */
  parent: string;
  location: { lat: number; lon: number; address: string };
}

const BNG_SITES = [
  { code: 'BEY', lat: 33.8962, lon: 35.5101, address: 'Beirut POP' },
  { code: 'TRP', lat: 34.4331, lon: 35.8442, address: 'Tripoli POP' },
  { code: 'SDN', lat: 33.5602, lon: 35.3801, address: 'Sidon POP' },
  { code: 'ZHL', lat: 33.8491, lon: 35.9088, address: 'Zahle POP' },
] as const;

/** Subscribers (PPPoE users) per BNG, DHCP lease slots and wireless clients homed per BNG. */
export const DEMO_BNG_SIZE = {
  users: 1500,
  /** Users who reconnect every few minutes, per BNG. */
  flapping: 2,
  leases: 100,
  wirelessClients: 25,
  /** Mean PPPoE session of an ordinary user: 50 h, i.e. 2 % of sessions end per hour. */
  sessionLifetimeSeconds: 50 * 3600,
} as const;

/** Number of BNGs for a demo of `routers` SNMP routers: 2, one more per 6 routers beyond 12, at most 8. */
export function demoBngCount(routers: number): number {
  return Math.max(2, Math.min(8, Math.ceil(routers / 6)));
}

/** Plans the BNGs of a demo whose SNMP routers are `nodes` (parents are taken among them). */
export function planDemoBngs(nodes: readonly DemoNode[], count = demoBngCount(nodes.length)): DemoBng[] {
  const ids = new Set(nodes.map((n) => n.id));
  const parentOf = (i: number) =>
    [i % 2 === 0 ? 'bey-core-1' : 'bey-core-2', 'bey-core-1', 'bey-border-1'].find((p) => ids.has(p)) ??
    'bey-border-1';
  return Array.from({ length: count }, (_, i) => {
    const site = BNG_SITES[i % BNG_SITES.length] as (typeof BNG_SITES)[number];
    const k = Math.floor(i / BNG_SITES.length);
    return {
      id: `${site.code.toLowerCase()}-bng-${k + 1}`,
      site: site.code,
      parent: parentOf(i),
      location: {
        lat: +(site.lat + 0.003 * k).toFixed(5),
        lon: +(site.lon - 0.003 * k).toFixed(5),
        address: site.address,
      },
    };
  });
}

/** The emulator options of every demo BNG (the subscriber model's inputs: the history uses them too). */
export function demoBngModelOptions(count: number, seed = 1): (index: number) => RouterModelOptions {
  return (index) => ({
    profile: 'v7.16',
    pppSessions: DEMO_BNG_SIZE.users,
    flappingUsers: DEMO_BNG_SIZE.flapping,
    sessionLifetimeSeconds: DEMO_BNG_SIZE.sessionLifetimeSeconds,
    leases: DEMO_BNG_SIZE.leases,
    wirelessClients: DEMO_BNG_SIZE.wirelessClients,
    bgpPeers: 2,
    // Sessions are up, as on a healthy network, but for one: the first BNG's second peer is down,
    // so the demo shows one BGP alert rather than one per BNG.
    bgpPeersDown: index === 0 ? [1] : [],
    fleet: { index, size: count },
    subscriberSeed: seed,
    // Up for weeks: no reboot within the demo's 30 days of history, so no session broke.
    bootUptimeSeconds: (40 + 3 * index) * 86_400 + 3_600 * index,
  });
}

/** API login of the demo BNGs. */
export const DEMO_BNG_LOGIN = { username: 'monitor', password: 'demo-api-password' } as const;

/** Options of {@link startDemoBngs}. */
export interface DemoBngOptions {
  /** Poll interval written into each Device. Default `30s`. */
  interval?: string;
  /** Seed of the subscriber population. Default 1. */
  seed?: number;
  /** Clock (ms); tests pass a fake one. Default Date.now. */
  now?: () => number;
}

/** Running demo BNGs: the emulators and their Device definitions. */
export interface DemoBngs {
  bngs: DemoBng[];
  fleet: RouterOsFleet;
  devices: Device[];
}

/** Starts the BNGs (plain API on loopback: no TLS to set up for a demo). */
export async function startDemoBngs(
  bngs: readonly DemoBng[],
  options: DemoBngOptions = {},
): Promise<DemoBngs> {
  const model = demoBngModelOptions(bngs.length, options.seed);
  const fleet = await startRouterOsFleet({
    count: bngs.length,
    ...DEMO_BNG_LOGIN,
    ...(options.now ? { now: options.now } : {}),
    override: (i) => ({ ...model(i), identity: (bngs[i] as DemoBng).id }),
  });
  const devices: Device[] = bngs.map((b, i) => ({
    id: b.id,
    name: b.id.toUpperCase(),
    host: '127.0.0.1',
    port: fleet.ports[i] as number,
    driver: 'mikrotik',
    interval: options.interval ?? '30s',
    // The emulated BNG's first port (ether1) faces its core router.
    labels: { site: b.site, role: 'bng', uplinks: 'ether1' },
    parent: b.parent,
    location: b.location,
    mikrotik: { ...DEMO_BNG_LOGIN, tls: false },
  }));
  return { bngs: [...bngs], fleet, devices };
}
