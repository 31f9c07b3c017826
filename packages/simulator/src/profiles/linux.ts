/**
 * A Linux host running net-snmp with an old IF-MIB view: 32-bit ifTable counters only (no HC
 * columns, so a poller must handle the 2^32 wrap), UCD-SNMP memory and load, HOST-RESOURCES CPU.
 */
import type { InterfaceLayout } from '../model/device.js';
import { Tag } from '../snmp/ber.js';
import { integer, octets } from '../snmp/values.js';
import { ipAddrGroup } from './addresses.js';
import { arpGroup } from './arp.js';
import { type Entries, hostResources, interfaceGroup, systemGroup } from './common.js';
import type { Profile } from './types.js';

function layout(ports: number): InterfaceLayout[] {
  const out: InterfaceLayout[] = [
    { ifIndex: 1, name: 'lo', type: 24, speedBps: 10e6, mtu: 65536, role: 'loopback' },
  ];
  for (let p = 0; p < ports; p++) {
    out.push({
      ifIndex: 2 + p,
      name: `eth${p}`,
      type: 6,
      speedBps: 1e9,
      mtu: 1500,
      role: p === 0 ? 'uplink' : 'access',
    });
  }
  return out;
}

function entries(l: readonly InterfaceLayout[]): Entries {
  const mem = '1.3.6.1.4.1.2021.4';
  const kb = (c: { dev: { memTotalBytes: number } }) => Math.floor(c.dev.memTotalBytes / 1024);
  const la = '1.3.6.1.4.1.2021.10.1';
  const load = (cpus: number) => (c: { dev: { cpuLoad(cpu: number, now: number): number }; now: number }) =>
    octets(((c.dev.cpuLoad(0, c.now) / 100) * cpus).toFixed(2));
  return [
    ...systemGroup({
      descr: 'Linux gw 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64',
      objectId: '1.3.6.1.4.1.8072.3.2.10',
    }),
    ...interfaceGroup(l, { ifX: false }),
    ...hostResources(2, 4096),
    // net-snmp answers both neighbour tables.
    ...arpGroup([{ ifIndex: 2, net: '192.168.1', firstHost: 1, hosts: 5 }], { media: true, physical: true }),
    ...ipAddrGroup([
      { ifIndex: 1, address: '127.0.0.1', prefix: 8 },
      { ifIndex: 2, address: '192.168.1.100', prefix: 24 },
    ]),
    // UCD-SNMP-MIB memory, in kB: memTotalReal, memAvailReal, memBuffer, memCached.
    { oid: `${mem}.1.0`, value: integer(0) },
    { oid: `${mem}.2.0`, value: octets('swap') },
    { oid: `${mem}.5.0`, type: Tag.Integer, value: (c) => integer(kb(c)) },
    {
      oid: `${mem}.6.0`,
      type: Tag.Integer,
      value: (c) => integer(Math.floor((c.dev.memTotalBytes - c.dev.memUsedBytes(c.now)) / 1024)),
    },
    { oid: `${mem}.14.0`, value: integer(1084) },
    { oid: `${mem}.15.0`, type: Tag.Integer, value: (c) => integer(Math.floor(kb(c) / 5)) },
    // laTable: 1, 5 and 15 minute load averages as text.
    ...[1, 2, 3].flatMap((i) => [
      { oid: `${la}.1.${i}`, value: integer(i) },
      { oid: `${la}.2.${i}`, value: octets(['Load-1', 'Load-5', 'Load-15'][i - 1]!) },
      { oid: `${la}.3.${i}`, type: Tag.OctetString, value: load(2) },
    ]),
  ];
}

/** Linux net-snmp host with 32-bit counters only. */
export const linux: Profile = {
  name: 'linux',
  summary: 'Linux net-snmp host: lo + ethN with 32-bit counters only, UCD memory and load, hrProcessorLoad',
  layout,
  entries,
  cpuCount: 2,
  memTotalBytes: 8 * 1024 * 1024 * 1024,
  namePrefix: 'lx',
};
