/**
 * IF-MIB: ifTable and ifXTable. Names, aliases, types and speeds change rarely and are cached
 * for `slowCacheTtl`; status and counters are walked every poll, one bulk walk over all counter
 * columns. 64-bit HC counters are used where the interface has them, 32-bit ones otherwise.
 */
import { catalog, type InterfaceFact } from '@ispmonitor/core';
import type { Varbind } from 'net-snmp';
import { isUnder } from '../oid.js';
import { WalkedRows } from '../rows.js';
import { isException, macValue, numberValue, numericValue, textValue } from '../values.js';
import { readAddresses } from './addresses.js';
import {
  type ColumnRowsMap,
  emitStamped,
  IF_STRIDE,
  IfField,
  type InterfaceCache,
  ifKeyAt,
  ifPositionOf,
  oidsUnder,
  type Part,
  type PartContext,
  walk,
} from './context.js';

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
/** ifEntry and ifXEntry columns by name: what every interface has, then its counters in and out. */
const col = {
  ...oidsUnder(IF, { descr: 2, type: 3, speed: 5, mac: 6, admin: 7, oper: 8 }),
  ...oidsUnder(IF, { inOctets: 10, inUcast: 11, inDiscards: 13, inErrors: 14 }),
  ...oidsUnder(IF, { outOctets: 16, outUcast: 17, outDiscards: 19, outErrors: 20 }),
  ...oidsUnder(IFX, { name: 1, highSpeed: 15, alias: 18 }),
  ...oidsUnder(IFX, { hcInOctets: 6, hcInUcast: 7, hcInMulticast: 8, hcInBroadcast: 9 }),
  ...oidsUnder(IFX, { hcOutOctets: 10, hcOutUcast: 11, hcOutMulticast: 12, hcOutBroadcast: 13 }),
};

const SLOW = [col.descr, col.type, col.speed, col.mac, col.name, col.highSpeed, col.alias, col.hcInOctets];
const STATUS = [col.admin, col.oper, col.inDiscards, col.inErrors, col.outDiscards, col.outErrors];
const COUNTERS32 = [col.inOctets, col.inUcast, col.outOctets, col.outUcast];
const COUNTERS64 = [
  col.hcInOctets,
  col.hcInUcast,
  col.hcInMulticast,
  col.hcInBroadcast,
  col.hcOutOctets,
  col.hcOutUcast,
  col.hcOutMulticast,
  col.hcOutBroadcast,
];
/** What a poll walks: status, and the 32-bit and/or 64-bit counters the interfaces have. */
const STATUS_32 = [...STATUS, ...COUNTERS32];
const STATUS_64 = [...STATUS, ...COUNTERS64];
const STATUS_32_64 = [...STATUS, ...COUNTERS32, ...COUNTERS64];

/** Common ifType numbers (IANAifType-MIB) as names; others stay numeric. */
const IF_TYPES: Record<number, string> = {
  1: 'other',
  6: 'ethernetCsmacd',
  23: 'ppp',
  24: 'softwareLoopback',
  53: 'propVirtual',
  71: 'ieee80211',
  131: 'tunnel',
  135: 'l2vlan',
  136: 'l3ipvlan',
  161: 'ieee8023adLag',
  209: 'bridge',
};

const partOf = (column: string) => (isUnder(column, IFX) ? 'ifXTable' : 'ifTable');

/** Adds two counter values exactly (sums of 64-bit counters may pass 2^53). */
export function addCounters(
  a: number | bigint | undefined,
  b: number | bigint | undefined,
): number | bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'number' && typeof b === 'number' && a + b <= Number.MAX_SAFE_INTEGER) return a + b;
  const sum = BigInt(a) + BigInt(b);
  return sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum;
}

/** A 6-byte ifPhysAddress as a 48-bit number (exact in a double); undefined for other values. */
function macNumber(vb: Varbind | undefined): number | undefined {
  if (!vb || isException(vb) || !Buffer.isBuffer(vb.value) || vb.value.length !== 6) return undefined;
  const b = vb.value;
  return (
    ((((b[0] as number) * 256 + (b[1] as number)) * 256 + (b[2] as number)) * 256 + (b[3] as number)) *
      65536 +
    (b[4] as number) * 256 +
    (b[5] as number)
  );
}

/** Lower-case hex digit of a nibble, as a char code. */
const hexCode = (n: number) => (n < 10 ? 48 + n : 87 + n);

/** A MAC kept as a 48-bit number, as `formatMac` writes it (`aa:bb:cc:dd:ee:ff`). */
export function macText(mac: number): string {
  const hi = Math.floor(mac / 0x1000000);
  const lo = mac % 0x1000000;
  return String.fromCharCode(
    hexCode((hi >>> 20) & 15),
    hexCode((hi >>> 16) & 15),
    58,
    hexCode((hi >>> 12) & 15),
    hexCode((hi >>> 8) & 15),
    58,
    hexCode((hi >>> 4) & 15),
    hexCode(hi & 15),
    58,
    hexCode((lo >>> 20) & 15),
    hexCode((lo >>> 16) & 15),
    58,
    hexCode((lo >>> 12) & 15),
    hexCode((lo >>> 8) & 15),
    58,
    hexCode((lo >>> 4) & 15),
    hexCode(lo & 15),
  );
}

/**
 * One copy of arrays that many routers hold alike: the interface names, descriptions, aliases and
 * numbers of one model in one configuration. Keyed by a hash of the items; a different array
 * with the same hash is simply not shared. Bounded: when full, the table starts again (sharing is
 * lost for a while, nothing else), so routers that are gone keep little alive.
 */
const sharedArrays = new Map<number, readonly unknown[]>();
const MAX_SHARED_ARRAYS = 1024;

function itemHash(v: unknown): number {
  if (typeof v === 'number') return Number.isNaN(v) ? 0x7ff8 : (v | 0) ^ ((v / 4294967296) | 0);
  if (typeof v !== 'string') return 1;
  let h = v.length;
  for (let i = 0; i < v.length; i++) h = (Math.imul(h, 31) + v.charCodeAt(i)) | 0;
  return h;
}

/** `items`, or an equal array another router holds (never to be changed: both are read only). */
export function shared<T>(items: T[]): T[] {
  let h = items.length;
  for (const v of items) h = (Math.imul(h, 0x01000193) ^ itemHash(v)) | 0;
  const known = sharedArrays.get(h);
  if (known) {
    if (known.length === items.length && known.every((v, i) => Object.is(v, items[i]))) return known as T[];
    return items;
  }
  if (sharedArrays.size >= MAX_SHARED_ARRAYS) sharedArrays.clear();
  sharedArrays.set(h, items);
  return items;
}

/** An array of `length` holes filled with `value` (exact length, one elements kind). */
function filled<T>(length: number, value: T): T[] {
  return new Array<T>(length).fill(value);
}

async function refreshSlow(ctx: PartContext): Promise<InterfaceCache> {
  const cols = await walk(ctx, SLOW, partOf);
  const get = (c: string, i: string): Varbind | undefined => cols.get(c)?.get(i);
  const indexes = new Set<string>([
    ...(cols.get(col.descr)?.keys() ?? []),
    ...(cols.get(col.name)?.keys() ?? []),
  ]);
  const size = indexes.size;
  let numbers = filled(size * IF_STRIDE, Number.NaN);
  let macs: number[] | undefined;
  let names = filled<string>(size, '');
  let descrs = filled<string | undefined>(size, undefined);
  const aliases: (number | string)[] = [];
  const macTexts: (number | string)[] = [];
  let keys: string[] | undefined;
  const hcIndexes = cols.get(col.hcInOctets);
  const seen = new Set<string>();
  let pos = 0;
  let descrsAreNames = true;
  for (const i of indexes) {
    const descr = textValue(get(col.descr, i));
    let name = textValue(get(col.name, i)) || descr || `if${i}`;
    // Two interfaces with one name would share a series: keep the second apart.
    if (seen.has(name)) name = `${name}#${i}`;
    seen.add(name);
    names[pos] = name;
    if (descr) descrs[pos] = descr;
    if (descr !== name) descrsAreNames = false;
    const alias = textValue(get(col.alias, i));
    if (alias) aliases.push(pos, alias);
    const at = pos * IF_STRIDE;
    const index = Number(i);
    numbers[at + IfField.index] = index;
    if (String(index) !== i) keys ??= [];
    const type = numberValue(get(col.type, i));
    if (type !== undefined) numbers[at + IfField.type] = type;
    const macVb = get(col.mac, i);
    const mac = macNumber(macVb);
    if (mac !== undefined) {
      macs ??= filled(size, Number.NaN);
      macs[pos] = mac;
    } else {
      const text = macValue(macVb);
      if (text) macTexts.push(pos, text);
    }
    const high = numberValue(get(col.highSpeed, i));
    const speed = numberValue(get(col.speed, i));
    if (high !== undefined && high > 0) numbers[at + IfField.speed] = high * 1e6;
    else if (speed !== undefined) numbers[at + IfField.speed] = speed;
    numbers[at + IfField.hc] = hcIndexes?.has(i) ? 1 : 0;
    pos++;
  }
  numbers = shared(numbers);
  names = shared(names);
  descrs = descrsAreNames ? names : shared(descrs);
  if (keys) keys = [...indexes];
  const cache: InterfaceCache = { at: ctx.ts, size, numbers, names, descrs, hcCount: hcIndexes?.size ?? 0 };
  if (macs) cache.macs = macs;
  // Copied to their exact length (a pushed-to array keeps room to grow).
  if (aliases.length > 0) cache.aliases = shared(aliases.slice());
  if (macTexts.length > 0) cache.macTexts = macTexts.slice();
  if (keys) cache.keys = keys;
  else {
    // Lookups by ifIndex search the positions in ifIndex order: kept only when the walk's is not.
    let ascending = true;
    for (let p = 1; p < size && ascending; p++) {
      if ((numbers[p * IF_STRIDE] as number) <= (numbers[(p - 1) * IF_STRIDE] as number)) ascending = false;
    }
    if (!ascending) {
      cache.order = Array.from({ length: size }, (_, p) => p).sort(
        (a, b) => (numbers[a * IF_STRIDE] as number) - (numbers[b * IF_STRIDE] as number),
      );
    }
  }
  const addresses = await readAddresses(ctx);
  if (addresses) cache.addresses = addressesByPosition(cache, addresses);
  return cache;
}

/** Addresses by ifIndex as the cache keeps them: `[position, address, …]`, ascending positions. */
function addressesByPosition(cache: InterfaceCache, byIfIndex: Map<string, string[]>): number[] {
  const found: Array<[number, string[]]> = [];
  let length = 0;
  for (const [ifIndex, list] of byIfIndex) {
    const pos = ifPositionOf(cache, ifIndex);
    if (pos < 0) continue;
    found.push([pos, list]);
    length += 2 * list.length;
  }
  found.sort((a, b) => a[0] - b[0]);
  const out = filled(length, 0);
  let k = 0;
  for (const [pos, list] of found) {
    for (const cidr of list) {
      out[k++] = pos;
      out[k++] = addressNumber(cidr);
    }
  }
  return out;
}

/** `a.b.c.d/n` (as `addressesFromIpAddrTable` writes it) as its 32 bits × 64 + n. */
export function addressNumber(cidr: string): number {
  const slash = cidr.indexOf('/');
  const [a, b, c, d] = cidr.slice(0, slash).split('.').map(Number) as [number, number, number, number];
  return (((a * 256 + b) * 256 + c) * 256 + d) * 64 + Number(cidr.slice(slash + 1));
}

/** An address kept by `addressNumber` as its text again. */
export function addressText(n: number): string {
  const bits = n % 64;
  const ip = (n - bits) / 64;
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}/${bits}`;
}

/** The texts of a `[position, text, …]` list at `pos`, found from `from` on (lists are read in order). */
function textAt(list: (number | string)[] | undefined, pos: number, from: number): number {
  if (!list) return from;
  let k = from;
  while (k < list.length && (list[k] as number) < pos) k += 2;
  return k;
}

/** The IF-MIB part. */
export const interfacesPart: Part = {
  name: 'interfaces',
  async collect(ctx) {
    let cache = ctx.memory.interfaces;
    if (!cache || ctx.ts - cache.at >= ctx.settings.slowCacheTtl || ctx.ts < cache.at) {
      cache = await refreshSlow(ctx);
      ctx.memory.interfaces = cache;
    }
    const { size, numbers, names, descrs, macs, aliases, macTexts, addresses } = cache;
    const needs32 = cache.hcCount < size;
    const columns = needs32
      ? cache.hcCount > 0
        ? STATUS_32_64
        : STATUS_32
      : cache.hcCount > 0
        ? STATUS_64
        : STATUS;
    const cols = await walk(ctx, columns, partOf);
    const none = new WalkedRows('');
    const column = (c: string) => cols.get(c) ?? none;
    const admins = column(col.admin);
    const opers = column(col.oper);
    const inOctets = column(col.inOctets);
    const outOctets = column(col.outOctets);
    const inUcast = column(col.inUcast);
    const outUcast = column(col.outUcast);
    const hcInOctets = column(col.hcInOctets);
    const hcOutOctets = column(col.hcOutOctets);
    const hcInUcast = column(col.hcInUcast);
    const hcInMulticast = column(col.hcInMulticast);
    const hcInBroadcast = column(col.hcInBroadcast);
    const hcOutUcast = column(col.hcOutUcast);
    const hcOutMulticast = column(col.hcOutMulticast);
    const hcOutBroadcast = column(col.hcOutBroadcast);
    const inErrors = column(col.inErrors);
    const outErrors = column(col.outErrors);
    const inDiscards = column(col.inDiscards);
    const outDiscards = column(col.outDiscards);
    const facts: InterfaceFact[] = [];
    let nextAddress = 0;
    let nextAlias = 0;
    let nextMacText = 0;
    for (let pos = 0; pos < size; pos++) {
      const i = ifKeyAt(cache, pos);
      const at = pos * IF_STRIDE;
      const name = names[pos] as string;
      // Stamped with the device here, once per interface (emit would copy a `{ ifName }` object).
      const labels = { device: ctx.device.id, ifName: name };
      const admin = value(admins, i);
      const oper = value(opers, i);
      nextAlias = textAt(aliases, pos, nextAlias);
      const alias = aliases?.[nextAlias] === pos ? (aliases[nextAlias + 1] as string) : undefined;
      const descr = descrs[pos];
      const typeNumber = numbers[at + IfField.type] as number;
      const type = Number.isNaN(typeNumber) ? undefined : (IF_TYPES[typeNumber] ?? String(typeNumber));
      let mac: string | undefined;
      const macNumber = macs ? (macs[pos] as number) : Number.NaN;
      if (!Number.isNaN(macNumber)) mac = macText(macNumber);
      else {
        nextMacText = textAt(macTexts, pos, nextMacText);
        if (macTexts?.[nextMacText] === pos) mac = macTexts[nextMacText + 1] as string;
      }
      const speed = numbers[at + IfField.speed] as number;
      let list: string[] | undefined;
      if (addresses) {
        list = [];
        while (nextAddress < addresses.length && addresses[nextAddress] === pos) {
          list.push(addressText(addresses[nextAddress + 1] as number));
          nextAddress += 2;
        }
      }
      const index = numbers[at + IfField.index] as number;
      let fact: InterfaceFact;
      if (
        descr &&
        type !== undefined &&
        mac &&
        !Number.isNaN(speed) &&
        admin !== undefined &&
        oper !== undefined &&
        list
      ) {
        // The usual interface, every field known, as one literal: fields added one by one went
        // to a property store regrown three times a fact (same fields, same order either way).
        const adminUp = Number(admin) === 1;
        const operUp = Number(oper) === 1;
        fact =
          alias !== undefined
            ? {
                index,
                name,
                alias,
                description: descr,
                type,
                mac,
                speedBps: speed,
                adminUp,
                operUp,
                addresses: list,
              }
            : {
                index,
                name,
                description: descr,
                type,
                mac,
                speedBps: speed,
                adminUp,
                operUp,
                addresses: list,
              };
      } else {
        fact = { index, name };
        if (alias !== undefined) fact.alias = alias;
        if (descr) fact.description = descr;
        if (type !== undefined) fact.type = type;
        if (mac !== undefined) fact.mac = mac;
        if (!Number.isNaN(speed)) fact.speedBps = speed;
        if (admin !== undefined) fact.adminUp = Number(admin) === 1;
        if (oper !== undefined) fact.operUp = Number(oper) === 1;
        if (list) fact.addresses = list;
      }
      facts.push(fact);
      if (admin !== undefined) emitStamped(ctx, catalog.ifAdminUp.name, labels, Number(admin) === 1 ? 1 : 0);
      if (oper !== undefined) emitStamped(ctx, catalog.ifOperUp.name, labels, Number(oper) === 1 ? 1 : 0);
      emitStamped(ctx, catalog.ifSpeed.name, labels, Number.isNaN(speed) ? undefined : speed);
      const hc = numbers[at + IfField.hc] === 1;
      emitStamped(ctx, catalog.ifInOctets.name, labels, hc ? value(hcInOctets, i) : value(inOctets, i));
      emitStamped(ctx, catalog.ifOutOctets.name, labels, hc ? value(hcOutOctets, i) : value(outOctets, i));
      // Packets: unicast + multicast + broadcast with HC counters; 32-bit agents give unicast only,
      // because adding 32-bit counters that wrap at different times would break wrap detection.
      const inPkts = hc
        ? addCounters(addCounters(value(hcInUcast, i), value(hcInMulticast, i)), value(hcInBroadcast, i))
        : value(inUcast, i);
      const outPkts = hc
        ? addCounters(addCounters(value(hcOutUcast, i), value(hcOutMulticast, i)), value(hcOutBroadcast, i))
        : value(outUcast, i);
      emitStamped(ctx, catalog.ifInPackets.name, labels, inPkts);
      emitStamped(ctx, catalog.ifOutPackets.name, labels, outPkts);
      emitStamped(ctx, catalog.ifInErrors.name, labels, value(inErrors, i));
      emitStamped(ctx, catalog.ifOutErrors.name, labels, value(outErrors, i));
      emitStamped(ctx, catalog.ifInDiscards.name, labels, value(inDiscards, i));
      emitStamped(ctx, catalog.ifOutDiscards.name, labels, value(outDiscards, i));
    }
    ctx.facts.interfaces = facts;
  },
};

/** The numeric value of a column's row, if there is one (read in place: no varbind object). */
function value(rows: WalkedRows, index: string): number | bigint | undefined {
  return rows.numeric(index);
}
