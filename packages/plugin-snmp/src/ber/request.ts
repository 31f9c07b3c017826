/**
 * Encoding of SNMPv1/v2c request messages (GetRequest, GetNextRequest, GetBulkRequest), written
 * from RFC 3416 §3 (PDU syntax), RFC 1157/1901 (the community message) and X.690 (BER):
 *
 *   Message ::= SEQUENCE { version INTEGER, community OCTET STRING, data PDU }
 *   PDU     ::= [tag] SEQUENCE { request-id INTEGER, error-status/non-repeaters INTEGER,
 *                                error-index/max-repetitions INTEGER, variable-bindings }
 *   VarBind ::= SEQUENCE { name OBJECT IDENTIFIER, value NULL }
 *
 * Lengths are computed first and the message written front to back into one Buffer of its exact
 * size: no intermediate writer, no growing buffer.
 */

/** Context-specific constructed tags of the request PDUs (RFC 3416 §3). */
export const PduTag = {
  get: 0xa0,
  getNext: 0xa1,
  response: 0xa2,
  getBulk: 0xa5,
  report: 0xa8,
} as const;

/**
 * Encodes the contents octets of a dotted OID (X.690 §8.19). Throws on an OID that is not numeric.
 * One pass over the characters (this runs for every OID of every request): no split, no regex.
 */
export function encodeOid(oid: string): number[] {
  const out: number[] = [];
  let i = oid.charCodeAt(0) === 46 ? 1 : 0; // a leading dot is allowed
  let arcs = 0;
  let first = 0;
  const end = oid.length;
  while (i <= end) {
    let n = 0;
    let digits = 0;
    for (; i < end; i++) {
      const ch = oid.charCodeAt(i);
      if (ch === 46) break;
      if (ch < 48 || ch > 57 || digits === 16) throw new TypeError(`OID "${oid}" has a non-numeric arc`);
      n = n * 10 + (ch - 48);
      digits++;
    }
    if (digits === 0) throw new TypeError(`OID "${oid}" has an empty arc`);
    if (!Number.isSafeInteger(n)) throw new TypeError(`OID "${oid}" has an arc that is too large`);
    i++; // past the dot (or the end)
    arcs++;
    if (arcs === 1) {
      if (n > 2) throw new TypeError(`OID "${oid}" has an invalid first arc`);
      first = n;
    } else if (arcs === 2) {
      if (first < 2 && n >= 40) throw new TypeError(`OID "${oid}" has an invalid second arc`);
      pushArc(out, 40 * first + n);
    } else {
      pushArc(out, n);
    }
  }
  if (arcs < 2) throw new TypeError(`OID "${oid}" needs at least two arcs`);
  return out;
}

/** Base 128, most significant group first, bit 8 set on all but the last octet. */
function pushArc(out: number[], n: number): void {
  if (n < 0x80) {
    out.push(n);
    return;
  }
  const groups: number[] = [];
  let v = n;
  while (v > 0) {
    groups.push(v % 128);
    v = Math.floor(v / 128);
  }
  for (let i = groups.length - 1; i > 0; i--) out.push((groups[i] as number) | 0x80);
  out.push(groups[0] as number);
}

/** Octets of a definite length (X.690 §8.1.3). */
function lengthSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

/** Octets of a non-negative INTEGER's contents, minimal two's complement. */
function intSize(n: number): number {
  let size = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 256);
    size++;
  }
  return size;
}

class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  header(tag: number, length: number): void {
    const b = this.buf;
    b[this.pos++] = tag;
    if (length < 0x80) {
      b[this.pos++] = length;
      return;
    }
    const n = lengthSize(length) - 1;
    b[this.pos++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) b[this.pos++] = Math.floor(length / 256 ** i) & 0xff;
  }
  int(n: number): void {
    const size = intSize(n);
    this.header(0x02, size);
    for (let i = size - 1; i >= 0; i--) this.buf[this.pos++] = Math.floor(n / 256 ** i) & 0xff;
  }
}

/** What one request message carries. */
export interface RequestSpec {
  /** 0 for SNMPv1, 1 for SNMPv2c. */
  version: 0 | 1;
  community: Buffer;
  tag: number;
  requestId: number;
  /** error-status, or non-repeaters for GetBulk. */
  a: number;
  /** error-index, or max-repetitions for GetBulk. */
  b: number;
  oids: readonly string[];
}

/** Encodes one request message. */
export function encodeRequest(spec: RequestSpec): Buffer {
  const encoded = spec.oids.map(encodeOid);
  let listLen = 0;
  for (const e of encoded) {
    const vb = 1 + lengthSize(e.length) + e.length + 2;
    listLen += 1 + lengthSize(vb) + vb;
  }
  const pduLen =
    2 +
    intSize(spec.requestId) +
    2 +
    intSize(spec.a) +
    2 +
    intSize(spec.b) +
    1 +
    lengthSize(listLen) +
    listLen;
  const c = spec.community.length;
  const msgLen = 3 + 1 + lengthSize(c) + c + 1 + lengthSize(pduLen) + pduLen;
  const out = new Out(Buffer.allocUnsafe(1 + lengthSize(msgLen) + msgLen));
  out.header(0x30, msgLen);
  out.int(spec.version);
  out.header(0x04, c);
  spec.community.copy(out.buf, out.pos);
  out.pos += c;
  out.header(spec.tag, pduLen);
  out.int(spec.requestId);
  out.int(spec.a);
  out.int(spec.b);
  out.header(0x30, listLen);
  for (const e of encoded) {
    out.header(0x30, 1 + lengthSize(e.length) + e.length + 2);
    out.header(0x06, e.length);
    for (const byte of e) out.buf[out.pos++] = byte;
    out.buf[out.pos++] = 0x05;
    out.buf[out.pos++] = 0x00;
  }
  return out.buf;
}
