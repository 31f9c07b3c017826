import type { Labels } from '@ispmonitor/core';
import protobuf from 'protobufjs';
import { wireSeries } from './labels.js';
import { encodeLabels } from './proto.js';

/**
 * A series as the send path writes it: its labels already sanitised, sorted and encoded by
 * protobufjs, so a sample costs copying these bytes plus its value and timestamp.
 *
 * `bytes` holds a whole TimeSeries' head for a sample whose timestamp takes {@link TS_VARINT_BYTES}
 * bytes (every millisecond timestamp from 1971 to 2109): the TimeSeries tag and length, the Label
 * fields, the Sample tag and length and the value's tag. `labelsStart`/`labelsEnd` mark the Label
 * fields alone, for the general path (other timestamps).
 */
export interface EncodedSeries {
  readonly bytes: Uint8Array;
  readonly labelsStart: number;
  readonly labelsEnd: number;
  /** The series' hash (its name and labels, whatever their key order): picks its shard. */
  readonly hash: number;
  /** When the series was last written (clock ms): idle ones are evicted. */
  seen: number;
}

/** Varint bytes of a millisecond timestamp in [2^35, 2^42): 1971-02 to 2109-05. */
export const TS_VARINT_BYTES = 6;
const TS_FAST_MIN = 2 ** 35;
const TS_FAST_MAX = 2 ** 42;
/** A Sample's body on the fast path: value (tag + 8) and timestamp (tag + 6). */
export const SAMPLE_BYTES = 1 + 8 + 1 + TS_VARINT_BYTES;

/** Whether a timestamp takes the cached head's fast path. */
export function fastTimestamp(ts: number): boolean {
  return ts >= TS_FAST_MIN && ts < TS_FAST_MAX;
}

/** Encodes a series' head (see {@link EncodedSeries}) from its name and labels as received. */
function encodeSeries(name: string, labels: Labels, external: Labels, seen: number): EncodedSeries {
  const wire = wireSeries(name, labels, external);
  const labelBytes = encodeLabels(wire.labels);
  const w = protobuf.Writer.create();
  // TimeSeries (WriteRequest field 1), its length, the labels, Sample (field 2), its length, value tag.
  w.uint32(10).uint32(labelBytes.length + 2 + SAMPLE_BYTES);
  const labelsStart = w.len;
  w.raw(labelBytes);
  const labelsEnd = w.len;
  w.uint32(18).uint32(SAMPLE_BYTES).uint32(9);
  return { bytes: w.finish(), labelsStart, labelsEnd, hash: wire.hash, seen };
}

/** FNV-1a over a string's UTF-16 code units, from `h`. */
function fnv(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193);
  return x;
}

/**
 * One label set as samples carry it (an interface's labels, say) and its series by metric name.
 * `pairs` is a copy of the set's keys and values in the order the sample's `for…in` gave them
 * (the sample's own object may be changed after the write); the same labels in another key order
 * are another set whose series encode to the same bytes.
 */
interface LabelSet {
  readonly pairs: string[];
  readonly hash: number;
  next: LabelSet | undefined;
  readonly series: Map<string, EncodedSeries>;
}

/**
 * Whether a sample's labels are exactly a set's: the same keys with the same string values, in
 * the same order. A value that is not a string never matches (such a series is not cached).
 */
function sameLabels(set: LabelSet, labels: Labels): boolean {
  const pairs = set.pairs;
  let i = 0;
  for (const k in labels) {
    if (pairs[i] !== k || pairs[i + 1] !== labels[k]) return false;
    i += 2;
  }
  return i === pairs.length;
}

/** Bytes of one slab the cached heads are copied into. */
const SLAB_BYTES = 16 * 1024;

/**
 * Encoded series by identity (most of a fleet's series recur every poll), at most `limit` of them.
 * Two levels: label sets by a hash of their keys and values, then each set's series by metric
 * name. Samples of one label set usually come one after the other (an interface's counters and
 * gauges), so the last set found is tried first: most samples then cost comparing a few strings
 * (the same string objects poll after poll) and one lookup by name, without hashing any text.
 * Every hit compares the whole identity, so a sample is never sent under another series' labels.
 * Series not written for `idleMs` are evicted by `sweep`; when full, new series are encoded each
 * time without being kept, so memory stays bounded whatever the fleet.
 */
export class SeriesCache {
  /** Label sets by hash, chained when two hash alike. */
  readonly #sets = new Map<number, LabelSet>();
  /** The set the previous sample found. */
  #last: LabelSet | undefined;
  #size = 0;
  #lastSweep = 0;
  /**
   * Where kept heads are copied: Node's small Buffers are slices of a shared 8 KiB pool, and one
   * kept head would hold its whole pool (the encoders' scratch included) in memory.
   */
  #slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  #slabUsed = 0;

  /**
   * `hashMask` keeps only some bits of the label sets' hash: tests pass 0 so that every set
   * collides with every other, and only the comparison of their labels tells them apart.
   */
  constructor(
    private readonly external: Labels,
    private readonly limit: number,
    private readonly idleMs: number,
    private readonly hashMask = 0xffffffff,
  ) {}

  /** Series held. */
  get size(): number {
    return this.#size;
  }

  /** The encoded series of a sample, from the cache or encoded now (and kept while there is room). */
  get(name: string, labels: Labels, now: number): EncodedSeries {
    let set = this.#last;
    if (set === undefined || !sameLabels(set, labels)) {
      set = this.#findSet(labels);
      if (set === undefined) return encodeSeries(name, labels, this.external, now);
      this.#last = set;
    }
    const hit = set.series.get(name);
    if (hit !== undefined) {
      hit.seen = now;
      return hit;
    }
    const series = encodeSeries(name, labels, this.external, now);
    // A name that is not a string is encoded every time, as `String(name)`.
    if (this.#size >= this.limit || typeof name !== 'string') return series;
    const kept: EncodedSeries = { ...series, bytes: this.#keep(series.bytes) };
    set.series.set(name, kept);
    this.#size++;
    return kept;
  }

  /**
   * The set of these labels, found by hash or added; undefined when they cannot be cached (a
   * value that is not a string) or the cache is full and they are new.
   */
  #findSet(labels: Labels): LabelSet | undefined {
    let h = 0x811c9dc5;
    const pairs: string[] = [];
    for (const k in labels) {
      const v: unknown = labels[k];
      if (typeof v !== 'string') return undefined;
      // `0xff` keeps `k` and `v` apart.
      h = fnv(fnv(h, k) ^ 0xff, v);
      pairs.push(k, v);
    }
    h &= this.hashMask;
    const first = this.#sets.get(h);
    for (let s = first; s !== undefined; s = s.next) if (sameLabels(s, labels)) return s;
    if (this.#size >= this.limit) return undefined;
    const set: LabelSet = { pairs, hash: h, next: first, series: new Map() };
    this.#sets.set(h, set);
    return set;
  }

  /** A head copied into the current slab (a new one when it is full). */
  #keep(head: Uint8Array): Uint8Array {
    if (head.length > SLAB_BYTES / 4) return Uint8Array.from(head);
    if (this.#slabUsed + head.length > SLAB_BYTES) {
      this.#slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.#slabUsed = 0;
    }
    const kept = this.#slab.subarray(this.#slabUsed, this.#slabUsed + head.length);
    kept.set(head);
    this.#slabUsed += head.length;
    return kept;
  }

  /** Evicts the series not written for `idleMs`; does the walk at most once per `idleMs / 4`. */
  sweep(now: number): void {
    if (now - this.#lastSweep < this.idleMs / 4) return;
    this.#lastSweep = now;
    // A set emptied below leaves the map: the next sample must not add series to it.
    this.#last = undefined;
    const oldest = now - this.idleMs;
    for (const [h, first] of this.#sets) {
      let head: LabelSet | undefined;
      let tail: LabelSet | undefined;
      for (let s: LabelSet | undefined = first; s !== undefined; s = s.next) {
        for (const [name, series] of s.series) {
          if (series.seen < oldest) {
            s.series.delete(name);
            this.#size--;
          }
        }
        if (s.series.size === 0) continue;
        if (tail === undefined) head = s;
        else tail.next = s;
        tail = s;
      }
      if (tail !== undefined) tail.next = undefined;
      if (head === undefined) this.#sets.delete(h);
      else if (head !== first) this.#sets.set(h, head);
    }
  }
}
