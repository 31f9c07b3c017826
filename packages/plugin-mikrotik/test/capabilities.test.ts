import { describe, expect, it } from 'vitest';
import {
  bgpMenu,
  detectCapabilities,
  healthShape,
  MissingMenus,
  wirelessMenus,
} from '../src/capabilities.js';
import { neighbourProtocol } from '../src/parts/routing.js';

const pkgs = (...names: string[]) => names.map((name) => ({ name, disabled: 'false' }));
const paths = (caps: ReturnType<typeof detectCapabilities>) =>
  caps ? wirelessMenus(caps).map((m) => m.path) : [];

describe('capabilities from the router', () => {
  it('v6 with the wireless package: wireless and CAPsMAN tables, BGP peers, flat health', () => {
    const caps = detectCapabilities('6.49.10 (long-term)', pkgs('routeros-mipsbe', 'wireless', 'routing'));
    expect(paths(caps)).toEqual(['/interface/wireless/registration-table', '/caps-man/registration-table']);
    expect(caps && bgpMenu(caps).path).toBe('/routing/bgp/peer');
    expect(caps && healthShape(caps)).toBe('flat');
  });

  it('v7.16 with wifi-qcom: /interface/wifi only; 7.10 with wifiwave2: /interface/wifiwave2', () => {
    expect(paths(detectCapabilities('7.16 (stable)', pkgs('routeros', 'wifi-qcom')))).toEqual([
      '/interface/wifi/registration-table',
    ]);
    expect(paths(detectCapabilities('7.10.2 (stable)', pkgs('routeros', 'wifiwave2')))).toEqual([
      '/interface/wifiwave2/registration-table',
    ]);
    const caps = detectCapabilities('7.18.2 (stable)', pkgs('routeros'));
    expect(paths(caps)).toEqual([]);
    expect(caps && bgpMenu(caps).path).toBe('/routing/bgp/session');
    expect(caps && healthShape(caps)).toBe('rows');
  });

  it('v7 with the legacy wireless package keeps the v6 menus; a disabled package does not count', () => {
    expect(paths(detectCapabilities('7.16 (stable)', pkgs('routeros', 'wireless')))).toEqual([
      '/interface/wireless/registration-table',
      '/caps-man/registration-table',
    ]);
    const disabled = [{ name: 'wireless', disabled: 'true' }, ...pkgs('routeros')];
    expect(paths(detectCapabilities('6.48 (stable)', disabled))).toEqual([]);
  });

  it('unknown packages: every candidate is tried (and the missing ones remembered)', () => {
    expect(paths(detectCapabilities('7.16 (stable)', undefined))).toHaveLength(3);
    expect(detectCapabilities('not a version', [])).toBeUndefined();
  });

  it('missing menus expire after the re-probe interval', () => {
    const m = new MissingMenus(1000);
    m.mark('/queue/simple', 0);
    expect(m.skip('/queue/simple', 999)).toBe(true);
    expect(m.skip('/queue/simple', 1000)).toBe(false);
    expect(m.list()).toEqual([]);
  });
});

describe('row shapes', () => {
  // The registration-table rows of each shape are read in wireless.test.ts.
  it('neighbour protocol from discovered-by (v7) or the platform (v6)', () => {
    expect(neighbourProtocol({ 'discovered-by': 'cdp,lldp' })).toBe('cdp');
    expect(neighbourProtocol({ 'discovered-by': 'lldp' })).toBe('lldp');
    expect(neighbourProtocol({ platform: 'MikroTik' })).toBe('mndp');
    expect(neighbourProtocol({ platform: 'Cisco IOS' })).toBe('other');
  });
});
