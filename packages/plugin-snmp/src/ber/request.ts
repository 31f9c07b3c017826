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
 * Subidentifiers of the OIDs of the request being encoded (the first two arcs already combined
 * as 40·x + y), and per OID their count and contents length: module scratch space, reused by
 * every request and grown when one needs more, so encoding allocates nothing but the message.
 */
let arcs = new Float64Array(512);
let counts = new Int32Array(64);
let contentLens = new Int32Array(64);

/** Octets of one subidentifier in base 128 (X.690 §8.19.2). */
function arcSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  for (let v = Math.floor(n / 0x10000000); v > 0; v = Math.floor(v / 128)) size++;
  return size;
}

/**
 * Parses a dotted OID into `arcs` from `at` (X.690 §8.19: the first two arcs as one
 * subidentifier); returns how many subidentifiers it wrote. Throws on an OID that is not numeric.
 * One pass over the characters (this runs for every OID of every request): no split, no regex.
 */
function parseOid(oid: string, at: number): number {
  // A dotted OID of L characters has at most (L + 1) / 2 arcs.
  const need = at + (oid.length >> 1) + 2;
  if (arcs.length < need) {
    const grown = new Float64Array(Math.max(need, arcs.length * 2));
    grown.set(arcs);
    arcs = grown;
  }
  let i = oid.charCodeAt(0) === 46 ? 1 : 0; // a leading dot is allowed
  let seen = 0;
  let first = 0;
  let pos = at;
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
    seen++;
    if (seen === 1) {
      if (n > 2) throw new TypeError(`OID "${oid}" has an invalid first arc`);
      first = n;
    } else if (seen === 2) {
      if (first < 2 && n >= 40) throw new TypeError(`OID "${oid}" has an invalid second arc`);
      arcs[pos++] = 40 * first + n;
    } else {
      arcs[pos++] = n;
    }
  }
  if (seen < 2) throw new TypeError(`OID "${oid}" needs at least two arcs`);
  return pos - at;
}

/** Writes one subidentifier at `pos`: base 128, most significant group first, bit 8 set on all but the last octet. */
function writeArc(buf: Buffer, pos: number, n: number): number {
  const size = arcSize(n);
  let p = pos + size - 1;
  buf[p] = n % 128;
  for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) buf[--p] = (v % 128) | 0x80;
  return pos + size;
}

/** The contents octets of a dotted OID (X.690 §8.19). Throws on an OID that is not numeric. */
export function encodeOid(oid: string): number[] {
  const n = parseOid(oid, 0);
  const out: number[] = [];
  let size = 0;
  for (let k = 0; k < n; k++) size += arcSize(arcs[k] as number);
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let k = 0; k < n; k++) pos = writeArc(buf, pos, arcs[k] as number);
  for (const byte of buf) out.push(byte);
  return out;
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
  /** Dotted OIDs, or the contents octets of encoded ones (sent as they are). */
  oids: readonly (string | OidOctets)[];
}

/** Contents octets of an encoded OID: `octets[0, length)` (the array may be longer). */
export interface OidOctets {
  octets: Uint8Array;
  length: number;
}

/** Encodes one request message: the OIDs parsed once into scratch arcs, then written straight into the message. */
export function encodeRequest(spec: RequestSpec): Buffer {
  const oids = spec.oids;
  const count = oids.length;
  if (counts.length < count) {
    counts = new Int32Array(count * 2);
    contentLens = new Int32Array(count * 2);
  }
  let listLen = 0;
  let at = 0;
  for (let k = 0; k < count; k++) {
    const oid = oids[k] as string | OidOctets;
    let len = 0;
    if (typeof oid === 'string') {
      const n = parseOid(oid, at);
      for (let j = at; j < at + n; j++) len += arcSize(arcs[j] as number);
      at += n;
      counts[k] = n;
    } else {
      len = oid.length;
      counts[k] = -1;
    }
    contentLens[k] = len;
    const vb = 1 + lengthSize(len) + len + 2;
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
  // A byte loop: Buffer#copy goes through several layers of argument handling per call.
  const community = spec.community;
  for (let i = 0; i < c; i++) out.buf[out.pos++] = community[i] as number;
  out.header(spec.tag, pduLen);
  out.int(spec.requestId);
  out.int(spec.a);
  out.int(spec.b);
  out.header(0x30, listLen);
  at = 0;
  for (let k = 0; k < count; k++) {
    const len = contentLens[k] as number;
    const n = counts[k] as number;
    out.header(0x30, 1 + lengthSize(len) + len + 2);
    out.header(0x06, len);
    let pos = out.pos;
    if (n < 0) {
      const octets = (oids[k] as OidOctets).octets;
      for (let j = 0; j < len; j++) out.buf[pos++] = octets[j] as number;
    } else {
      for (let j = at; j < at + n; j++) pos = writeArc(out.buf, pos, arcs[j] as number);
      at += n;
    }
    out.buf[pos++] = 0x05;
    out.buf[pos++] = 0x00;
    out.pos = pos;
  }
  return out.buf;
}
