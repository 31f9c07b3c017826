/**
 * A Juniper SRX/EX as the recording shows it: interface descriptions (ifDescr) only, no counters
 * and no ifXTable, plus the jnxOperatingTable (CPU, temperature, buffer use) of JUNIPER-MIB.
 * A driver must report its interfaces and no traffic, and not fail.
 */
import type { InterfaceLayout } from '../model/device.js';
import { Tag } from '../snmp/ber.js';
import { gauge32, octets } from '../snmp/values.js';
import { ipAddrGroup } from './addresses.js';
import { type Entries, interfaceGroup, systemGroup } from './common.js';
import type { Profile } from './types.js';

function layout(ports: number): InterfaceLayout[] {
  const out: InterfaceLayout[] = [
    { ifIndex: 1, name: 'fxp0', type: 6, speedBps: 1e9, mtu: 1514, role: 'access' },
    { ifIndex: 6, name: 'lo0', type: 24, speedBps: 0, mtu: 65535, role: 'loopback' },
  ];
  for (let p = 0; p < ports; p++) {
    out.push({
      ifIndex: 500 + p,
      name: `ge-0/0/${p}`,
      type: 6,
      speedBps: 1e9,
      mtu: 1514,
      role: p < 2 ? 'uplink' : 'access',
    });
  }
  return out;
}

function entries(l: readonly InterfaceLayout[]): Entries {
  const op = '1.3.6.1.4.1.2636.3.1.13.1';
  // jnxOperatingTable rows are indexed by (container, L1, L2, L3): 9.1.0.0 is the Routing Engine.
  const re = '9.1.0.0';
  return [
    ...systemGroup({
      descr: 'Juniper Networks, Inc. srx340 internet router, kernel JUNOS 21.4R3-S5.4',
      objectId: '1.3.6.1.4.1.2636.1.1.1.2.135',
    }),
    ...interfaceGroup(l, { ifColumns: [2], ifX: false }),
    ...ipAddrGroup([
      { ifIndex: 1, address: '10.255.3.2', prefix: 30 },
      { ifIndex: 6, address: '10.254.0.3', prefix: 32 },
    ]),
    { oid: `${op}.5.${re}`, value: octets('Routing Engine') },
    { oid: `${op}.7.${re}`, type: Tag.Gauge32, value: (c) => gauge32(Math.round(c.dev.temperature(c.now))) },
    { oid: `${op}.8.${re}`, type: Tag.Gauge32, value: (c) => gauge32(c.dev.cpuLoad(0, c.now)) },
    {
      oid: `${op}.11.${re}`,
      type: Tag.Gauge32,
      value: (c) => gauge32(Math.round((100 * c.dev.memUsedBytes(c.now)) / c.dev.memTotalBytes)),
    },
  ];
}

/** Juniper SRX-class router (descriptions only). */
export const juniper: Profile = {
  name: 'juniper',
  summary: 'Juniper SRX: ifDescr only (no counters, no ifXTable), jnxOperating CPU/temperature/buffer',
  layout,
  entries,
  cpuCount: 1,
  memTotalBytes: 4 * 1024 * 1024 * 1024,
  namePrefix: 'jx',
};
