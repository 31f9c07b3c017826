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
  /** The series' hash: picks its shard. */
  readonly hash: number;
  /** When the series was last written (clock ms): idle ones are evicted. */
  seen: number;
}

/** Varint bytes of a millisecond timestamp in [2^35, 2^42): 1971-02 to 2109-05. */
export const TS_VARINT_BYTES = 6;
const TS_FAST_MIN = 2 ** 35;
const TS_FAST_MAX = 2 ** 42;
/** A Sample's body on the fast path: value (tag + 8) and timestamp (tag + 6). */
const SAMPLE_BYTES = 1 + 8 + 1 + TS_VARINT_BYTES;

/** Whether a timestamp takes the cached head's fast path. */
export function fastTimestamp(ts: number): boolean {
  return ts >= TS_FAST_MIN && ts < TS_FAST_MAX;
}

/** Encodes a series' head (see {@link EncodedSeries}) from its wire labels. */
function encodeSeries(
  name: string,
  labels: Labels,
  count: number,
  external: Labels,
  seen: number,
): { entry: Entry; head: Uint8Array } {
  const wire = wireSeries(name, labels, external);
  const labelBytes = encodeLabels(wire.labels);
  const w = protobuf.Writer.create();
  // TimeSeries (WriteRequest field 1), its length, the labels, Sample (field 2), its length, value tag.
  w.uint32(10).uint32(labelBytes.length + 2 + SAMPLE_BYTES);
  const labelsStart = w.len;
  w.raw(labelBytes);
  const labelsEnd = w.len;
  w.uint32(18).uint32(SAMPLE_BYTES).uint32(9);
  const head = w.finish();
  // `labels` is replaced by a copy when the series is kept.
  const entry: Entry = {
    bytes: head,
    labelsStart,
    labelsEnd,
    hash: wire.hash,
    seen,
    name,
    labels,
    count,
    next: undefined,
  };
  return { entry, head };
}

/** FNV-1a over a string's UTF-16 code units, from `h`. */
function fnv(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193);
  return x;
}

/** A cached series with the identity it was encoded from, chained with others of the same hash. */
interface Entry extends EncodedSeries {
  bytes: Uint8Array;
  readonly name: string;
  /** A copy of the sample's labels (the sample's own object may be changed after the write). */
  labels: Labels;
  readonly count: number;
  next: Entry | undefined;
}

/** Bytes of one slab the cached heads are copied into. */
const SLAB_BYTES = 16 * 1024;

/** Whether a sample is the series of an entry: same name, same labels (any key order). */
function same(e: Entry, name: string, labels: Labels, count: number): boolean {
  if (e.name !== name || e.count !== count) return false;
  const own = e.labels;
  for (const k in labels) {
    const v = labels[k];
    if (own[k] !== v || (v === undefined && !(k in own))) return false;
  }
  return true;
}

/**
 * Encoded series by identity (most of a fleet's series recur every poll), at most `limit` of them.
 * Series not written for `idleMs` are evicted by `sweep`; when full, new series are encoded each
 * time without being kept, so memory stays bounded whatever the fleet.
 */
export class SeriesCache {
  /** By a hash of the series' identity (name, label keys and values as the sink receives them). */
  readonly #map = new Map<number, Entry>();
  #size = 0;
  #lastSweep = 0;
  /**
   * Where kept heads are copied: Node's small Buffers are slices of a shared 8 KiB pool, and one
   * kept head would hold its whole pool (the encoders' scratch included) in memory.
   */
  #slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  #slabUsed = 0;

  constructor(
    private readonly external: Labels,
    private readonly limit: number,
    private readonly idleMs: number,
  ) {}

  /** Series held. */
  get size(): number {
    return this.#size;
  }

  /** The encoded series of a sample, from the cache or encoded now (and kept while there is room). */
  get(name: string, labels: Labels, now: number): EncodedSeries {
    let h = fnv(0x811c9dc5, name);
    let count = 0;
    for (const k in labels) {
      const v = labels[k];
      // Keyed by what the sample carries; `0xff` keeps `k` and `v` apart.
      h = fnv(fnv(h, k) ^ 0xff, typeof v === 'string' ? v : String(v));
      count++;
    }
    const first = this.#map.get(h);
    for (let e = first; e !== undefined; e = e.next) {
      if (same(e, name, labels, count)) {
        e.seen = now;
        return e;
      }
    }
    const { entry, head } = encodeSeries(name, labels, count, this.external, now);
    if (this.#size < this.limit) {
      entry.bytes = this.#keep(head);
      entry.labels = { ...labels };
      entry.next = first;
      this.#map.set(h, entry);
      this.#size++;
    }
    return entry;
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
    const oldest = now - this.idleMs;
    for (const [h, first] of this.#map) {
      let head: Entry | undefined;
      let tail: Entry | undefined;
      for (let e: Entry | undefined = first; e !== undefined; e = e.next) {
        if (e.seen < oldest) {
          this.#size--;
          continue;
        }
        if (tail === undefined) head = e;
        else tail.next = e;
        tail = e;
      }
      if (tail !== undefined) tail.next = undefined;
      if (head === undefined) this.#map.delete(h);
      else if (head !== first) this.#map.set(h, head);
    }
  }
}
