/**
 * RouterOS versions the emulator can pretend to be. What differs between them is what our driver
 * has to get right: the version string, the installed packages, which menus exist, the health
 * shape, the wireless menu and row shape, the BGP menu, and `!empty` for empty replies (7.18+).
 */

/** Profile names. */
export type RouterOsProfileName = 'v6' | 'v7.10' | 'v7.16' | 'v7.18';

/** What a profile decides. */
export interface RouterOsProfile {
  name: RouterOsProfileName;
  version: string;
  /** Health: one row of attributes (v6) or a row per sensor (v7). */
  health: 'flat' | 'rows';
  /** Registration table path and shape, when the wireless package is installed. */
  wireless: { path: string; shape: 'legacy' | 'wifi'; package: string };
  /** Extra menus of the legacy wireless package (CAPsMAN) on this version. */
  capsman: boolean;
  bgp: { path: string; shape: 'peer' | 'session' };
  /** Answers a print with no rows by `!empty` before `!done` (RouterOS 7.18+). */
  emptyReply: boolean;
  /** Neighbour rows say which protocol found them (`discovered-by`, v7). */
  discoveredBy: boolean;
  /** Base packages, besides the wireless one. */
  packages: string[];
}

/** What every RouterOS 7 release here shares; each release below says what it changes. */
const V7: Omit<RouterOsProfile, 'name' | 'version'> = {
  health: 'rows',
  wireless: { path: '/interface/wifi/registration-table', shape: 'wifi', package: 'wifi-qcom-ac' },
  capsman: false,
  bgp: { path: '/routing/bgp/session', shape: 'session' },
  emptyReply: false,
  discoveredBy: true,
  packages: ['routeros'],
};

/** The built-in profiles. */
export const routerOsProfiles: Record<RouterOsProfileName, RouterOsProfile> = {
  v6: {
    name: 'v6',
    version: '6.49.10 (long-term)',
    health: 'flat',
    wireless: { path: '/interface/wireless/registration-table', shape: 'legacy', package: 'wireless' },
    capsman: true,
    bgp: { path: '/routing/bgp/peer', shape: 'peer' },
    emptyReply: false,
    discoveredBy: false,
    packages: ['routeros-mipsbe', 'system', 'ipv6', 'dhcp', 'ppp', 'routing', 'security', 'advanced-tools'],
  },
  // Before 7.13 the new wireless stack was the separate wifiwave2 package.
  'v7.10': {
    ...V7,
    name: 'v7.10',
    version: '7.10.2 (stable)',
    wireless: { path: '/interface/wifiwave2/registration-table', shape: 'wifi', package: 'wifiwave2' },
  },
  'v7.16': { ...V7, name: 'v7.16', version: '7.16 (stable)' },
  'v7.18': { ...V7, name: 'v7.18', version: '7.18.2 (stable)', emptyReply: true },
};
