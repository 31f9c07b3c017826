/**
 * The SNMPv2c side of `walkColumns`, on our own transport: each answer is read in place
 * (`VarbindReader`) and compared with the columns by their encoded octets, so per varbind the
 * walk makes only what it keeps — the row's index string and its value — instead of a dotted
 * OID string that is then parsed again (is it under the column? does it follow the last one?
 * what is its index?). The next request sends each column's last OID as the octets it came in.
 * Semantics are `progress` in walk.ts, row for row; the tests walk both ways.
 */

import { VarbindReader } from './ber/reader.js';
import { encodeOid, type OidOctets } from './ber/request.js';
import { type CommunityMessage, valueAt } from './ber/response.js';
import { decodeArcs, decodeOidContents } from './ber-oid.js';
import { SnmpError, SnmpErrorCodes } from './errors.js';
import type { WalkedRows } from './rows.js';
import { VarbindType } from './values.js';
import type { ColumnErrorSink } from './walk.js';

/**
 * The cursor fields `progressRaw` reads and writes (walk.ts's cursor has them). Where a column's
 * walk stands is kept on the cursor itself: `octets[0, length)` is the last OID walked (the
 * column's own OID before the first row), so the cursor is the `OidOctets` the next request asks
 * for, and a walk makes no object per column beyond the cursor and its rows.
 */
export interface RawWalkCursor extends OidOctets {
  column: string;
  rows: WalkedRows;
  done: boolean;
  /** Contents octets of the column's OID (empty when the walk is not read in place). */
  prefix: OidOctets;
}

/** A column's encoded OID: made once, as columns are our constants or the device settings' tables. */
const prefixes = new Map<string, OidOctets>();

/** The contents octets of a column's OID. */
export function columnOctets(column: string): OidOctets {
  let prefix = prefixes.get(column);
  if (!prefix) {
    const octets = Uint8Array.from(encodeOid(column));
    prefix = { octets, length: octets.length };
    if (prefixes.size >= 10_000) prefixes.clear();
    prefixes.set(column, prefix);
  }
  return prefix;
}

/**
 * Buffers for the cursors' last OIDs, reused from walk to walk: a poll walks some sixty columns,
 * and a typed array each is heavy garbage. Requests copy the octets when they are encoded, so a
 * walk that ended (`releaseRawCursor`) leaves nothing that reads them.
 */
const spareOctets: Uint8Array[] = [];
const MAX_SPARE_OCTETS = 4096;
const EMPTY = new Uint8Array(0);
/** The prefix of cursors whose walk is not read in place. */
export const NO_OCTETS: OidOctets = { octets: EMPTY, length: 0 };

/** Points a cursor at its column's OID, in a buffer of the pool (called when its walk starts). */
export function startRawCursor(c: RawWalkCursor): void {
  const prefix = c.prefix;
  let octets = spareOctets.pop();
  if (!octets || octets.length < prefix.length) octets = new Uint8Array(Math.max(32, prefix.length));
  for (let i = 0; i < prefix.length; i++) octets[i] = prefix.octets[i] as number;
  c.octets = octets;
  c.length = prefix.length;
}

/** Gives a finished walk's cursor buffer back for the next walk. */
export function releaseRawCursor(c: RawWalkCursor): void {
  if (spareOctets.length < MAX_SPARE_OCTETS && c.octets.length > 0 && c.octets.length <= 256)
    spareOctets.push(c.octets);
  c.octets = EMPTY;
  c.length = 0;
}

/** Whether `buf[start, end)` lies strictly under the OID whose contents are `prefix`. */
function under(buf: Uint8Array, start: number, end: number, prefix: OidOctets): boolean {
  const n = prefix.length;
  const octets = prefix.octets;
  if (end - start <= n) return false;
  for (let i = 0; i < n; i++) if (buf[start + i] !== octets[i]) return false;
  return true;
}

/**
 * Compares two runs of checked subidentifiers arc by arc, numerically (octet order is not arc
 * order: 16383 is 0xff 0x7f, 16384 is 0x81 0x80 0x00): negative, 0 or positive as `compareOids`.
 */
export function compareArcs(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  let i = aStart;
  let j = bStart;
  while (i < aEnd && j < bEnd) {
    let x = 0;
    let y = 0;
    let byte: number;
    do {
      byte = a[i++] as number;
      x = x * 128 + (byte & 0x7f);
    } while (byte >= 0x80 && i < aEnd);
    do {
      byte = b[j++] as number;
      y = y * 128 + (byte & 0x7f);
    } while (byte >= 0x80 && j < bEnd);
    if (x !== y) return x < y ? -1 : 1;
  }
  if (i >= aEnd && j >= bEnd) return 0;
  return i >= aEnd ? -1 : 1;
}

/** The index part of a row OID: one arc through the number-to-string cache, several decoded. */
function indexString(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 4) {
    let n = 0;
    let i = start;
    for (; i < end; i++) {
      const byte = buf[i] as number;
      n = n * 128 + (byte & 0x7f);
      if (byte < 0x80) break;
    }
    if (i === end - 1) return String(n);
  }
  return decodeArcs(buf, start, end);
}

/** Keeps `buf[start, end)` as the cursor's last OID (copied: the datagram is not kept). */
function remember(c: RawWalkCursor, buf: Uint8Array, start: number, end: number): void {
  const len = end - start;
  let octets = c.octets;
  if (octets.length < len) {
    octets = new Uint8Array(Math.max(len, 2 * octets.length));
    c.octets = octets;
  }
  for (let i = 0; i < len; i++) octets[i] = buf[start + i] as number;
  c.length = len;
}

/** The error that ends a column's walk at an OID not after the last one (walk.ts's too). */
export function notIncreasing(column: string, oid: string, last: string): SnmpError {
  return new SnmpError(
    SnmpErrorCodes.NOT_INCREASING,
    `walk of ${column} cut off: ${oid} does not follow ${last}`,
  );
}

/** The error that ends a column's walk at `maxRows` rows (walk.ts's too). */
export function tooLong(column: string, maxRows: number): SnmpError {
  return new SnmpError(
    SnmpErrorCodes.TABLE_TOO_LONG,
    `walk of ${column} cut off after ${maxRows} rows (maxRows)`,
  );
}

let sharedReader: VarbindReader | undefined;

/**
 * Applies one checked answer to the cursors (varbind k belongs to `active[k % n]`); returns how
 * many rows were added. Same rules as walk.ts's `progress`: a column ends at endOfMibView, at an
 * OID outside it or an exception; an OID that does not follow the last one, or a row beyond
 * `maxRows`, ends it with an error.
 */
export function progressRaw(
  active: RawWalkCursor[],
  msg: CommunityMessage,
  maxRows: number,
  errors: ColumnErrorSink,
): number {
  const n = active.length;
  // One reader for every answer (this function does not wait: no two answers are read at once).
  sharedReader ??= new VarbindReader(msg);
  const reader = sharedReader.reset(msg);
  const buf = reader.buf;
  let added = 0;
  for (let k = 0; reader.next(); k++) {
    const c = active[k % n] as RawWalkCursor;
    if (c.done) continue;
    const type = reader.type;
    const start = reader.oidStart;
    const end = reader.oidEnd;
    const prefix = c.prefix;
    if (type === VarbindType.EndOfMibView || !under(buf, start, end, prefix)) {
      c.done = true;
      continue;
    }
    if (type === VarbindType.NoSuchObject || type === VarbindType.NoSuchInstance) {
      c.done = true;
      continue;
    }
    const from = start + prefix.length;
    // Both lie under the column: compare only the index part (the column's own OID, before the
    // first row, has an empty one, which every row follows).
    if (compareArcs(buf, from, end, c.octets, prefix.length, c.length) <= 0) {
      c.done = true;
      const oid = decodeOidContents(buf, start, end);
      errors.set(c.column, notIncreasing(c.column, oid, decodeOidContents(c.octets, 0, c.length)));
      continue;
    }
    if (c.rows.size >= maxRows) {
      c.done = true;
      errors.set(c.column, tooLong(c.column, maxRows));
      continue;
    }
    const index = indexString(buf, from, end);
    const value = valueAt(buf, type, reader.valueStart, reader.valueEnd);
    c.rows.add(index, type, value);
    remember(c, buf, start, end);
    added++;
  }
  return added;
}
