/**
 * A tiny BER encoder/decoder for the hostile test agent: just enough of SNMPv1/v2c messages to
 * read a request and to build replies that are wrong in controlled ways.
 */

/** Encodes a length in BER definite form. */
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

/** INTEGER (two's complement, minimal). */
export function int(n: number, tag = 0x02): Buffer {
  const bytes: number[] = [];
  let v = BigInt(n);
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v !== 0n && v !== -1n);
  if (n >= 0 && (bytes[0] as number) & 0x80) bytes.unshift(0);
  if (n < 0 && !((bytes[0] as number) & 0x80)) bytes.unshift(0xff);
  return tlv(tag, Buffer.from(bytes));
}

/** OCTET STRING. */
export function octets(value: string | Buffer, tag = 0x04): Buffer {
  return tlv(tag, typeof value === 'string' ? Buffer.from(value) : value);
}

/** OBJECT IDENTIFIER. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [(arcs[0] as number) * 40 + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] as number) | 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** SEQUENCE (or any constructed tag). */
export function seq(parts: Buffer[], tag = 0x30): Buffer {
  return tlv(tag, Buffer.concat(parts));
}

/** A value to put in a varbind. */
export type Value =
  | { type: 'int'; value: number }
  | { type: 'string'; value: string | Buffer }
  | { type: 'oid'; value: string }
  | { type: 'counter32'; value: number }
  | { type: 'gauge'; value: number }
  | { type: 'ticks'; value: number }
  | { type: 'counter64'; value: Buffer }
  | { type: 'endOfMibView' }
  | { type: 'raw'; value: Buffer };

function encodeValue(v: Value): Buffer {
  switch (v.type) {
    case 'int':
      return int(v.value);
    case 'string':
      return octets(v.value);
    case 'oid':
      return oid(v.value);
    case 'counter32':
      return int(v.value, 0x41);
    case 'gauge':
      return int(v.value, 0x42);
    case 'ticks':
      return int(v.value, 0x43);
    case 'counter64':
      return tlv(0x46, v.value);
    case 'endOfMibView':
      return tlv(0x82, Buffer.alloc(0));
    case 'raw':
      return v.value;
  }
}

/** A GetResponse message. */
export function response(
  version: number,
  community: string,
  requestId: number,
  varbinds: Array<[string, Value]>,
  errorStatus = 0,
  errorIndex = 0,
): Buffer {
  return seq([
    int(version),
    octets(community),
    seq(
      [
        int(requestId),
        int(errorStatus),
        int(errorIndex),
        seq(varbinds.map(([o, v]) => seq([oid(o), encodeValue(v)]))),
      ],
      0xa2,
    ),
  ]);
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function read(buf: Buffer, pos: number): Tlv {
  const tag = buf[pos] as number;
  let len = buf[pos + 1] as number;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + 2 + i] as number);
    start += n;
  }
  if (start + len > buf.length) throw new RangeError('truncated');
  return { tag, start, end: start + len };
}

function readInt(buf: Buffer, t: Tlv): number {
  let v = 0n;
  for (let i = t.start; i < t.end; i++) v = (v << 8n) | BigInt(buf[i] as number);
  const bits = BigInt((t.end - t.start) * 8);
  if (t.end > t.start && (buf[t.start] as number) & 0x80) v -= 1n << bits;
  return Number(v);
}

function readOid(buf: Buffer, t: Tlv): string {
  const first = buf[t.start] as number;
  const arcs = [Math.floor(first / 40), first % 40];
  let v = 0;
  for (let i = t.start + 1; i < t.end; i++) {
    const b = buf[i] as number;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

/** A decoded v1/v2c request. */
export interface Request {
  version: number;
  community: string;
  pduType: number;
  requestId: number;
  /** max-repetitions for GETBULK (error-index slot). */
  maxRepetitions: number;
  oids: string[];
}

/** Decodes a v1/v2c request; throws on anything else. */
export function decodeRequest(buf: Buffer): Request {
  const msg = read(buf, 0);
  const version = read(buf, msg.start);
  const community = read(buf, version.end);
  const pdu = read(buf, community.end);
  const reqId = read(buf, pdu.start);
  const f2 = read(buf, reqId.end);
  const f3 = read(buf, f2.end);
  const list = read(buf, f3.end);
  const oids: string[] = [];
  for (let pos = list.start; pos < list.end; ) {
    const vb = read(buf, pos);
    oids.push(readOid(buf, read(buf, vb.start)));
    pos = vb.end;
  }
  return {
    version: readInt(buf, version),
    community: buf.subarray(community.start, community.end).toString(),
    pduType: pdu.tag,
    requestId: readInt(buf, reqId),
    maxRepetitions: readInt(buf, f3),
    oids,
  };
}
