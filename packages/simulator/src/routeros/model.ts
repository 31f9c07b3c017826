/**
 * The state of one emulated router: sizes, identity and a start time. Tables are computed from
 * the elapsed time on each request rather than stored, so a thousand routers with thousands of
 * rows each cost little memory: counters grow with time; subscribers (PPPoE sessions, leases,
 * wireless clients) follow the fleet's subscriber model (`subscribers.ts`), computed from the
 * absolute time so that the demo's history and the live tables agree.
 */
import { type RouterOsProfile, type RouterOsProfileName, routerOsProfiles } from './profiles.js';
import type { SubscriberPlan } from './subscribers.js';

/** What an emulated router holds. */
export interface RouterModelOptions {
  /** RouterOS version to emulate. Default `v7.16`. */
  profile?: RouterOsProfileName;
  /** `/system/identity` name. Default `router-<seed>`. */
  identity?: string;
  /** Number of ethernet interfaces (ether1…). Default 8. Ignored when `interfaceNames` is given. */
  interfaces?: number;
  /** Exact interface names, e.g. taken from a recording. */
  interfaceNames?: string[];
  /** PPPoE users homed on this router (most are online at any time). Default 0. */
  pppSessions?: number;
  /** Mean session length of an ordinary user, seconds (1/churn). Default 3600. */
  sessionLifetimeSeconds?: number;
  /** Users who reconnect every few minutes (for the last hours before the start, and on). Default one per 1,000 users. */
  flappingUsers?: number;
  /** DHCP lease slots. Default 0. */
  leases?: number;
  /** DHCP lease time, seconds (clients renew at half of it). Default 1800. */
  leaseTimeSeconds?: number;
  /** Wireless clients homed here (they roam between the fleet's routers); > 0 installs the wireless package. Default 0. */
  wirelessClients?: number;
  /**
   * This router's place among routers sharing one subscriber population: user names and
   * addresses are unique across them, wireless clients roam between them. Default alone
   * (`{ index: 0, size: 1 }`); `startRouterOsFleet` sets it.
   */
  fleet?: { index: number; size: number };
  /** Seed of the subscriber population, shared by a fleet. Default 1. */
  subscriberSeed?: number;
  /** Fleet-wide number of this router's first PPPoE user. Default `fleet.index × pppSessions`. */
  userBase?: number;
  /** Simple queues. Default 0. */
  queues?: number;
  /** BGP peers. Default 0. */
  bgpPeers?: number;
  /** Which peers (0-based) are not established. Default every odd one (half of them). */
  bgpPeersDown?: readonly number[];
  /** Discovery neighbours. Default 2. */
  neighbours?: number;
  /** Seed of every generated value. Default 1. */
  seed?: number;
  /** Clock (ms); tests pass a fake one. Default Date.now. */
  now?: () => number;
  /** Menus this router lacks (answered with "no such command"), e.g. `/queue/simple`. */
  missingMenus?: string[];
  /** Uptime at the start, seconds. Default 1 day + a seeded amount. */
  bootUptimeSeconds?: number;
  /**
   * Bonding interfaces (LACP, `802.3ad`) by name, with their slave ports, e.g.
   * `{ bond1: ['ether1', 'ether2'] }`. Default none.
   */
  bonds?: Record<string, string[]>;
}

/** A router's state, with the options resolved. */
export class RouterModel {
  readonly profile: RouterOsProfile;
  readonly identity: string;
  readonly interfaceNames: string[];
  readonly pppSessions: number;
  readonly sessionLifetime: number;
  readonly leases: number;
  readonly wirelessClients: number;
  readonly queues: number;
  readonly bgpPeers: number;
  /** Whether BGP peer `p` (0-based) is down. */
  readonly bgpPeerDown: (p: number) => boolean;
  readonly neighbours: number;
  readonly seed: number;
  readonly now: () => number;
  readonly startedAt: number;
  readonly bootUptime: number;
  readonly missingMenus: ReadonlySet<string>;
  /** The subscriber model's view of this router. */
  readonly subscribers: SubscriberPlan;
  /** Bonding interfaces and their slave ports. */
  readonly bonds: ReadonlyMap<string, readonly string[]>;
  /** Ports whose link was taken down (`setLink`), and how often each port went down that way. */
  readonly pulledLinks = new Set<number>();
  readonly extraLinkDowns = new Map<number, number>();

  constructor(options: RouterModelOptions = {}) {
    this.profile = routerOsProfiles[options.profile ?? 'v7.16'];
    this.seed = options.seed ?? 1;
    this.identity = options.identity ?? `router-${this.seed}`;
    this.interfaceNames =
      options.interfaceNames ?? Array.from({ length: options.interfaces ?? 8 }, (_, i) => `ether${i + 1}`);
    this.pppSessions = options.pppSessions ?? 0;
    this.sessionLifetime = options.sessionLifetimeSeconds ?? 3600;
    this.leases = options.leases ?? 0;
    this.wirelessClients = options.wirelessClients ?? 0;
    this.queues = options.queues ?? 0;
    this.bgpPeers = options.bgpPeers ?? 0;
    const down = options.bgpPeersDown;
    this.bgpPeerDown = down ? (p) => down.includes(p) : (p) => p % 2 === 1;
    this.neighbours = options.neighbours ?? 2;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.missingMenus = new Set(options.missingMenus ?? []);
    this.bonds = new Map(Object.entries(options.bonds ?? {}));
    this.bootUptime = options.bootUptimeSeconds ?? 86_400 + (this.seed % 1000) * 60;
    const fleet = options.fleet ?? { index: 0, size: 1 };
    this.subscribers = {
      seed: options.subscriberSeed ?? 1,
      index: fleet.index,
      size: Math.max(1, fleet.size),
      users: this.pppSessions,
      userBase: options.userBase ?? fleet.index * this.pppSessions,
      meanSession: this.sessionLifetime,
      flapping: options.flappingUsers ?? Math.floor(this.pppSessions / 1000),
      flapFrom: Math.floor(this.startedAt / 1000),
      leases: this.leases,
      leaseTime: options.leaseTimeSeconds ?? 1800,
      wireless: this.wirelessClients,
    };
  }

  /** The clock in Unix seconds: subscribers follow absolute time (see `subscribers.ts`). */
  unixSeconds(): number {
    return this.now() / 1000;
  }

  /** Seconds since the emulator started (never negative). */
  elapsed(): number {
    return Math.max(0, (this.now() - this.startedAt) / 1000);
  }

  /**
   * Takes the link of port `name` down (a pulled cable) or lets it come back; `link-downs` counts
   * each fall. False when there is no such port.
   */
  setLink(name: string, up: boolean): boolean {
    const i = this.interfaceNames.indexOf(name);
    if (i < 0) return false;
    if (!up && !this.pulledLinks.has(i)) {
      this.pulledLinks.add(i);
      this.extraLinkDowns.set(i, (this.extraLinkDowns.get(i) ?? 0) + 1);
    }
    if (up) this.pulledLinks.delete(i);
    return true;
  }

  /** Whether the wireless package (and its menus) is installed. */
  get hasWireless(): boolean {
    return this.wirelessClients > 0;
  }

  /** Installed packages with versions. */
  packages(): Array<{ name: string; version: string }> {
    const v = this.profile.version.split(' ')[0] as string;
    // v6 ships BGP in the separate `routing` package: a router without peers lacks it here.
    const names = this.profile.packages.filter((p) => p !== 'routing' || this.bgpPeers > 0);
    if (this.hasWireless) names.push(this.profile.wireless.package);
    return names.map((name) => ({ name, version: v }));
  }
}
