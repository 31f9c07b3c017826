/**
 * RFC 1213 `ipAddrTable` (1.3.6.1.2.1.4.20): the IPv4 addresses of a device's interfaces, with
 * the column types of the recordings in `../shared/data/snmprec` (address and mask IpAddress,
 * ifIndex, broadcast bit and reassembly size Integer). The table is indexed by the address, so in a
 * view shared by every device of a profile (`./index.ts`) the addresses are the profile's: like
 * factory defaults, the same on each device of that kind. The RouterOS emulator, whose replies are
 * computed per router, gives each router its own (`../routeros/addresses.ts`).
 */
import { integer, ipAddress } from '../snmp/values.js';
import type { Entries } from './common.js';

/** One address of one interface. */
export interface InterfaceAddress {
  ifIndex: number;
  address: string;
  prefix: number;
}

/** The dotted netmask of a prefix length. */
export function netmask(prefix: number): string {
  const n = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Entries of `ipAddrTable` for `rows`. */
export function ipAddrGroup(rows: readonly InterfaceAddress[]): Entries {
  const out: Entries = [];
  for (const r of rows) {
    const col = (c: number) => `1.3.6.1.2.1.4.20.1.${c}.${r.address}`;
    out.push(
      { oid: col(1), value: ipAddress(r.address) },
      { oid: col(2), value: integer(r.ifIndex) },
      { oid: col(3), value: ipAddress(netmask(r.prefix)) },
      { oid: col(4), value: integer(1) },
      { oid: col(5), value: integer(65535) },
    );
  }
  return out;
}
