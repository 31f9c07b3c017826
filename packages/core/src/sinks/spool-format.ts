import { crc32 } from 'node:zlib';
import type { Sample } from '../types.js';

/**
 * One spool record on disk: `[u32 payload length][u32 CRC-32 of the payload][payload]`, the
 * payload `[f64 time written, ms][u32 sample count][samples as UTF-8 JSON]`. The length prefix
 * finds the next record; the checksum tells a whole record from one torn by a crash mid-write.
 */
export const RECORD_HEADER_BYTES = 8;
const PAYLOAD_HEADER_BYTES = 12;

/** A sample as JSON: `[name, labels, value, ts]`; a bigint or non-finite value as a string. */
type WireSample = [string, Sample['labels'], number | string, number];

function encodeValue(v: number | bigint): number | string {
  if (typeof v === 'bigint') return `${v}n`;
  // JSON has no NaN or ±Infinity (they would come back as null), and writes -0 as 0.
  if (Object.is(v, -0)) return '-0';
  return Number.isFinite(v) ? v : String(v);
}

function decodeValue(v: unknown): number | bigint {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') throw new Error('bad value');
  return v.endsWith('n') ? BigInt(v.slice(0, -1)) : Number(v);
}

/** Encodes a batch of samples as one record, stamped with `at`. */
export function encodeRecord(samples: readonly Sample[], at: number): Buffer {
  const wire: WireSample[] = samples.map((s) => [s.name, s.labels, encodeValue(s.value), s.ts]);
  const json = Buffer.from(JSON.stringify(wire), 'utf8');
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + PAYLOAD_HEADER_BYTES + json.length);
  out.writeUInt32LE(PAYLOAD_HEADER_BYTES + json.length, 0);
  out.writeDoubleLE(at, RECORD_HEADER_BYTES);
  out.writeUInt32LE(samples.length, RECORD_HEADER_BYTES + 8);
  json.copy(out, RECORD_HEADER_BYTES + PAYLOAD_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(RECORD_HEADER_BYTES)), 4);
  return out;
}

/** A record read back. */
export interface SpoolRecord {
  at: number;
  samples: Sample[];
}

/** What a segment's bytes held: its whole records, and whether a torn or corrupt tail followed. */
export interface DecodedSegment {
  records: SpoolRecord[];
  /** Bytes after the last whole record that could not be read (a crash mid-write, or damage). */
  damagedBytes: number;
}

/** The time stamped on the first record of a segment, if it is whole. */
export function firstRecordTime(head: Buffer): number | undefined {
  if (head.length < RECORD_HEADER_BYTES + PAYLOAD_HEADER_BYTES) return undefined;
  return head.readDoubleLE(RECORD_HEADER_BYTES);
}

/**
 * Reads every whole record of a segment, in order. Reading stops at the first record that is
 * cut short, fails its checksum or does not parse: what follows it cannot be framed reliably.
 */
export function decodeSegment(buf: Buffer): DecodedSegment {
  const records: SpoolRecord[] = [];
  let o = 0;
  while (o + RECORD_HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32LE(o);
    const end = o + RECORD_HEADER_BYTES + len;
    if (len < PAYLOAD_HEADER_BYTES || end > buf.length) break;
    const payload = buf.subarray(o + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== buf.readUInt32LE(o + 4)) break;
    try {
      const wire = JSON.parse(payload.subarray(PAYLOAD_HEADER_BYTES).toString('utf8')) as WireSample[];
      if (!Array.isArray(wire) || wire.length !== payload.readUInt32LE(8)) break;
      records.push({
        at: payload.readDoubleLE(0),
        samples: wire.map(([name, labels, value, ts]) => ({ name, labels, value: decodeValue(value), ts })),
      });
    } catch {
      break;
    }
    o = end;
  }
  return { records, damagedBytes: buf.length - o };
}
