/**
 * IF-MIB: ifTable and ifXTable. Names, aliases, types and speeds change rarely and are cached
 * for `slowCacheTtl`; status and counters are walked every poll, one bulk walk over all counter
 * columns. 64-bit HC counters are used where the interface has them, 32-bit ones otherwise.
 */
import { catalog, type InterfaceFact } from '@ispmonitor/core';
import type { Varbind } from 'net-snmp';
import { isUnder } from '../oid.js';
import { macValue, numberValue, numericValue, textValue } from '../values.js';
import { readAddresses } from './addresses.js';
import {
  type ColumnRowsMap,
  emit,
  type InterfaceCache,
  type InterfaceRow,
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

async function refreshSlow(ctx: PartContext): Promise<InterfaceCache> {
  const cols = await walk(ctx, SLOW, partOf);
  const get = (c: string, i: string): Varbind | undefined => cols.get(c)?.get(i);
  const indexes = new Set<string>([
    ...(cols.get(col.descr)?.keys() ?? []),
    ...(cols.get(col.name)?.keys() ?? []),
  ]);
  const rows = new Map<string, InterfaceRow>();
  const seen = new Set<string>();
  for (const i of indexes) {
    const descr = textValue(get(col.descr, i));
    let name = textValue(get(col.name, i)) || descr || `if${i}`;
    // Two interfaces with one name would share a series: keep the second apart.
    if (seen.has(name)) name = `${name}#${i}`;
    seen.add(name);
    const high = numberValue(get(col.highSpeed, i));
    const speed = numberValue(get(col.speed, i));
    const row: InterfaceRow = { index: Number(i), name };
    if (descr) row.descr = descr;
    const alias = textValue(get(col.alias, i));
    if (alias) row.alias = alias;
    const type = numberValue(get(col.type, i));
    if (type !== undefined) row.type = type;
    const mac = macValue(get(col.mac, i));
    if (mac) row.mac = mac;
    if (high !== undefined && high > 0) row.speedBps = high * 1e6;
    else if (speed !== undefined) row.speedBps = speed;
    rows.set(i, row);
  }
  const hc = new Set(cols.get(col.hcInOctets)?.keys() ?? []);
  const cache: InterfaceCache = { at: ctx.ts, rows, hc };
  const addresses = await readAddresses(ctx);
  if (addresses) cache.addresses = addresses;
  return cache;
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
    const needs32 = cache.hc.size < cache.rows.size;
    const columns = [...STATUS, ...(needs32 ? COUNTERS32 : []), ...(cache.hc.size > 0 ? COUNTERS64 : [])];
    const cols: ColumnRowsMap = await walk(ctx, columns, partOf);
    const v = (c: string, i: string) => {
      const vb = cols.get(c)?.get(i);
      return vb ? numericValue(vb) : undefined;
    };
    const facts: InterfaceFact[] = [];
    for (const [i, row] of cache.rows) {
      const labels = { ifName: row.name };
      const admin = v(col.admin, i);
      const oper = v(col.oper, i);
      const fact: InterfaceFact = { index: row.index, name: row.name };
      if (row.alias) fact.alias = row.alias;
      if (row.descr) fact.description = row.descr;
      if (row.type !== undefined) fact.type = IF_TYPES[row.type] ?? String(row.type);
      if (row.mac) fact.mac = row.mac;
      if (row.speedBps !== undefined) fact.speedBps = row.speedBps;
      if (admin !== undefined) fact.adminUp = Number(admin) === 1;
      if (oper !== undefined) fact.operUp = Number(oper) === 1;
      if (cache.addresses) fact.addresses = cache.addresses.get(i) ?? [];
      facts.push(fact);
      if (admin !== undefined) emit(ctx, catalog.ifAdminUp.name, labels, Number(admin) === 1 ? 1 : 0);
      if (oper !== undefined) emit(ctx, catalog.ifOperUp.name, labels, Number(oper) === 1 ? 1 : 0);
      emit(ctx, catalog.ifSpeed.name, labels, row.speedBps);
      const hc = cache.hc.has(i);
      emit(ctx, catalog.ifInOctets.name, labels, hc ? v(col.hcInOctets, i) : v(col.inOctets, i));
      emit(ctx, catalog.ifOutOctets.name, labels, hc ? v(col.hcOutOctets, i) : v(col.outOctets, i));
      // Packets: unicast + multicast + broadcast with HC counters; 32-bit agents give unicast only,
      // because adding 32-bit counters that wrap at different times would break wrap detection.
      const inPkts = hc
        ? addCounters(addCounters(v(col.hcInUcast, i), v(col.hcInMulticast, i)), v(col.hcInBroadcast, i))
        : v(col.inUcast, i);
      const outPkts = hc
        ? addCounters(addCounters(v(col.hcOutUcast, i), v(col.hcOutMulticast, i)), v(col.hcOutBroadcast, i))
        : v(col.outUcast, i);
      emit(ctx, catalog.ifInPackets.name, labels, inPkts);
      emit(ctx, catalog.ifOutPackets.name, labels, outPkts);
      emit(ctx, catalog.ifInErrors.name, labels, v(col.inErrors, i));
      emit(ctx, catalog.ifOutErrors.name, labels, v(col.outErrors, i));
      emit(ctx, catalog.ifInDiscards.name, labels, v(col.inDiscards, i));
      emit(ctx, catalog.ifOutDiscards.name, labels, v(col.outDiscards, i));
    }
    ctx.facts.interfaces = facts;
  },
};
