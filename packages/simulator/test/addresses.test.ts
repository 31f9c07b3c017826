/**
 * Interface addresses: `/ip/address` and `/ipv6/address` of emulated routers (plausible, unique
 * per router of a fleet) and the `ipAddrTable` of the SNMP profiles.
 */
import { describe, expect, it } from 'vitest';
import { netmask } from '../src/profiles/addresses.js';
import { profiles, profileView } from '../src/profiles/index.js';
import { RouterModel } from '../src/routeros/model.js';
import { menuRows } from '../src/routeros/tables.js';

const router = (index: number) =>
  new RouterModel({
    interfaces: 8,
    fleet: { index, size: 300 },
    seed: index + 1,
    now: () => 1_780_000_000_000,
  });

describe('RouterOS /ip/address and /ipv6/address', () => {
  it('a /30 per routed port and a loopback /32, none shared by two routers of a fleet', () => {
    const rows = menuRows(router(0), '/ip/address') ?? [];
    expect(rows.map((r) => [r.address, r.interface])).toEqual([
      ['172.16.0.1/30', 'ether1'],
      ['172.16.0.5/30', 'ether3'],
      ['172.16.0.9/30', 'ether4'],
      ['172.16.0.13/30', 'ether6'],
      ['172.16.0.17/30', 'ether7'],
      ['172.28.0.1/32', 'ether1'],
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      for (const r of menuRows(router(i), '/ip/address') ?? []) {
        expect(seen.has(r.address as string), r.address).toBe(false);
        seen.add(r.address as string);
      }
    }
    expect(seen.size).toBe(300 * 6);
  });

  it('IPv6: a global /64 and a link-local address per routed port', () => {
    const rows = menuRows(router(5), '/ipv6/address') ?? [];
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatchObject({
      address: '2001:db8:5:1::1/64',
      interface: 'ether1',
      'link-local': 'false',
    });
    expect(rows[1]?.address).toMatch(/^fe80::/);
    expect(rows[1]?.['link-local']).toBe('true');
  });
});

describe('SNMP profiles: ipAddrTable', () => {
  /** The Integer of a static varbind (SEQUENCE { name OID, value INTEGER }, short lengths). */
  const intOf = (vb: Buffer): number => {
    const at = 4 + (vb[3] as number);
    expect(vb[at]).toBe(0x02);
    return [...vb.subarray(at + 2, at + 2 + (vb[at + 1] as number))].reduce((n, b) => n * 256 + b, 0);
  };

  it('every profile answers ipAddrTable rows whose ifIndex is one of its interfaces', () => {
    for (const profile of Object.values(profiles)) {
      const ifIndexes = new Set(profile.layout(4).map((l) => l.ifIndex));
      const rows = profileView(profile, 4).entries.filter((e) =>
        e.oid.join('.').startsWith('1.3.6.1.2.1.4.20.1.2.'),
      );
      expect(rows.length, profile.name).toBeGreaterThan(0);
      for (const e of rows) expect(ifIndexes.has(intOf(e.value as Buffer)), profile.name).toBe(true);
    }
  });

  it('netmask', () => {
    expect(netmask(30)).toBe('255.255.255.252');
    expect(netmask(24)).toBe('255.255.255.0');
    expect(netmask(32)).toBe('255.255.255.255');
    expect(netmask(8)).toBe('255.0.0.0');
  });
});
