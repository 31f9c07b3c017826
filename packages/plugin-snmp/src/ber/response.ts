/**
 * Decoding of SNMPv1/v2c Response messages, written from RFC 3416 §3, RFC 2578 §7.1 (the SMI
 * application types) and X.690 (BER, definite lengths only). Varbinds come out exactly as
 * net-snmp delivers them (`{oid, type, value}`: numbers for INTEGER and the 32-bit types, Buffers
 * — views into the datagram — for OCTET STRING and Opaque, strings for OIDs and IpAddress, null
 * for NULL and the v2 exceptions), with one difference: a Counter64 below 2^53 is a number, not a
 * Buffer (values.ts reads both), so everything above the session is unchanged.
 *
 * Every read is bounds-checked against the enclosing TLV; whatever does not decode throws a
 * `BerError`, never anything else. The header is decoded first and `requestId` is kept on the
 * error once known, so the session can fail the one request it answers instead of ignoring it.
 */
import snmp, { type Varbind } from 'net-snmp';
import { checkOidContents, decodeOidContents } from '../ber-oid.js';

/** A message that does not decode; `requestId` when the header decoded that far. */
export class BerError extends Error {
  override name = 'BerError';
  constructor(
    message: string,
    readonly requestId?: number,
  ) {
    super(message);
  }
}

/** A decoded Response (or other) PDU of a community message. */
export interface CommunityMessage {
  version: number;
  /** Where the community string lies in `buf` (no Buffer view made: one less object an answer). */
  communityStart: number;
  communityEnd: number;
  /** The PDU's tag (0xa2 for a Response). */
  tag: number;
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  /** The varbinds as objects; empty when the message was only checked (`raw`). */
  varbinds: Varbind[];
  /** The datagram, and where its variable-bindings list lies in it: read by `VarbindReader`. */
  buf: Buffer;
  listStart: number;
  listEnd: number;
  /** Varbinds in the list. */
  count: number;
}

/** A cursor over one datagram. `end` is the end of the TLV being read. */
class Cursor {
  pos: number;
  requestId: number | undefined;
  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.pos = start;
  }

  fail(what: string): never {
    throw new BerError(`${what} at offset ${this.pos}`, this.requestId);
  }

  /** Reads a tag and a definite length; returns the contents' end (≤ `end`). */
  header(tag: number, end: number): number {
    const buf = this.buf;
    if (this.pos + 2 > end) this.fail('truncated header');
    if (buf[this.pos] !== tag)
      this.fail(`expected tag 0x${tag.toString(16)}, got 0x${buf[this.pos]?.toString(16)}`);
    this.pos++;
    return this.length(end);
  }

  /** Reads a definite length at `pos`; returns the contents' end (≤ `end`). */
  length(end: number): number {
    const buf = this.buf;
    let len = buf[this.pos++] as number;
    if (len >= 0x80) {
      const n = len & 0x7f;
      if (n === 0) this.fail('indefinite length');
      if (n > 4 || this.pos + n > end) this.fail('bad length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (buf[this.pos++] as number);
    }
    const stop = this.pos + len;
    if (stop > end) this.fail('length beyond its container');
    return stop;
  }

  /** INTEGER contents `[pos, stop)`, signed, as a safe integer. */
  int(stop: number): number {
    const buf = this.buf;
    if (stop <= this.pos) this.fail('zero-length integer');
    if (stop - this.pos > 7) {
      // Beyond 7 octets only leading sign octets keep it a safe integer; anything else is rejected.
      this.fail('integer too long');
    }
    let v = (buf[this.pos] as number) >= 0x80 ? (buf[this.pos] as number) - 256 : (buf[this.pos] as number);
    for (let i = this.pos + 1; i < stop; i++) v = v * 256 + (buf[i] as number);
    this.pos = stop;
    if (!Number.isSafeInteger(v)) this.fail('integer out of range');
    return v;
  }

  /** A whole INTEGER TLV within `end`. */
  readInt(end: number): number {
    const stop = this.header(0x02, end);
    return this.int(stop);
  }
}

/** Value tags (RFC 2578 §7.1, RFC 3416 §3): net-snmp's ObjectType numbers are the BER tags. */
const T = snmp.ObjectType as unknown as Record<
  | 'Boolean'
  | 'Integer'
  | 'BitString'
  | 'OctetString'
  | 'Null'
  | 'OID'
  | 'IpAddress'
  | 'Counter'
  | 'Gauge'
  | 'TimeTicks'
  | 'Opaque'
  | 'Counter64'
  | 'NoSuchObject'
  | 'NoSuchInstance'
  | 'EndOfMibView',
  number
>;

/** One varbind, in net-snmp's shape (same property order, so one hidden class). */
function vb(oid: string, type: number, value: unknown): Varbind {
  return { oid, type, value } as Varbind;
}

/** A signed INTEGER's contents `[start, stop)`, already checked by `Cursor.int`. */
function intAt(buf: Buffer, start: number, stop: number): number {
  let v = (buf[start] as number) >= 0x80 ? (buf[start] as number) - 256 : (buf[start] as number);
  for (let i = start + 1; i < stop; i++) v = v * 256 + (buf[i] as number);
  return v;
}

/**
 * Checks the contents `[start, stop)` of a value of type `type`: everything that can make a value
 * undecodable is found here, so `valueAt` cannot fail on what passed. Leaves `c.pos` at `stop`.
 */
function checkValue(c: Cursor, type: number, start: number, stop: number): void {
  switch (type) {
    case T.Integer:
    case T.Counter:
    case T.Gauge:
    case T.TimeTicks:
      c.int(stop);
      return;
    case T.OctetString:
    case T.Opaque:
    case T.Counter64:
    case T.BitString:
    case T.Null:
    case T.NoSuchObject:
    case T.NoSuchInstance:
    case T.EndOfMibView:
      c.pos = stop;
      return;
    case T.OID:
      c.pos = stop;
      try {
        checkOidContents(c.buf, start, stop);
      } catch (err) {
        c.fail(`bad OID value (${(err as Error).message})`);
      }
      return;
    case T.IpAddress:
      if (stop - start !== 4) c.fail('IpAddress not 4 octets');
      c.pos = stop;
      return;
    case T.Boolean:
      if (stop - start !== 1) c.fail('BOOLEAN not 1 octet');
      c.pos = stop;
      return;
    default:
      c.fail(`unknown value type 0x${type.toString(16)}`);
  }
}

/**
 * The value of checked contents `[start, stop)` of type `type` (see `checkValue`), as net-snmp
 * gives it, except a Counter64 below 2^53, which is a number.
 */
export function valueAt(buf: Buffer, type: number, start: number, stop: number): unknown {
  switch (type) {
    case T.Integer:
      return intAt(buf, start, stop);
    case T.Counter:
    case T.Gauge:
    case T.TimeTicks:
      // As net-snmp: the signed reading taken modulo 2^32 (agents that send 0xFFFFFFFF as 4
      // octets, without the leading zero, still read as 4294967295).
      return intAt(buf, start, stop) >>> 0;
    case T.Counter64: {
      // A number when it is one exactly (below 2^53: at most 6 significant octets, or 7 with a
      // first octet below 0x20): no Buffer view per counter (a typed-array object each, and
      // garbage) and no decoding later. Larger values keep the view, read exactly by values.ts.
      let i = start;
      while (i < stop && buf[i] === 0) i++;
      const size = stop - i;
      if (size > 7 || (size === 7 && (buf[i] as number) >= 0x20)) return buf.subarray(start, stop);
      let n = 0;
      for (; i < stop; i++) n = n * 256 + (buf[i] as number);
      return n;
    }
    case T.OctetString:
    case T.Opaque:
    case T.BitString:
      return buf.subarray(start, stop);
    case T.OID:
      return decodeOidContents(buf, start, stop);
    case T.IpAddress:
      return `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}`;
    case T.Boolean:
      return buf[start] !== 0;
    default:
      return null;
  }
}

/** Decodes one value whose tag is at `c.pos`, ending by `end`. */
function varbind(c: Cursor, end: number, oid: string): Varbind {
  const type = c.buf[c.pos] as number;
  c.pos++;
  if (c.pos >= end) c.fail('truncated value');
  const stop = c.length(end);
  const start = c.pos;
  checkValue(c, type, start, stop);
  return vb(oid, type, valueAt(c.buf, type, start, stop));
}

/** Checks one value whose tag is at `c.pos`, ending by `end`, without decoding it. */
function skipValue(c: Cursor, end: number): void {
  const type = c.buf[c.pos] as number;
  c.pos++;
  if (c.pos >= end) c.fail('truncated value');
  const stop = c.length(end);
  checkValue(c, type, c.pos, stop);
}

/**
 * Decodes a community message (v1/v2c) from a datagram. Throws `BerError` on anything that is
 * not one; its `requestId` is set once the header has been read. When `raw(requestId)` says so,
 * the varbinds are checked exactly as for decoding but not made into objects (`varbinds` stays
 * empty): the bulk walk reads them in place with `VarbindReader`.
 */
export function decodeCommunityMessage(buf: Buffer, raw?: (requestId: number) => boolean): CommunityMessage {
  const c = new Cursor(buf, 0);
  // A datagram shorter than its outer length is truncated: decode what the header says up to
  // the datagram's end, so the request it answers is failed, not left to time out.
  const outerEnd = buf.length;
  if (buf.length < 2 || buf[0] !== 0x30) c.fail('not a SEQUENCE');
  c.pos = 1;
  let msgEnd: number;
  try {
    msgEnd = c.length(Number.MAX_SAFE_INTEGER);
  } catch {
    return c.fail('bad message length');
  }
  const truncated = msgEnd > outerEnd;
  const end = Math.min(msgEnd, outerEnd);
  const version = c.readInt(end);
  const commEnd = c.header(0x04, end);
  const communityStart = c.pos;
  c.pos = commEnd;
  if (c.pos >= end) c.fail('no PDU');
  const tag = buf[c.pos] as number;
  c.pos++;
  let pduEnd: number;
  try {
    pduEnd = c.length(Number.MAX_SAFE_INTEGER);
  } catch {
    return c.fail('bad PDU length');
  }
  const requestId = c.readInt(Math.min(pduEnd, end));
  c.requestId = requestId;
  if (truncated || pduEnd > end) c.fail('message truncated');
  const errorStatus = c.readInt(pduEnd);
  const errorIndex = c.readInt(pduEnd);
  const listEnd = c.header(0x30, pduEnd);
  const listStart = c.pos;
  const keep = raw === undefined || !raw(requestId);
  const varbinds: Varbind[] = [];
  let count = 0;
  while (c.pos < listEnd) {
    const vbEnd = c.header(0x30, listEnd);
    const oidEnd = c.header(0x06, vbEnd);
    let oid = '';
    try {
      if (keep) oid = decodeOidContents(buf, c.pos, oidEnd);
      else checkOidContents(buf, c.pos, oidEnd);
    } catch (err) {
      return c.fail(`bad OID (${(err as Error).message})`);
    }
    c.pos = oidEnd;
    if (c.pos >= vbEnd) c.fail('varbind without a value');
    if (keep) varbinds.push(varbind(c, vbEnd, oid));
    else skipValue(c, vbEnd);
    if (c.pos !== vbEnd) c.fail('extra octets in a varbind');
    count++;
  }
  return {
    version,
    communityStart,
    communityEnd: commEnd,
    tag,
    requestId,
    errorStatus,
    errorIndex,
    varbinds,
    buf,
    listStart,
    listEnd,
    count,
  };
}
