/**
 * IPv4 addresses of interfaces: RFC 1213 `ipAddrTable` (every agent we meet answers it, RouterOS
 * included). Read with the slow interface columns and cached with them: addresses change about as
 * rarely as names. A row whose index, ifIndex or mask is malformed is skipped and counted.
 */
import type { PartError } from '@ispmonitor/core';
import type { Varbind } from 'net-snmp';
import { SnmpErrorCodes } from '../errors.js';
import { indexArcs } from '../oid.js';
import { isException, numberValue } from '../values.js';
import { type ColumnRowsMap, type PartContext, walk } from './context.js';

const IPADDR = '1.3.6.1.2.1.4.20.1';
/** ipAdEntIfIndex and ipAdEntNetMask; INDEX { ipAdEntAddr } (the address as four arcs). */
export const ipAddrCol = { ifIndex: `${IPADDR}.2`, mask: `${IPADDR}.3` } as const;

/** Most addresses kept per interface (a router with thousands on one interface is a mistake). */
export const MAX_ADDRESSES_PER_INTERFACE = 256;

/** A netmask (`255.255.255.0`, or its four bytes) as a prefix length; undefined unless contiguous. */
function prefixLength(vb: Varbind | undefined): number | undefined {
  if (!vb || isException(vb)) return undefined;
  const v = vb.value;
  const octets = Buffer.isBuffer(v) ? [...v] : typeof v === 'string' ? v.split('.').map(Number) : [];
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  const n = octets.reduce((acc, o) => acc * 256 + o, 0);
  let bits = 0;
  while (bits < 32 && Math.floor(n / 2 ** (31 - bits)) % 2 === 1) bits++;
  // Contiguous: every bit after the first zero is zero too.
  return n % 2 ** (32 - bits) === 0 ? bits : undefined;
}

/**
 * `ipAddrTable` columns → CIDR addresses by ifIndex (`10.0.0.1/24`), and the number of rows
 * skipped. Rows without a mask are kept as host addresses (/32).
 */
export function addressesFromIpAddrTable(cols: ColumnRowsMap): {
  byIfIndex: Map<string, string[]>;
  skipped: number;
} {
  const byIfIndex = new Map<string, string[]>();
  let skipped = 0;
  for (const [index, vb] of cols.get(ipAddrCol.ifIndex) ?? []) {
    if (isException(vb)) continue;
    const arcs = indexArcs(index);
    const ifIndex = numberValue(vb);
    const maskVb = cols.get(ipAddrCol.mask)?.get(index);
    const bits = maskVb ? prefixLength(maskVb) : 32;
    if (
      arcs.length !== 4 ||
      arcs.some((a) => !Number.isInteger(a) || a < 0 || a > 255) ||
      ifIndex === undefined ||
      !Number.isInteger(ifIndex) ||
      ifIndex < 1 ||
      bits === undefined
    ) {
      skipped++;
      continue;
    }
    const key = String(ifIndex);
    let list = byIfIndex.get(key);
    if (!list) {
      list = [];
      byIfIndex.set(key, list);
    }
    if (list.length < MAX_ADDRESSES_PER_INTERFACE) list.push(`${arcs.join('.')}/${bits}`);
  }
  return { byIfIndex, skipped };
}

function reportSkipped(partErrors: PartError[], skipped: number): void {
  if (skipped === 0) return;
  partErrors.push({
    part: 'ipAddrTable',
    code: SnmpErrorCodes.BAD_ROWS,
    message: `skipped ${skipped} rows with a malformed index, ifIndex or mask; the rest were kept`,
  });
}

/**
 * Walks `ipAddrTable`: addresses by ifIndex, or undefined when the walk failed (the interfaces
 * then carry no `addresses`, and storage keeps what it had).
 */
export async function readAddresses(ctx: PartContext): Promise<Map<string, string[]> | undefined> {
  const before = ctx.partErrors.length;
  const cols = await walk(ctx, Object.values(ipAddrCol), () => 'ipAddrTable');
  if (ctx.partErrors.length > before) return undefined;
  const { byIfIndex, skipped } = addressesFromIpAddrTable(cols);
  reportSkipped(ctx.partErrors, skipped);
  return byIfIndex;
}
