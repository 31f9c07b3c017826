/**
 * MIB groups most devices share (SNMPv2-MIB system, IF-MIB, HOST-RESOURCES-MIB), written as code
 * that reads the device's state at request time. Vendor profiles pick and combine them.
 */
import type { CounterKindName, InterfaceLayout, SimDevice } from '../model/device.js';
import { Tag } from '../snmp/ber.js';
import type { EntryInput } from '../snmp/mib.js';
import { counter32, counter64, gauge32, integer, objectId, octets, timeTicks } from '../snmp/values.js';

/** What value functions see: the device and the instant of the request (its clock, ms). */
export interface Ctx {
  dev: SimDevice;
  now: number;
}

/** Entries produced by a profile. */
export type Entries = EntryInput<Ctx>[];

/** Static or per-device values for the system group. */
export interface SystemInfo {
  descr: string;
  objectId: string;
  contact?: string;
  location?: string;
}

/** SNMPv2-MIB system group: sysDescr … sysServices, sysUpTime and sysName per device. */
export function systemGroup(info: SystemInfo): Entries {
  const sys = '1.3.6.1.2.1.1';
  return [
    { oid: `${sys}.1.0`, value: octets(info.descr) },
    { oid: `${sys}.2.0`, value: objectId(info.objectId) },
    { oid: `${sys}.3.0`, type: Tag.TimeTicks, value: (c) => timeTicks(c.dev.uptimeTicks(c.now)) },
    { oid: `${sys}.4.0`, value: octets(info.contact ?? 'noc@example.net') },
    { oid: `${sys}.5.0`, type: Tag.OctetString, value: (c) => octets(c.dev.sysName) },
    { oid: `${sys}.6.0`, value: octets(info.location ?? '') },
    { oid: `${sys}.7.0`, value: integer(78) },
  ];
}

/** Which IF-MIB columns a vendor answers. */
export interface IfOptions {
  /** ifTable columns to include (1–22); default all but the deprecated 12, 18, 21, 22. */
  ifColumns?: readonly number[];
  /** Include ifXTable; `hc: false` leaves out its 64-bit columns (an old net-snmp host). */
  ifX?: { hc: boolean } | false;
}

type Direction = 'in' | 'out';

/** The counter kinds `names` of one direction (`in` and `Octets`: `inOctets`). */
const kindsOf = <const N extends string>(d: Direction, names: readonly N[]) =>
  names.map((n) => `${d}${n}` as const);

/** The counter kinds `names` of both directions, in then out. */
const bothWays = <const N extends string>(names: readonly N[]) => [
  ...kindsOf('in', names),
  ...kindsOf('out', names),
];

/** The ifTable counters of one direction, columns 10–14 (in) and 16–20 (out). */
const IF_COUNTERS = ['Octets', 'UcastPkts', 'MulticastPkts', 'Discards', 'Errors'] as const;

const DEFAULT_IF_COLUMNS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20];

/** IF-MIB: ifNumber, ifTable and (optionally) ifXTable for a layout. */
export function interfaceGroup(layout: readonly InterfaceLayout[], opts: IfOptions = {}): Entries {
  const out: Entries = [{ oid: '1.3.6.1.2.1.2.1.0', value: integer(layout.length) }];
  const cols = new Set(opts.ifColumns ?? DEFAULT_IF_COLUMNS);
  const c32 = (kind: Parameters<SimDevice['counter']>[1]) => (i: number) => (c: Ctx) =>
    counter32(c.dev.counter(i, kind, c.now));
  const c64 = (kind: Parameters<SimDevice['counter']>[1]) => (i: number) => (c: Ctx) =>
    counter64(c.dev.counter(i, kind, c.now));
  type Col = [number, number, (i: number, l: InterfaceLayout) => Buffer | ((c: Ctx) => Buffer)];
  /** Consecutive columns from `first`, one counter kind each. */
  const run = (first: number, type: number, make: typeof c32, kinds: readonly CounterKindName[]): Col[] =>
    kinds.map((kind, j) => [first + j, type, make(kind)]);
  const ifTable: Col[] = [
    [1, Tag.Integer, (_i, l) => integer(l.ifIndex)],
    [2, Tag.OctetString, (_i, l) => octets(l.descr ?? l.name)],
    [3, Tag.Integer, (_i, l) => integer(l.type)],
    [4, Tag.Integer, (_i, l) => integer(l.mtu)],
    [5, Tag.Gauge32, (_i, l) => gauge32(Math.min(l.speedBps, 0xffffffff))],
    [6, Tag.OctetString, (i) => (c) => octets(c.dev.interfaces[i]!.mac)],
    [7, Tag.Integer, (i) => (c) => integer(c.dev.interfaces[i]!.adminUp ? 1 : 2)],
    [8, Tag.Integer, (i) => (c) => integer(c.dev.operUp(i, c.now) ? 1 : 2)],
    [9, Tag.TimeTicks, (i) => (c) => timeTicks(c.dev.lastChangeTicks(i, c.now))],
    ...run(10, Tag.Counter32, c32, kindsOf('in', IF_COUNTERS)),
    [15, Tag.Counter32, () => counter32(0)],
    ...run(16, Tag.Counter32, c32, kindsOf('out', IF_COUNTERS)),
    [21, Tag.Gauge32, () => gauge32(0)],
    [22, Tag.Oid, () => objectId('0.0')],
  ];
  for (const [col, type, make] of ifTable) {
    if (!cols.has(col)) continue;
    layout.forEach((l, i) => {
      out.push({ oid: `1.3.6.1.2.1.2.2.1.${col}.${l.ifIndex}`, type, value: make(i, l) });
    });
  }
  if (opts.ifX === false || opts.ifX === undefined) return out;
  const hc = opts.ifX.hc;
  const ifX: Col[] = [
    [1, Tag.OctetString, (_i, l) => octets(l.name)],
    ...run(2, Tag.Counter32, c32, bothWays(['MulticastPkts', 'BroadcastPkts'])),
    ...(hc
      ? run(6, Tag.Counter64, c64, bothWays(['Octets', 'UcastPkts', 'MulticastPkts', 'BroadcastPkts']))
      : []),
    [14, Tag.Integer, () => integer(1)],
    [15, Tag.Gauge32, (_i, l) => gauge32(Math.floor(l.speedBps / 1_000_000))],
    [16, Tag.Integer, () => integer(2)],
    [17, Tag.Integer, (_i, l) => integer(l.type === 6 ? 1 : 2)],
    [18, Tag.OctetString, (i) => (c) => octets(c.dev.interfaces[i]!.alias)],
    [19, Tag.TimeTicks, () => timeTicks(0)],
  ];
  for (const [col, type, make] of ifX) {
    layout.forEach((l, i) => {
      out.push({ oid: `1.3.6.1.2.1.31.1.1.1.${col}.${l.ifIndex}`, type, value: make(i, l) });
    });
  }
  return out;
}

/** HOST-RESOURCES-MIB: hrProcessorLoad per CPU and hrStorage RAM (and a disk), as RouterOS has. */
export function hostResources(cpuCount: number, memAllocUnit = 1024): Entries {
  const out: Entries = [];
  for (let cpu = 0; cpu < cpuCount; cpu++) {
    const idx = cpu + 1;
    out.push({ oid: `1.3.6.1.2.1.25.3.3.1.1.${idx}`, value: objectId('0.0') });
    out.push({
      oid: `1.3.6.1.2.1.25.3.3.1.2.${idx}`,
      type: Tag.Integer,
      value: (c) => integer(c.dev.cpuLoad(cpu, c.now)),
    });
  }
  const st = '1.3.6.1.2.1.25.2.3.1';
  const ram = 65536;
  const disk = 131072;
  out.push(
    { oid: `${st}.1.${ram}`, value: integer(ram) },
    { oid: `${st}.1.${disk}`, value: integer(disk) },
    { oid: `${st}.2.${ram}`, value: objectId('1.3.6.1.2.1.25.2.1.2') },
    { oid: `${st}.2.${disk}`, value: objectId('1.3.6.1.2.1.25.2.1.4') },
    { oid: `${st}.3.${ram}`, value: octets('main memory') },
    { oid: `${st}.3.${disk}`, value: octets('system disk') },
    { oid: `${st}.4.${ram}`, value: integer(memAllocUnit) },
    { oid: `${st}.4.${disk}`, value: integer(memAllocUnit) },
    {
      oid: `${st}.5.${ram}`,
      type: Tag.Integer,
      value: (c) => integer(Math.floor(c.dev.memTotalBytes / memAllocUnit)),
    },
    { oid: `${st}.5.${disk}`, value: integer(16384) },
    {
      oid: `${st}.6.${ram}`,
      type: Tag.Integer,
      value: (c) => integer(Math.floor(c.dev.memUsedBytes(c.now) / memAllocUnit)),
    },
    { oid: `${st}.6.${disk}`, value: integer(9_876) },
    { oid: `${st}.7.${ram}`, value: counter32(0) },
    { oid: `${st}.7.${disk}`, value: counter32(0) },
  );
  return out;
}
