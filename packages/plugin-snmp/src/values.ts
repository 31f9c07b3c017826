/**
 * Decoding of varbind values as net-snmp delivers them: numbers for 32-bit types, Buffers for
 * OCTET STRING and Counter64 (our own v1/v2c decoder: a number for a Counter64 below 2^53),
 * strings for OIDs and IP addresses.
 */
import snmp, { type Varbind } from 'net-snmp';

const T = snmp.ObjectType;

/** The ASN.1/SMI types we look at, by net-snmp's names for them. */
const TYPE_NAMES = [
  'Integer',
  'OctetString',
  'IpAddress',
  'Counter',
  'Gauge',
  'TimeTicks',
  'Opaque',
  'Counter64',
  'NoSuchObject',
  'NoSuchInstance',
  'EndOfMibView',
] as const;

type TypeName = (typeof TYPE_NAMES)[number];

/** Type numbers of the types we look at (`Oid` is net-snmp's `OID`). */
export const VarbindType = {
  ...(Object.fromEntries(TYPE_NAMES.map((name) => [name, T[name]])) as Record<TypeName, number>),
  Oid: T.OID as number,
} as const;

/** Whether a varbind carries no value (noSuchObject, noSuchInstance, endOfMibView). */
export function isException(vb: Varbind): boolean {
  return (
    vb.type === VarbindType.NoSuchObject ||
    vb.type === VarbindType.NoSuchInstance ||
    vb.type === VarbindType.EndOfMibView
  );
}

/**
 * Decodes a Counter64 (a big-endian Buffer of 0–9 bytes) exactly into a bigint. Bytes beyond the
 * eighth can only be a leading zero of the BER encoding; anything larger is rejected as garbage.
 */
export function decodeCounter64(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'bigint') return value;
  if (!Buffer.isBuffer(value) || value.length > 9) return undefined;
  let out = 0n;
  for (const byte of value) out = (out << 8n) | BigInt(byte);
  return out <= 0xffff_ffff_ffff_ffffn ? out : undefined;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A Counter64 as a sample value: a `number` while it is a safe integer, a `bigint` beyond. Values
 * of up to six significant bytes (below 2^48) are added up as a number, without the bigint
 * arithmetic of `decodeCounter64` (this runs for every 64-bit counter of every poll).
 */
export function counter64Value(value: unknown): number | bigint | undefined {
  // Our v1/v2c decoder already gives counters below 2^53 as numbers (ber/response.ts).
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (Buffer.isBuffer(value) && value.length <= 9) {
    const end = value.length;
    let i = 0;
    while (i < end && value[i] === 0) i++;
    if (end - i <= 6) {
      let n = 0;
      for (; i < end; i++) n = n * 256 + (value[i] as number);
      return n;
    }
  }
  const big = decodeCounter64(value);
  if (big === undefined) return undefined;
  return big <= MAX_SAFE ? Number(big) : big;
}

/**
 * A counter or gauge as a sample value. Counter64 follows one rule, documented in the README: a
 * `number` while it is a safe integer (≤ 2^53−1), a `bigint` beyond that so it stays exact.
 */
export function numericValue(vb: Varbind): number | bigint | undefined {
  return numericOf(vb.type, vb.value);
}

/** `numericValue` of a varbind given as its type and value (walked rows keep no varbind object). */
export function numericOf(type: number, value: unknown): number | bigint | undefined {
  if (type === VarbindType.Counter64) return counter64Value(value);
  switch (type) {
    case VarbindType.Integer:
    case VarbindType.Counter:
    case VarbindType.Gauge:
    case VarbindType.TimeTicks:
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case VarbindType.OctetString: {
      // Some agents (UCD laLoad, vendor tables) report numbers as text.
      const text = textValue({ oid: '', type, value } as Varbind);
      const n = Number(text);
      return text?.trim() !== '' && Number.isFinite(n) ? n : undefined;
    }
    default:
      return undefined;
  }
}

/** A plain number (Counter64 converted, possibly losing precision past 2^53): for gauges only. */
export function numberValue(vb: Varbind | undefined): number | undefined {
  if (!vb) return undefined;
  const v = numericValue(vb);
  return v === undefined ? undefined : Number(v);
}

/** Longest text we keep from an OCTET STRING: hostile agents may send tens of kilobytes. */
export const MAX_TEXT = 1024;

/**
 * An OCTET STRING as text: UTF-8 when it is printable, else the hex of its bytes (MAC addresses,
 * binary ids). Truncated to `MAX_TEXT` characters.
 */
export function textValue(vb: Varbind | undefined): string | undefined {
  if (!vb || isException(vb)) return undefined;
  const v = vb.value;
  if (typeof v === 'string') return v.slice(0, MAX_TEXT);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (!Buffer.isBuffer(v)) return undefined;
  const bytes = v.subarray(0, MAX_TEXT);
  const text = bytes.toString('utf8');
  // Printable when there are no control bytes other than tab/CR/LF and the bytes are valid UTF-8.
  let printable = !text.includes('\ufffd');
  for (let i = 0; printable && i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 13) printable = false;
    if (b === 0x7f) printable = false;
  }
  if (printable) return intern(text.replace(/[\r\n]+$/, ''));
  return bytes.toString('hex');
}

/** Texts up to this long are interned (names, descriptions, aliases); longer ones rarely repeat. */
const INTERN_MAX_LENGTH = 64;
/** Distinct texts kept; when full the table starts again (sharing is lost for a while, nothing else). */
const INTERN_MAX_ENTRIES = 50_000;
const interned = new Map<string, string>();

/**
 * One copy of each short text: the interface cache of every router holds `ether1`… `ether24` (name
 * and description) and the like, as separate strings per router when decoded from each answer —
 * about 1 KB a router in the fleet benchmark's heap snapshots. Strings are immutable, so
 * handing out a shared copy changes nothing but the memory.
 */
export function intern(text: string): string {
  if (text.length > INTERN_MAX_LENGTH) return text;
  const known = interned.get(text);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_MAX_ENTRIES) interned.clear();
  interned.set(text, text);
  return text;
}

/** A 6-byte OCTET STRING as `aa:bb:cc:dd:ee:ff`; other lengths as their text. */
export function macValue(vb: Varbind | undefined): string | undefined {
  if (!vb || isException(vb)) return undefined;
  if (Buffer.isBuffer(vb.value) && vb.value.length === 6) return formatMac(vb.value);
  return textValue(vb);
}

/** Lower-case hex digit of a nibble, as a char code. */
const hexCode = (n: number) => (n < 10 ? 48 + n : 87 + n);

/** Formats byte values (each taken modulo 256) as a lower-case colon-separated MAC. */
export function formatMac(bytes: ArrayLike<number>): string {
  if (bytes.length !== 6) return Array.from(bytes, (b) => (b & 0xff).toString(16).padStart(2, '0')).join(':');
  // Six bytes (ARP and wireless rows, every poll) from char codes at once: no string per byte.
  const b0 = (bytes[0] as number) & 0xff;
  const b1 = (bytes[1] as number) & 0xff;
  const b2 = (bytes[2] as number) & 0xff;
  const b3 = (bytes[3] as number) & 0xff;
  const b4 = (bytes[4] as number) & 0xff;
  const b5 = (bytes[5] as number) & 0xff;
  return String.fromCharCode(
    hexCode(b0 >> 4),
    hexCode(b0 & 15),
    58,
    hexCode(b1 >> 4),
    hexCode(b1 & 15),
    58,
    hexCode(b2 >> 4),
    hexCode(b2 & 15),
    58,
    hexCode(b3 >> 4),
    hexCode(b3 & 15),
    58,
    hexCode(b4 >> 4),
    hexCode(b4 & 15),
    58,
    hexCode(b5 >> 4),
    hexCode(b5 & 15),
  );
}

/** An OID-typed value as a dotted string. */
export function oidValue(vb: Varbind | undefined): string | undefined {
  if (!vb || vb.type !== VarbindType.Oid || typeof vb.value !== 'string') return undefined;
  return vb.value;
}
