/**
 * A MIB view: the OIDs one simulated device answers, sorted in lexicographic order, each with its
 * OID TLV pre-encoded. Static values are stored as complete varbinds, so answering them is a
 * buffer copy; dynamic values (counters, uptime, CPU) are encoded per request from the context.
 *
 * A view is built once per profile and shared by every device of that profile: per-device state
 * lives in the context the agent passes to value functions, which keeps 10,000 devices cheap.
 */
import { BerError, compareOids, encodeLength, encodeOidContent, parseOid, Tag } from './ber.js';

/** Produces a value TLV for one request; `undefined` answers noSuchInstance. */
export type ValueFn<C> = (ctx: C) => Buffer | undefined;

/** One object instance of the view. */
export interface MibEntry<C> {
  readonly oid: readonly number[];
  /** The OID TLV (tag 0x06, length, content). */
  readonly name: Buffer;
  /** The value's BER tag (SNMPv1 skips Counter64 entries). */
  readonly type: number;
  /** Complete varbind (SEQUENCE of name and value) for a static value, or a value function. */
  readonly value: Buffer | ValueFn<C>;
}

/** What a profile or a recording adds: an OID and its value TLV or value function. */
export interface EntryInput<C> {
  oid: string | readonly number[];
  /** BER tag of the value; required for functions, read from the buffer otherwise. */
  type?: number;
  value: Buffer | ValueFn<C>;
}

/** Encodes the OID TLV of a varbind name. */
export function encodeName(oid: readonly number[]): Buffer {
  const content = encodeOidContent(oid);
  return Buffer.concat([Buffer.from([Tag.Oid]), encodeLength(content.length), content]);
}

/** Joins a name TLV and a value TLV into one varbind. */
export function varbind(name: Buffer, value: Buffer): Buffer {
  const len = name.length + value.length;
  if (len >= 0x80) return Buffer.concat([Buffer.from([Tag.Sequence]), encodeLength(len), name, value]);
  // Short varbinds (nearly all): one allocation, two copies.
  const out = Buffer.allocUnsafe(2 + len);
  out[0] = Tag.Sequence;
  out[1] = len;
  name.copy(out, 2);
  value.copy(out, 2 + name.length);
  return out;
}

/** An immutable, sorted set of entries with OID lookups. */
export class MibView<C> {
  readonly entries: readonly MibEntry<C>[];

  /** Sorts the inputs; a duplicate OID keeps the last one given (so overlays can override). */
  constructor(inputs: Iterable<EntryInput<C>>) {
    const byKey = new Map<string, MibEntry<C>>();
    for (const input of inputs) {
      const oid = typeof input.oid === 'string' ? parseOid(input.oid) : [...input.oid];
      const name = encodeName(oid);
      let type = input.type;
      let value: Buffer | ValueFn<C> = input.value;
      if (Buffer.isBuffer(value)) {
        type ??= value[0]!;
        value = varbind(name, value);
      } else if (type === undefined) {
        throw new BerError(`entry ${oid.join('.')} has a value function but no type`);
      }
      byKey.set(oid.join('.'), { oid, name, type, value });
    }
    this.entries = [...byKey.values()].sort((a, b) => compareOids(a.oid, b.oid));
  }

  /** Number of object instances. */
  get size(): number {
    return this.entries.length;
  }

  /** Index of the first entry whose OID is ≥ `oid` (or `size`). */
  lowerBound(oid: readonly number[]): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareOids(this.entries[mid]!.oid, oid) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the entry with exactly this OID, or -1. */
  indexOf(oid: readonly number[]): number {
    const i = this.lowerBound(oid);
    const e = this.entries[i];
    return e && compareOids(e.oid, oid) === 0 ? i : -1;
  }

  /** Index of the first entry strictly after `oid` (the GetNext successor), or `size`. */
  nextIndex(oid: readonly number[]): number {
    const i = this.lowerBound(oid);
    const e = this.entries[i];
    return e && compareOids(e.oid, oid) === 0 ? i + 1 : i;
  }

  /**
   * Whether `oid` names an instance of an object the view knows (so a Get answers
   * noSuchInstance rather than noSuchObject): some entry shares every arc but the last.
   */
  knowsObjectOf(oid: readonly number[]): boolean {
    if (oid.length < 2) return false;
    const parent = oid.slice(0, -1);
    const i = this.lowerBound(parent);
    const e = this.entries[i];
    return !!e && e.oid.length > parent.length && compareOids(e.oid.slice(0, parent.length), parent) === 0;
  }
}
