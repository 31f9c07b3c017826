/**
 * Encoders for the values a varbind carries. Each returns the complete value TLV, so a MIB entry
 * can hold it pre-encoded (static values) or produce it per request (counters, gauges).
 */
import {
  BerError,
  encodeLength,
  encodeOidContent,
  encodeSignedContent,
  encodeUnsignedContent,
  parseOid,
  Tag,
  tlv,
} from './ber.js';

const U32 = 0x100000000;
const U64 = 1n << 64n;

/** INTEGER / Integer32. */
export function integer(v: number): Buffer {
  const n = Math.trunc(v);
  // Hot path (every status, CPU and temperature value): one allocation, no BigInt.
  if (n >= -0x80 && n < 0x80) return Buffer.from([Tag.Integer, 1, n & 0xff]);
  return tlv(Tag.Integer, encodeSignedContent(n));
}

/** OCTET STRING from text (UTF-8) or raw bytes. */
export function octets(v: string | Buffer): Buffer {
  const content = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  const lenSize = content.length < 0x80 ? 1 : 0;
  if (lenSize === 0)
    return Buffer.concat([Buffer.from([Tag.OctetString]), encodeLength(content.length), content]);
  const out = Buffer.allocUnsafe(2 + content.length);
  out[0] = Tag.OctetString;
  out[1] = content.length;
  content.copy(out, 2);
  return out;
}

const TWO53 = 2 ** 53;

/**
 * TLV of an unsigned value (Counter32, Gauge32, TimeTicks, Counter64) in one allocation:
 * answering counters is the simulator's hot path, so no intermediate arrays or BigInt below 2^53.
 */
export function unsignedTlv(tag: number, v: number | bigint): Buffer {
  if (typeof v === 'bigint') {
    if (v >= BigInt(TWO53)) return tlv(tag, encodeUnsignedContent(v));
    v = Number(v);
  }
  let n = 1;
  for (let x = v; x >= 256; x = Math.floor(x / 256)) n++;
  // A set top bit would read back as negative: one more byte for a leading zero.
  if (Math.floor(v / 256 ** (n - 1)) >= 0x80) n++;
  const out = Buffer.allocUnsafe(2 + n);
  out[0] = tag;
  out[1] = n;
  for (let i = n + 1, x = v; i >= 2; i--, x = Math.floor(x / 256)) out[i] = x % 256;
  return out;
}

/** OBJECT IDENTIFIER from dotted text or arcs. */
export function objectId(v: string | readonly number[]): Buffer {
  return tlv(Tag.Oid, encodeOidContent(typeof v === 'string' ? parseOid(v) : v));
}

/** IpAddress from dotted quad text. */
export function ipAddress(v: string): Buffer {
  const parts = v.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new BerError(`bad IpAddress "${v}"`);
  }
  return tlv(Tag.IpAddress, Buffer.from(parts));
}

/** Counter32: the value modulo 2^32, as a real device's 32-bit counter wraps. */
export function counter32(v: number | bigint): Buffer {
  const n = typeof v === 'bigint' ? Number(v % BigInt(U32)) : ((Math.floor(v) % U32) + U32) % U32;
  return unsignedTlv(Tag.Counter32, n);
}

/** Gauge32 (Unsigned32), clamped to its range as RFC 2578 says a gauge latches. */
export function gauge32(v: number): Buffer {
  return unsignedTlv(Tag.Gauge32, Math.min(Math.max(Math.floor(v), 0), U32 - 1));
}

/** TimeTicks (hundredths of a second), modulo 2^32. */
export function timeTicks(v: number): Buffer {
  return unsignedTlv(Tag.TimeTicks, ((Math.floor(v) % U32) + U32) % U32);
}

/** Counter64, modulo 2^64; exact beyond 2^53 when given a bigint. */
export function counter64(v: number | bigint): Buffer {
  if (typeof v === 'number' && v >= 0 && v < TWO53) return unsignedTlv(Tag.Counter64, Math.floor(v));
  const b = typeof v === 'bigint' ? v : BigInt(Math.floor(v));
  return unsignedTlv(Tag.Counter64, ((b % U64) + U64) % U64);
}

/** Opaque with raw content bytes. */
export function opaque(v: Buffer): Buffer {
  return tlv(Tag.Opaque, v);
}

/** NULL, as carried in requests and in v1 error responses. */
export const NULL_VALUE = Buffer.from([Tag.Null, 0]);
/** The v2c exceptions of RFC 3416 §3. */
export const NO_SUCH_OBJECT = Buffer.from([Tag.NoSuchObject, 0]);
export const NO_SUCH_INSTANCE = Buffer.from([Tag.NoSuchInstance, 0]);
export const END_OF_MIB_VIEW = Buffer.from([Tag.EndOfMibView, 0]);
