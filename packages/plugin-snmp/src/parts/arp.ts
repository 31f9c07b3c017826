/**
 * IP ↔ MAC bindings → `facts.arp`: IP-MIB `ipNetToPhysicalTable` (IPv4 and IPv6, RFC 4293), and
 * the older `ipNetToMediaTable` (IPv4 only, RFC 1213) where the device has no IPv4 rows in the
 * new one (RouterOS answers only the old table; some agents keep IPv6 in the new table and IPv4
 * in the old one). The list is published only when the walks completed: a table cut short would
 * otherwise end the bindings it did not reach.
 */
import type { ArpFact, PartError } from '@ispmonitor/core';
import { SnmpErrorCodes } from '../errors.js';
import { indexArcs } from '../oid.js';
import { formatMac, isException, numberValue } from '../values.js';
import { type ColumnRowsMap, ifNameOf, type Part, type PartContext, walk } from './context.js';

const PHYS = '1.3.6.1.2.1.4.35.1';
/** ipNetToPhysicalPhysAddress, Type, State; INDEX { IfIndex, NetAddressType, NetAddress }. */
export const physCol = { address: `${PHYS}.4`, type: `${PHYS}.6`, state: `${PHYS}.7` };
const MEDIA = '1.3.6.1.2.1.4.22.1';
/** ipNetToMediaPhysAddress, Type; INDEX { IfIndex, NetAddress (4 arcs) }. */
export const mediaCol = { address: `${MEDIA}.2`, type: `${MEDIA}.4` };

/** ipNetToPhysicalType / ipNetToMediaType: other(1), invalid(2), dynamic(3), static(4), local(5). */
const TYPES: Record<number, string | null> = { 1: 'other', 2: null, 3: 'dynamic', 4: 'static', 5: 'local' };
/** ipNetToPhysicalState values that hold no binding: invalid(5), incomplete(7). */
const NO_BINDING_STATES = new Set([5, 7]);

/** InetAddressType → [bytes in the index, bytes of the address]: ipv4, ipv6, ipv4z, ipv6z. */
const ADDRESS_BYTES: Record<number, [number, number]> = { 1: [4, 4], 2: [16, 16], 3: [8, 4], 4: [20, 16] };

/** Counts skipped rows (malformed index or address) of the ARP tables. */
export interface ArpTally {
  skipped: number;
}

/** IPv4 from four arcs, IPv6 (`x:x:…`, lower-case, zeros kept short) from sixteen. */
function address(arcs: readonly number[]): string | undefined {
  if (arcs.some((a) => !Number.isInteger(a) || a < 0 || a > 255)) return undefined;
  if (arcs.length === 4) return arcs.join('.');
  if (arcs.length !== 16) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((arcs[i] as number) << 8) | (arcs[i + 1] as number)).toString(16));
  // The longest run of two or more zero groups becomes `::` (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** A 6-byte MAC that is not all zero; undefined otherwise (incomplete entries, odd media). */
function macOf(value: unknown): string | undefined {
  if (!Buffer.isBuffer(value) || value.length !== 6) return undefined;
  for (let i = 0; i < 6; i++) if (value[i] !== 0) return formatMac(value);
  return undefined;
}

/** A row's address and ifIndex, read from its index; undefined when the index is malformed. */
type RowKey = { address: string; ifIndex: string } | undefined;

/** ipNetToPhysicalTable index: ifIndex, address type, then the address with its length first. */
function physicalKey(index: string): RowKey {
  const arcs = indexArcs(index);
  const [ifIndex, kind, len] = arcs;
  const spec = kind === undefined ? undefined : ADDRESS_BYTES[kind];
  const addr =
    spec && len === spec[0] && arcs.length === 3 + spec[0] ? address(arcs.slice(3, 3 + spec[1])) : undefined;
  return ifIndex === undefined || addr === undefined
    ? undefined
    : { address: addr, ifIndex: String(ifIndex) };
}

/** ipNetToMediaTable index: ifIndex and the four address arcs. */
function mediaKey(index: string): RowKey {
  // An index in canonical form (as decoded from an OID) is read in place: the address is the
  // text after the ifIndex, with no array of arcs and no strings per arc (a row every poll).
  const dot = index.indexOf('.');
  if (dot > 0 && isArc(index, 0, dot, Number.MAX_SAFE_INTEGER)) {
    let from = dot + 1;
    let arcs = 0;
    while (arcs < 4) {
      let to = index.indexOf('.', from);
      if (to < 0) to = index.length;
      if (!isArc(index, from, to, 255)) break;
      arcs++;
      from = to + 1;
      if (to === index.length) break;
    }
    if (arcs === 4 && from === index.length + 1)
      return { address: index.slice(dot + 1), ifIndex: index.slice(0, dot) };
  }
  const arcs = indexArcs(index);
  const addr = arcs.length === 5 ? address(arcs.slice(1)) : undefined;
  return addr === undefined ? undefined : { address: addr, ifIndex: String(arcs[0]) };
}

/** Whether `text[from, to)` is a number written as `String(n)` writes it, at most `max`. */
function isArc(text: string, from: number, to: number, max: number): boolean {
  const len = to - from;
  if (len < 1 || len > 15 || (len > 1 && text.charCodeAt(from) === 48)) return false;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    n = n * 10 + d;
  }
  return n <= max;
}

/**
 * The bindings of either table: a row whose index `keyOf` cannot read is counted as skipped; an
 * exception, a missing or all-zero MAC, an invalid type or a state holding no binding is no
 * binding.
 */
function bindings(
  cols: ColumnRowsMap,
  table: { address: string; type: string; state?: string },
  keyOf: (index: string) => RowKey,
  ifName: (ifIndex: string) => string,
  tally: ArpTally,
): ArpFact[] {
  const out: ArpFact[] = [];
  for (const [index, vb] of cols.get(table.address) ?? []) {
    const key = keyOf(index);
    if (key === undefined) {
      tally.skipped++;
      continue;
    }
    if (isException(vb)) continue;
    const mac = macOf(vb.value);
    if (!mac) continue;
    const typeVb = cols.get(table.type)?.get(index);
    const type = typeVb ? TYPES[numberValue(typeVb) ?? 1] : undefined;
    if (type === null) continue;
    const stateVb = table.state === undefined ? undefined : cols.get(table.state)?.get(index);
    const state = stateVb ? numberValue(stateVb) : undefined;
    if (state !== undefined && NO_BINDING_STATES.has(state)) continue;
    const fact: ArpFact = { address: key.address, mac, interface: ifName(key.ifIndex) };
    if (type) fact.type = type;
    out.push(fact);
  }
  return out;
}

/**
 * Rows of `ipNetToPhysicalTable` → bindings. Index: ifIndex, address type (ipv4 1, ipv6 2,
 * ipv4z 3, ipv6z 4), then the address with its length first (zoned ones carry 4 zone bytes after
 * the address, dropped). Invalid and incomplete entries are no binding.
 */
export function arpFromPhysical(
  cols: ColumnRowsMap,
  ifName: (i: string) => string,
  tally: ArpTally,
): ArpFact[] {
  return bindings(cols, physCol, physicalKey, ifName, tally);
}

/** Rows of `ipNetToMediaTable` → IPv4 bindings (index: ifIndex and the four address arcs). */
export function arpFromMedia(cols: ColumnRowsMap, ifName: (i: string) => string, tally: ArpTally): ArpFact[] {
  return bindings(cols, mediaCol, mediaKey, ifName, tally);
}

/** Reports skipped rows as one part error. */
function reportSkipped(partErrors: PartError[], tally: ArpTally): void {
  if (tally.skipped === 0) return;
  partErrors.push({
    part: 'ipNetToPhysicalTable',
    code: SnmpErrorCodes.BAD_ROWS,
    message: `skipped ${tally.skipped} rows with a malformed index or address; the rest were kept`,
  });
}

/** The ARP part (every profile; `snmp.arp: false` turns it off). */
export const arpPart: Part = {
  name: 'arp',
  async collect(ctx: PartContext) {
    if (!ctx.settings.arp) return;
    const failedBefore = ctx.partErrors.length;
    const ifName = (i: string) => ifNameOf(ctx, i);
    const tally: ArpTally = { skipped: 0 };
    const phys = await walk(ctx, Object.values(physCol), () => 'ipNetToPhysicalTable');
    const facts = arpFromPhysical(phys, ifName, tally);
    if (!facts.some((f) => !f.address.includes(':'))) {
      const media = await walk(ctx, Object.values(mediaCol), () => 'ipNetToMediaTable');
      facts.push(...arpFromMedia(media, ifName, tally));
    }
    reportSkipped(ctx.partErrors, tally);
    // A walk cut short (loop, too many rows) was reported: publish nothing rather than a part.
    const failed = ctx.partErrors.slice(failedBefore).some((e) => e.code !== SnmpErrorCodes.BAD_ROWS);
    if (!failed) ctx.facts.arp = facts;
  },
};
