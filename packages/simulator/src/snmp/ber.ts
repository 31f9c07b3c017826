/**
 * The small part of ASN.1 BER that SNMP messages use (RFC 3416 / RFC 1157 with X.690 encoding
 * rules): definite lengths, INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER and the SNMP
 * application types. Written for a simulator that must never crash on what a client sends: the
 * reader checks every length against the buffer and throws {@link BerError}, which the agent
 * counts and drops.
 */

/** Tags of the types an SNMP varbind can carry (X.690 universal and SNMPv2-SMI application). */
export const Tag = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Sequence: 0x30,
  IpAddress: 0x40,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  Opaque: 0x44,
  Counter64: 0x46,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
} as const;

/** Thrown for any malformed input; never escapes the agent's receive handler. */
export class BerError extends Error {
  override name = 'BerError';
}

/** Encodes a definite length (short form below 128, long form up to 4 bytes). */
export function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x100) return Buffer.from([0x81, len]);
  if (len < 0x10000) return Buffer.from([0x82, len >> 8, len & 0xff]);
  if (len < 0x1000000) return Buffer.from([0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]);
  return Buffer.from([0x84, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff]);
}

/** Number of bytes {@link encodeLength} produces for `len`. */
export function lengthSize(len: number): number {
  if (len < 0x80) return 1;
  if (len < 0x100) return 2;
  if (len < 0x10000) return 3;
  if (len < 0x1000000) return 4;
  return 5;
}

/** Wraps `content` in a tag and its length. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** Tag and length header for a constructed value whose content is `len` bytes long. */
export function header(tag: number, len: number): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(len)]);
}

/** Two's-complement minimal encoding of a signed integer (INTEGER, Integer32). */
export function encodeSignedContent(value: number | bigint): Buffer {
  // 32-bit numbers (request ids, error fields, most INTEGERs) skip BigInt.
  if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
    if (value >= -0x80 && value < 0x80) return Buffer.from([value & 0xff]);
    if (value >= -0x8000 && value < 0x8000) return Buffer.from([(value >> 8) & 0xff, value & 0xff]);
    if (value >= -0x800000 && value < 0x800000)
      return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
    return Buffer.from([(value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
  }
  let v = BigInt(value);
  const bytes: number[] = [];
  // Emit bytes until the remaining value is pure sign extension of the last byte's top bit.
  for (;;) {
    const byte = Number(v & 0xffn);
    bytes.unshift(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Buffer.from(bytes);
}

/** Minimal encoding of a non-negative integer (Counter32, Gauge32, TimeTicks, Counter64). */
export function encodeUnsignedContent(value: number | bigint): Buffer {
  // Numbers below 2^31 are the hot path (counters, gauges): avoid BigInt there.
  if (typeof value === 'number' && value >= 0 && value < 0x80000000) {
    if (value < 0x80) return Buffer.from([value]);
    if (value < 0x8000) return Buffer.from([value >> 8, value & 0xff]);
    if (value < 0x800000) return Buffer.from([value >> 16, (value >> 8) & 0xff, value & 0xff]);
    return Buffer.from([value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
  }
  let v = BigInt(value);
  if (v < 0n) throw new BerError('negative value for an unsigned type');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  // A set top bit would read back as negative: prefix a zero byte.
  if ((bytes[0]! & 0x80) !== 0) bytes.unshift(0);
  return Buffer.from(bytes);
}

/** Encodes an OID's content bytes (first two arcs folded, base-128 sub-identifiers). */
export function encodeOidContent(arcs: readonly number[]): Buffer {
  if (arcs.length < 2) throw new BerError('an OID needs at least two arcs');
  const out: number[] = [];
  const push = (n: number) => {
    const tmp = [n & 0x7f];
    let v = Math.floor(n / 128);
    while (v > 0) {
      tmp.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...tmp);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (let i = 2; i < arcs.length; i++) push(arcs[i]!);
  return Buffer.from(out);
}

/** Parses dotted OID text (`1.3.6.1…`, an optional leading dot) into arcs; throws on junk. */
export function parseOid(text: string): number[] {
  const t = text.startsWith('.') ? text.slice(1) : text;
  const arcs = t.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new BerError(`bad OID "${text}"`);
    const n = Number(s);
    if (n > 0xffffffff) throw new BerError(`OID arc out of range in "${text}"`);
    return n;
  });
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) {
    throw new BerError(`bad OID "${text}"`);
  }
  return arcs;
}

/** Lexicographic OID comparison (the order of the MIB tree, RFC 3416 §4.2.2). */
export function compareOids(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** One decoded TLV: its tag and where its content lies in the buffer. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** A bounds-checked cursor over one buffer. */
export class BerReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly limit = buf.length,
  ) {}

  /** True when the cursor reached its limit. */
  get done(): boolean {
    return this.pos >= this.limit;
  }

  /** Reads a tag and definite length; the content is `[start, end)`, the cursor moves past it. */
  read(expected?: number): Tlv {
    if (this.pos + 2 > this.limit) throw new BerError('truncated TLV');
    const tag = this.buf[this.pos++]!;
    if (expected !== undefined && tag !== expected) {
      throw new BerError(`expected tag 0x${expected.toString(16)}, got 0x${tag.toString(16)}`);
    }
    let len = this.buf[this.pos++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      // Indefinite (0x80) and absurd lengths are rejected: SNMP uses definite lengths only.
      if (n === 0 || n > 4 || this.pos + n > this.limit) throw new BerError('bad length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[this.pos++]!;
    }
    const start = this.pos;
    const end = start + len;
    if (end > this.limit) throw new BerError('length beyond the end of the message');
    this.pos = end;
    return { tag, start, end };
  }

  /** Reads an INTEGER as a JS number; values beyond 32 bits are rejected. */
  readInt(): number {
    const { start, end } = this.read(Tag.Integer);
    const n = end - start;
    if (n < 1 || n > 5) throw new BerError('bad INTEGER length');
    let v = this.buf[start]! & 0x80 ? -1 : 0;
    for (let i = start; i < end; i++) v = v * 256 + this.buf[i]!;
    if (v < -0x80000000 || v > 0xffffffff) throw new BerError('INTEGER out of range');
    return v;
  }

  /** Reads an OCTET STRING and returns its bytes (a view on the message, not a copy). */
  readOctets(): Buffer {
    const { start, end } = this.read(Tag.OctetString);
    return this.buf.subarray(start, end);
  }

  /** Reads an OBJECT IDENTIFIER into arcs, rejecting overlong or unterminated sub-ids. */
  readOid(): number[] {
    const { start, end } = this.read(Tag.Oid);
    return decodeOidContent(this.buf, start, end);
  }

  /** A reader limited to the content of the next TLV (which must carry `tag`). */
  enter(tag?: number): BerReader & { tag: number } {
    const t = this.read(tag);
    return Object.assign(new BerReader(this.buf, t.start, t.end), { tag: t.tag });
  }
}

/** Decodes OID content bytes; at most 128 arcs (RFC 3416's limit), each below 2^32. */
export function decodeOidContent(buf: Buffer, start: number, end: number): number[] {
  if (end <= start) throw new BerError('empty OID');
  const arcs: number[] = [];
  let v = 0;
  let inArc = false;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    v = v * 128 + (b & 0x7f);
    inArc = (b & 0x80) !== 0;
    if (v > 0xffffffff) throw new BerError('OID arc too large');
    if (!inArc) {
      if (arcs.length === 0) {
        const first = v < 40 ? 0 : v < 80 ? 1 : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
      if (arcs.length > 128) throw new BerError('OID too long');
    }
  }
  if (inArc) throw new BerError('unterminated OID arc');
  return arcs;
}
