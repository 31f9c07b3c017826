/**
 * Decoding of SNMPv1/v2c Response messages, written from RFC 3416 §3, RFC 2578 §7.1 (the SMI
 * application types) and X.690 (BER, definite lengths only). Varbinds come out exactly as
 * net-snmp delivers them (`{oid, type, value}`: numbers for INTEGER and the 32-bit types, Buffers
 * — views into the datagram — for OCTET STRING, Opaque and Counter64, strings for OIDs and
 * IpAddress, null for NULL and the v2 exceptions), so everything above the session is unchanged.
 *
 * Every read is bounds-checked against the enclosing TLV; whatever does not decode throws a
 * `BerError`, never anything else. The header is decoded first and `requestId` is kept on the
 * error once known, so the session can fail the one request it answers instead of ignoring it.
 */
import snmp, { type Varbind } from 'net-snmp';
import { decodeOidContents } from '../ber-oid.js';

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
  community: Buffer;
  /** The PDU's tag (0xa2 for a Response). */
  tag: number;
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  varbinds: Varbind[];
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

/** Decodes one value whose tag is at `c.pos`, ending by `end`. */
function varbind(c: Cursor, end: number, oid: string): Varbind {
  const type = c.buf[c.pos] as number;
  c.pos++;
  if (c.pos >= end) c.fail('truncated value');
  const stop = c.length(end);
  const start = c.pos;
  switch (type) {
    case T.Integer:
      return vb(oid, type, c.int(stop));
    case T.Counter:
    case T.Gauge:
    case T.TimeTicks:
      // As net-snmp: the signed reading taken modulo 2^32 (agents that send 0xFFFFFFFF as 4
      // octets, without the leading zero, still read as 4294967295).
      return vb(oid, type, c.int(stop) >>> 0);
    case T.OctetString:
    case T.Opaque:
    case T.Counter64:
    case T.BitString:
      c.pos = stop;
      return vb(oid, type, c.buf.subarray(start, stop));
    case T.OID:
      c.pos = stop;
      try {
        return vb(oid, type, decodeOidContents(c.buf, start, stop));
      } catch (err) {
        return c.fail(`bad OID value (${(err as Error).message})`);
      }
    case T.IpAddress: {
      if (stop - start !== 4) c.fail('IpAddress not 4 octets');
      const b = c.buf;
      c.pos = stop;
      return vb(oid, type, `${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]}`);
    }
    case T.Boolean:
      if (stop - start !== 1) c.fail('BOOLEAN not 1 octet');
      c.pos = stop;
      return vb(oid, type, c.buf[start] !== 0);
    case T.Null:
    case T.NoSuchObject:
    case T.NoSuchInstance:
    case T.EndOfMibView:
      c.pos = stop;
      return vb(oid, type, null);
    default:
      return c.fail(`unknown value type 0x${type.toString(16)}`);
  }
}

/**
 * Decodes a community message (v1/v2c) from a datagram. Throws `BerError` on anything that is
 * not one; its `requestId` is set once the header has been read.
 */
export function decodeCommunityMessage(buf: Buffer): CommunityMessage {
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
  const community = buf.subarray(c.pos, commEnd);
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
  const varbinds: Varbind[] = [];
  while (c.pos < listEnd) {
    const vbEnd = c.header(0x30, listEnd);
    const oidEnd = c.header(0x06, vbEnd);
    let oid: string;
    try {
      oid = decodeOidContents(buf, c.pos, oidEnd);
    } catch (err) {
      return c.fail(`bad OID (${(err as Error).message})`);
    }
    c.pos = oidEnd;
    if (c.pos >= vbEnd) c.fail('varbind without a value');
    const v = varbind(c, vbEnd, oid);
    if (c.pos !== vbEnd) c.fail('extra octets in a varbind');
    varbinds.push(v);
  }
  return { version, community, tag, requestId, errorStatus, errorIndex, varbinds };
}
