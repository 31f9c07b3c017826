/**
 * A faster OBJECT IDENTIFIER reader for net-snmp, installed at run time on the BER reader it uses
 * (asn1-ber's `Reader.prototype.readOID`). Every varbind of every response carries at least one
 * OID, and the stock reader builds an array of arcs and joins it; this one builds the dotted
 * string directly. Written from X.690 §8.19:
 *
 * - the contents are a series of subidentifiers, each in base 128, most significant group first,
 *   bit 8 set on every octet but the last of a subidentifier;
 * - the first subidentifier encodes the first two arcs as 40·x + y, with x ∈ {0, 1, 2} and, for
 *   x = 2, y unbounded (so 2.100 is the single subidentifier 180).
 *
 * Compared with the stock reader it also decodes arcs of 2^32 and more exactly (up to 2^53 − 1),
 * reads 40·x + y right for x = 2 and y ≥ 40, and rejects what it cannot decode unambiguously: an
 * empty OID, a last subidentifier cut off mid-way, an arc beyond 2^53 − 1. Like the stock reader
 * it returns `null` (and does not move) when the buffer ends before the OID does.
 */
import { createRequire } from 'node:module';

/** The parts of asn1-ber's Reader this module touches. */
interface BerReader {
  _buf: Buffer;
  _size: number;
  _offset: number;
  _len: number;
  readOID(tag?: number): string | null;
}

const OID_TAG = 0x06;
/** Largest value an arc may hold before one more base-128 group would pass 2^53 − 1. */
const MAX_BEFORE_SHIFT = Math.floor(Number.MAX_SAFE_INTEGER / 128);

/** An error of the same shape asn1-ber throws, so callers that look at `name` see no difference. */
function invalid(message: string): Error {
  const e = new Error(message);
  e.name = 'InvalidAsn1Error';
  return e;
}

/** Scratch space for the digits of one OID; grown when an OID needs more. */
let scratch = Buffer.allocUnsafe(512);

/** Writes the decimal digits of `n` (a safe integer ≥ 0) at `at`; returns the position after them. */
function writeDigits(out: Buffer, n: number, at: number): number {
  let digits = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
  let p = at + digits;
  let v = n;
  do {
    out[--p] = 48 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  return at + digits;
}

/**
 * Decodes the contents octets `buf[start, end)` of an OBJECT IDENTIFIER into dotted form. Throws
 * on an empty OID, a truncated last subidentifier or an arc that is not a safe integer.
 */
export function decodeOidContents(buf: Uint8Array, start: number, end: number): string {
  checkEnds(buf, start, end);
  // Each contents octet adds at most 4 characters (a one-octet arc: 3 digits and a dot); the
  // first subidentifier adds at most 2 more ("2." before its arc).
  const need = 4 * (end - start) + 2;
  if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
  const out = scratch;
  let pos = 0;
  let arc = 0;
  let first = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    arc = shiftIn(arc, byte);
    if (byte < 0x80) {
      if (first) {
        // X.690 8.19.4: the first subidentifier is 40·x + y; only x = 2 allows y ≥ 40.
        first = false;
        const x = arc < 40 ? 0 : arc < 80 ? 1 : 2;
        out[pos++] = 48 + x;
        out[pos++] = 46;
        pos = writeDigits(out, arc - 40 * x, pos);
      } else {
        out[pos++] = 46;
        pos = writeDigits(out, arc, pos);
      }
      arc = 0;
    }
  }
  return out.toString('latin1', 0, pos);
}

/**
 * Decodes subidentifiers `buf[start, end)` of checked OID contents (see `checkOidContents`) as
 * dotted arcs, each subidentifier one arc (no 40·x + y split): the index part of a table OID.
 */
export function decodeArcs(buf: Uint8Array, start: number, end: number): string {
  const need = 4 * (end - start);
  if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
  const out = scratch;
  let pos = 0;
  let arc = 0;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    arc = arc * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      if (pos > 0) out[pos++] = 46;
      pos = writeDigits(out, arc, pos);
      arc = 0;
    }
  }
  return out.toString('latin1', 0, pos);
}

/**
 * Checks contents octets `buf[start, end)` of an OBJECT IDENTIFIER exactly as `decodeOidContents`
 * does (same errors), without making the string: for varbinds read in place by the bulk walk.
 */
export function checkOidContents(buf: Uint8Array, start: number, end: number): void {
  checkEnds(buf, start, end);
  // Only the arcs' sizes matter here. A subidentifier of at most 7 octets holds at most 49 bits,
  // and before its last octet at most 42, far below the limit: only longer ones (rare: a
  // non-minimal encoding or a huge arc) are accumulated to see whether they pass it.
  let run = 0;
  for (let i = start; i < end; i++) {
    if ((buf[i] as number) >= 0x80) run++;
    else {
      if (run >= 7) {
        let arc = 0;
        for (let j = i - run; j <= i; j++) arc = shiftIn(arc, buf[j] as number);
      }
      run = 0;
    }
  }
}

/** Contents that are empty or end inside a subidentifier are refused. */
function checkEnds(buf: Uint8Array, start: number, end: number): void {
  if (end <= start) throw invalid('empty OBJECT IDENTIFIER');
  if ((buf[end - 1] as number) >= 0x80) throw invalid('OBJECT IDENTIFIER ends inside a subidentifier');
}

/**
 * `arc` with one more subidentifier octet. Small arcs shift as 32-bit integers; from 2^24 on
 * they multiply as doubles, and an arc that would pass 2^53 is refused. Small enough for V8 to
 * inline into the decode loop (measured: the same CPU per OID as the loop with it written out).
 */
function shiftIn(arc: number, byte: number): number {
  if (arc < 0x1000000) return (arc << 7) | (byte & 0x7f);
  if (arc > MAX_BEFORE_SHIFT) throw invalid('OBJECT IDENTIFIER arc too large');
  return arc * 128 + (byte & 0x7f);
}

/**
 * `Reader.prototype.readOID` replacement: reads one TLV with tag `tag` (default OBJECT IDENTIFIER)
 * at the reader's offset. Returns null, without moving, when the buffer ends first.
 */
function readOid(this: BerReader, tag?: number): string | null {
  const buf = this._buf;
  const size = this._size;
  let at = this._offset;
  if (at >= size) return null;
  const want = tag || OID_TAG;
  const got = buf[at] as number;
  if (got !== want) throw invalid(`Expected 0x${want.toString(16)}: got 0x${got.toString(16)}`);
  at++;
  if (at >= size) return null;
  let length = buf[at++] as number;
  if (length >= 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw invalid('Indefinite length not supported');
    if (size - at < count) return null;
    length = 0;
    for (let k = 0; k < count; k++) length = length * 256 + (buf[at++] as number);
  }
  if (length > size - at) return null;
  const text = decodeOidContents(buf, at, at + length);
  this._len = length;
  this._offset = at + length;
  return text;
}

/** The stock reader, kept for tests that compare both. */
let stockReadOid: BerReader['readOID'] | undefined;
let installed = false;

/** asn1-ber's Reader class, exactly the copy net-snmp loads. */
export function berReaderClass(): { new (data: Buffer): BerReader; prototype: BerReader } {
  const here = createRequire(import.meta.url);
  const fromNetSnmp = createRequire(here.resolve('net-snmp'));
  return (fromNetSnmp('asn1-ber') as { Ber: { Reader: ReturnType<typeof berReaderClass> } }).Ber.Reader;
}

/**
 * Installs the fast reader once per process. Returns whether it is in place; when asn1-ber does
 * not look as expected (another version), the stock reader stays and this returns false.
 */
export function installFastOidReader(): boolean {
  if (installed) return true;
  try {
    const Reader = berReaderClass();
    const probe = new Reader(Buffer.from([OID_TAG, 3, 0x2b, 6, 1]));
    if (typeof Reader.prototype.readOID !== 'function' || probe._offset !== 0 || probe._buf === undefined) {
      return false;
    }
    stockReadOid = Reader.prototype.readOID;
    Reader.prototype.readOID = readOid;
    // Self-check on a known encoding before trusting it.
    if (new Reader(Buffer.from([OID_TAG, 3, 0x2b, 6, 1])).readOID() !== '1.3.6.1') {
      Reader.prototype.readOID = stockReadOid;
      return false;
    }
    installed = true;
    return true;
  } catch {
    return false;
  }
}

/** The stock asn1-ber readOID (after `installFastOidReader`), for equivalence tests. */
export function stockOidReader(): BerReader['readOID'] | undefined {
  return stockReadOid;
}
