/**
 * What a router can answer, learned from the router itself: its RouterOS version
 * (`/system/resource`) and installed packages (`/system/package`) choose the menus of each
 * collection (`wireless` vs `wifi` vs `wifiwave2`, BGP `peer` vs `session`, health shapes), and
 * menus that answered "no such command" are remembered and skipped until a re-probe.
 */
import { parseBool, parseVersion } from './values.js';

/** What was learned about a router's software. */
export interface Capabilities {
  /** Full version string, e.g. `7.16 (stable)`. */
  version: string;
  major: number;
  minor: number;
  /** Enabled package names; undefined when `/system/package` could not be read. */
  packages?: ReadonlySet<string>;
}

/** Reads the capabilities from `/system/resource` and `/system/package` rows. */
export function detectCapabilities(
  version: string | undefined,
  packageRows: ReadonlyArray<Record<string, string>> | undefined,
): Capabilities | undefined {
  const v = parseVersion(version);
  if (!v || version === undefined) return undefined;
  let packages: Set<string> | undefined;
  if (packageRows) {
    packages = new Set();
    for (const row of packageRows) {
      if (row.name && parseBool(row.disabled) !== true) packages.add(row.name);
    }
  }
  return packages
    ? { version, major: v.major, minor: v.minor, packages }
    : { version, major: v.major, minor: v.minor };
}

const hasPackage = (caps: Capabilities, test: (name: string) => boolean): boolean | undefined => {
  if (!caps.packages) return undefined;
  for (const p of caps.packages) if (test(p)) return true;
  return false;
};

/** A registration table and the shape of its rows. */
export interface WirelessMenu {
  path: string;
  /**
   * `legacy`: `/interface/wireless`, `signal-strength` (`-62@6Mbps`), no SSID (the interface has
   * it); `capsman`: `/caps-man`, `rx-signal` and `ssid`; `wifi`: v7 `signal` and `ssid`.
   */
  shape: 'legacy' | 'capsman' | 'wifi';
}

/**
 * Registration tables to read. v6 and v7 with the `wireless` package: `/interface/wireless` and
 * CAPsMAN's `/caps-man`; v7 with the new drivers: `/interface/wifi` (7.13+) or
 * `/interface/wifiwave2` (before). When packages are unknown every candidate is tried once and
 * the missing ones are remembered.
 */
export function wirelessMenus(caps: Capabilities): WirelessMenu[] {
  const menus: WirelessMenu[] = [];
  const legacy = hasPackage(caps, (p) => p === 'wireless' || p.startsWith('wireless-'));
  // v6 lists the bundle's sub-packages (`wireless` among them), so a known list is trusted.
  if (legacy !== false) {
    menus.push({ path: '/interface/wireless/registration-table', shape: 'legacy' });
    menus.push({ path: '/caps-man/registration-table', shape: 'capsman' });
  }
  if (caps.major >= 7) {
    const wifi = hasPackage(caps, (p) => p.startsWith('wifi'));
    if (wifi !== false) {
      const path =
        caps.minor >= 13 ? '/interface/wifi/registration-table' : '/interface/wifiwave2/registration-table';
      menus.push({ path, shape: 'wifi' });
    }
  }
  return menus;
}

/** The BGP menu: `/routing/bgp/peer` (v6, `state`) or `/routing/bgp/session` (v7, `established`). */
export function bgpMenu(caps: Capabilities): { path: string; shape: 'peer' | 'session' } {
  return caps.major >= 7
    ? { path: '/routing/bgp/session', shape: 'session' }
    : { path: '/routing/bgp/peer', shape: 'peer' };
}

/** Health shape: v6 answers one row of attributes, v7 one row per sensor (name, value, type). */
export function healthShape(caps: Capabilities): 'flat' | 'rows' {
  return caps.major >= 7 ? 'rows' : 'flat';
}

/** Menus a router lacked, with when they were found missing; cleared on reconnect. */
export class MissingMenus {
  readonly #since = new Map<string, number>();

  constructor(private readonly reprobeMs: number) {}

  /** Whether to skip `path` now (it was missing less than `reprobeMs` ago). */
  skip(path: string, now: number): boolean {
    const since = this.#since.get(path);
    if (since === undefined) return false;
    if (now - since >= this.reprobeMs) {
      this.#since.delete(path);
      return false;
    }
    return true;
  }

  mark(path: string, now: number): void {
    this.#since.set(path, now);
  }

  clear(): void {
    this.#since.clear();
  }

  /** Paths currently remembered as missing. */
  list(): string[] {
    return [...this.#since.keys()];
  }
}
