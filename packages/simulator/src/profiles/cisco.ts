/**
 * A Cisco IOS router/switch: GigabitEthernet access ports, TenGigabitEthernet uplinks, a Vlan
 * interface and Null0; CISCO-PROCESS-MIB CPU, CISCO-MEMORY-POOL-MIB and CISCO-ENVMON-MIB
 * temperature, as IOS exposes them.
 */
import type { InterfaceLayout } from '../model/device.js';
import { Tag } from '../snmp/ber.js';
import { gauge32, integer, octets } from '../snmp/values.js';
import { ipAddrGroup } from './addresses.js';
import { arpGroup } from './arp.js';
import { type Entries, interfaceGroup, systemGroup } from './common.js';
import type { Profile } from './types.js';

/** `count` Ethernet ports `<short>1…` (`<long>1…` in ifDescr), ifIndex from `base + 1`. */
function ethernet(
  count: number,
  base: number,
  [short, long]: [string, string],
  speedBps: number,
  role: InterfaceLayout['role'],
): InterfaceLayout[] {
  return Array.from({ length: count }, (_, i) => ({
    ifIndex: base + i + 1,
    name: `${short}${i + 1}`,
    descr: `${long}${i + 1}`,
    type: 6,
    speedBps,
    mtu: 1500,
    role,
  }));
}

function layout(ports: number): InterfaceLayout[] {
  const out = [
    ...ethernet(ports, 10100, ['Gi1/0/', 'GigabitEthernet1/0/'], 1e9, 'access'),
    ...ethernet(2, 10200, ['Te1/1/', 'TenGigabitEthernet1/1/'], 10e9, 'uplink'),
  ];
  out.push(
    { ifIndex: 1, name: 'Vl1', descr: 'Vlan1', type: 53, speedBps: 1e9, mtu: 1500, role: 'virtual' },
    {
      ifIndex: 14501,
      name: 'Nu0',
      descr: 'Null0',
      type: 1,
      speedBps: 4_294_967_295,
      mtu: 1500,
      role: 'loopback',
    },
  );
  return out.sort((a, b) => a.ifIndex - b.ifIndex);
}

function entries(l: readonly InterfaceLayout[]): Entries {
  const cpm = '1.3.6.1.4.1.9.9.109.1.1.1.1';
  const pool = '1.3.6.1.4.1.9.9.48.1.1.1';
  const env = '1.3.6.1.4.1.9.9.13.1.3.1';
  const procMem = 64 * 1024 * 1024;
  return [
    ...systemGroup({
      descr:
        'Cisco IOS Software, C3850 Software (CAT3K_CAA-UNIVERSALK9-M), Version 16.12.4, RELEASE SOFTWARE (fc5)\r\nTechnical Support: http://www.cisco.com/techsupport',
      objectId: '1.3.6.1.4.1.9.1.1745',
    }),
    ...interfaceGroup(l, {
      ifColumns: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22],
      ifX: { hc: true },
    }),
    ...arpGroup([
      { ifIndex: 10201, net: '10.255.2', firstHost: 1, hosts: 1 },
      { ifIndex: 1, net: '10.10.1', firstHost: 20, hosts: 8 },
    ]),
    ...ipAddrGroup([
      { ifIndex: 10201, address: '10.255.2.2', prefix: 30 },
      { ifIndex: 1, address: '10.10.1.1', prefix: 24 },
    ]),
    // cpmCPUTotalTable, one CPU: 5 s, 1 min and 5 min averages (…Rev gauges).
    { oid: `${cpm}.2.1`, value: integer(1000) },
    { oid: `${cpm}.6.1`, type: Tag.Gauge32, value: (c) => gauge32(c.dev.cpuLoad(0, c.now)) },
    { oid: `${cpm}.7.1`, type: Tag.Gauge32, value: (c) => gauge32(c.dev.cpuLoad(0, c.now - 30_000)) },
    { oid: `${cpm}.8.1`, type: Tag.Gauge32, value: (c) => gauge32(c.dev.cpuLoad(0, c.now - 150_000)) },
    // ciscoMemoryPoolTable: Processor (1) and I/O (2) pools, used and free bytes.
    { oid: `${pool}.2.1`, value: octets('Processor') },
    { oid: `${pool}.2.2`, value: octets('I/O') },
    { oid: `${pool}.5.1`, type: Tag.Gauge32, value: (c) => gauge32(c.dev.memUsedBytes(c.now)) },
    { oid: `${pool}.5.2`, value: gauge32(procMem / 4) },
    {
      oid: `${pool}.6.1`,
      type: Tag.Gauge32,
      value: (c) => gauge32(c.dev.memTotalBytes - c.dev.memUsedBytes(c.now)),
    },
    { oid: `${pool}.6.2`, value: gauge32(procMem - procMem / 4) },
    // ciscoEnvMonTemperatureStatusTable: one inlet sensor (°C), state normal (1).
    { oid: `${env}.2.1006`, value: octets('SW#1, Sensor#1, GREEN ') },
    { oid: `${env}.3.1006`, type: Tag.Gauge32, value: (c) => gauge32(Math.round(c.dev.temperature(c.now))) },
    { oid: `${env}.4.1006`, value: integer(56) },
    { oid: `${env}.6.1006`, value: integer(1) },
  ];
}

/** Cisco Catalyst-class switch/router. */
export const cisco: Profile = {
  name: 'cisco',
  summary:
    'Cisco IOS switch/router: Gi1/0/N, Te1/1/1-2, Vlan1, Null0; cpmCPUTotal, memory pools, temperature',
  layout,
  entries,
  cpuCount: 1,
  memTotalBytes: 512 * 1024 * 1024,
  namePrefix: 'cs',
};
