/**
 * Reads snmpsim's `.snmprec` format (`OID|TAG|VALUE`, one object per line) into a MIB view, so
 * the fleet can serve any recording it is pointed at, exactly as recorded. Tags are the BER tag
 * in decimal; a trailing `x` means the value is hex (`4x|436973…`). Variation-module tags
 * (`2:numeric|…`) are dynamic in snmpsim and are skipped here, with the reason reported.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BerError, encodeLength, encodeSignedContent, encodeUnsignedContent, Tag } from './snmp/ber.js';
import { type EntryInput, MibView } from './snmp/mib.js';
import { ipAddress, NULL_VALUE, objectId, octets } from './snmp/values.js';

/** A line that could not be served, and why. */
export interface SkippedLine {
  line: number;
  reason: string;
}

/** A parsed recording. */
export interface Recording<C = unknown> {
  /** File name without `.snmprec`: snmpsim uses it as the community. */
  name: string;
  view: MibView<C>;
  skipped: SkippedLine[];
}

function raw(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

function unsigned(tag: number, text: string, bits: 32 | 64): Buffer {
  if (!/^\d+$/.test(text)) throw new BerError(`not an unsigned number: "${text}"`);
  const v = BigInt(text);
  if (v >= 1n << BigInt(bits)) throw new BerError(`out of range for ${bits} bits: ${text}`);
  return raw(tag, encodeUnsignedContent(v));
}

function hex(text: string): Buffer {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new BerError('bad hex value');
  return Buffer.from(text, 'hex');
}

/** Encodes one recorded value as its TLV. Exported for tests. */
export function encodeRecorded(tagText: string, value: string): Buffer {
  const isHex = tagText.endsWith('x');
  const tag = Number(isHex ? tagText.slice(0, -1) : tagText);
  if (!/^\d+x?$/.test(tagText))
    throw new BerError(`unsupported tag "${tagText}" (variation modules are not served)`);
  switch (tag) {
    case Tag.Integer:
      if (!/^-?\d+$/.test(value)) throw new BerError(`not an integer: "${value}"`);
      return raw(Tag.Integer, encodeSignedContent(BigInt(value)));
    case Tag.OctetString:
      return octets(isHex ? hex(value) : Buffer.from(value, 'utf8'));
    case Tag.Null:
      return NULL_VALUE;
    case Tag.Oid:
      return objectId(value);
    case Tag.IpAddress:
      return isHex ? raw(Tag.IpAddress, hex(value)) : ipAddress(value);
    case Tag.Counter32:
    case Tag.Gauge32:
    case Tag.TimeTicks:
      return isHex ? raw(tag, hex(value)) : unsigned(tag, value, 32);
    case Tag.Counter64:
      return isHex ? raw(tag, hex(value)) : unsigned(tag, value, 64);
    case Tag.Opaque:
      return raw(Tag.Opaque, isHex ? hex(value) : Buffer.from(value, 'utf8'));
    default:
      throw new BerError(`unknown tag ${tagText}`);
  }
}

/** Parses the text of a recording. Bad lines are skipped and listed, never fatal. */
export function parseSnmprec<C = unknown>(text: string, name = 'recording'): Recording<C> {
  const inputs: EntryInput<C>[] = [];
  const skipped: SkippedLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    // The value may itself contain '|': split on the first two only.
    const a = line.indexOf('|');
    const b = a < 0 ? -1 : line.indexOf('|', a + 1);
    if (b < 0) {
      skipped.push({ line: i + 1, reason: 'not OID|TAG|VALUE' });
      continue;
    }
    try {
      inputs.push({ oid: line.slice(0, a), value: encodeRecorded(line.slice(a + 1, b), line.slice(b + 1)) });
    } catch (err) {
      skipped.push({ line: i + 1, reason: (err as Error).message });
    }
  }
  return { name, view: new MibView(inputs), skipped };
}

/** Reads and parses a `.snmprec` file; its community is the file name without extension. */
export async function loadSnmprec<C = unknown>(path: string): Promise<Recording<C>> {
  return parseSnmprec<C>(await readFile(path, 'utf8'), basename(path).replace(/\.snmprec$/, ''));
}
