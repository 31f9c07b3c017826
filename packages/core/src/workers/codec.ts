/**
 * Batches between the main thread and a worker as one transferable buffer each (`postMessage`
 * moves it: no copy, no structured clone of thousands of small objects).
 *
 * Two formats, told apart by the first byte:
 * - JSON (`encodeBatch`), for requests and anything small: UTF-8 JSON after a flag byte. Values
 *   beyond JSON (`bigint`) travel as `{"$big":"…"}` and are turned back on arrival, with a walk of
 *   the batch only when one was seen.
 * - Columnar (`encodeOutcomes`), for poll outcomes, whose samples are most of the traffic (~300 a
 *   router poll): every distinct name, label key, label value and non-number value is written
 *   once per batch in a table; a sample is then a few `Uint32` ids (name, label pairs) and two
 *   `Float64` (value, ts). The outcomes themselves, sample arrays replaced by their length, and
 *   the table ride as JSON behind the columns. Measured against one JSON document per batch
 *   (`node --cpu-prof`, 3,000 routers, two workers): that JSON's parse and UTF-8 decode, then the
 *   per-sample arrays turned into objects, were about half the main thread's busy time; decoding
 *   the columns builds each sample object once and shares the label strings between samples.
 */
import type { PollOutcome } from '../scheduler/run-poll.js';
import type { Sample } from '../types.js';

const BIG = '$big';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** First byte of a buffer: JSON without a bigint, JSON with one, columnar outcomes. */
const JSON_PLAIN = 0;
const JSON_BIG = 1;
const COLUMNAR = 2;

/** Columnar header: format, bigint flag, then Float64 count, Uint32 count, JSON bytes (u32 each). */
const HEADER = 16;

/** Encodes a value as JSON; the buffer is the one to list in `postMessage`'s transfer list. */
export function encodeBatch(value: unknown): ArrayBuffer {
  const { text, big } = stringify(value);
  const out = new Uint8Array(1 + 3 * text.length);
  out[0] = big ? JSON_BIG : JSON_PLAIN;
  const { written } = encoder.encodeInto(text, out.subarray(1));
  return out.buffer.slice(0, 1 + written);
}

/** Decodes what `encodeBatch` or `encodeOutcomes` made. */
export function decodeBatch<T>(buffer: ArrayBuffer): T {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] === COLUMNAR) return decodeOutcomes(buffer) as T;
  return parse(bytes.subarray(1), bytes[0] === JSON_BIG) as T;
}

/** One poll's outcome and the sequence number of its request. */
export type SeqOutcome = [number, PollOutcome];

// The encoder's columns, reused from batch to batch (grown by doubling, never shrunk: a worker
// sends batches of similar size all day).
let f64 = new Float64Array(4096);
let nf = 0;
let u32 = new Uint32Array(16384);
let ni = 0;
const ids = new Map<unknown, number>();
let table: unknown[] = [];

function pushF(v: number): void {
  if (nf === f64.length) f64 = grown(f64, new Float64Array(nf * 2));
  f64[nf++] = v;
}

function pushU(v: number): void {
  if (ni === u32.length) u32 = grown(u32, new Uint32Array(ni * 2));
  u32[ni++] = v;
}

/** `into`, twice the size, holding what `full` held. */
function grown<T extends Float64Array | Uint32Array>(full: T, into: T): T {
  into.set(full);
  return into;
}

/** The table id of a value (a string, mostly; compared as `Map` keys compare). */
function idOf(v: unknown): number {
  let id = ids.get(v);
  if (id === undefined) {
    id = table.length;
    table.push(v);
    ids.set(v, id);
  }
  return id;
}

/**
 * Encodes poll outcomes; samples are written to the columns, everything else as JSON. What a
 * sample carries is kept exactly: label values and non-number values (a `bigint` counter beyond
 * 2^53, or whatever a driver put there) go through the table as JSON values; a label whose value
 * is `undefined` is left out, as JSON leaves it out.
 */
export function encodeOutcomes(batch: readonly SeqOutcome[]): ArrayBuffer {
  nf = 0;
  ni = 0;
  ids.clear();
  table = [];
  const outcomes: SeqOutcome[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const [seq, outcome] = batch[i] as SeqOutcome;
    const result = outcome.result;
    if (!result) {
      outcomes[i] = [seq, outcome];
      continue;
    }
    const samples = result.samples;
    for (let k = 0; k < samples.length; k++) writeSample(samples[k] as Sample);
    // The sample array travels as its length: the decoder reads that many from the columns.
    outcomes[i] = [seq, { ...outcome, result: { ...result, samples: samples.length as never } }];
  }
  const { text, big } = stringify([outcomes, table]);
  table = [];
  ids.clear();
  const jsonAt = HEADER + 8 * nf + 4 * ni;
  const out = new ArrayBuffer(jsonAt + 3 * text.length);
  const bytes = new Uint8Array(out);
  const { written } = encoder.encodeInto(text, bytes.subarray(jsonAt));
  bytes[0] = COLUMNAR;
  bytes[1] = big ? 1 : 0;
  const head = new Uint32Array(out, 4, 3);
  head[0] = nf;
  head[1] = ni;
  head[2] = written;
  new Float64Array(out, HEADER, nf).set(f64.subarray(0, nf));
  new Uint32Array(out, HEADER + 8 * nf, ni).set(u32.subarray(0, ni));
  // Transferred whole: the unused tail of the worst-case UTF-8 room goes with it (and is freed
  // with it), which costs less than copying the batch once more to trim it.
  return out;
}

/** A sample: name id, `labels << 1 | (value is not a number)`, label pairs, value id; f64 value, ts. */
function writeSample(s: Sample): void {
  pushU(idOf(s.name));
  const headAt = ni;
  pushU(0);
  let count = 0;
  const labels = s.labels;
  for (const k in labels) {
    const v = labels[k];
    if (v === undefined) continue;
    pushU(idOf(k));
    pushU(idOf(v));
    count++;
  }
  const value = s.value;
  if (typeof value === 'number') {
    u32[headAt] = count << 1;
    pushF(value);
  } else {
    u32[headAt] = (count << 1) | 1;
    pushU(idOf(value));
  }
  pushF(s.ts);
}

/** Decodes what `encodeOutcomes` made: outcomes with their samples as `Sample` objects. */
export function decodeOutcomes(buffer: ArrayBuffer): SeqOutcome[] {
  const head = new Uint32Array(buffer, 4, 3);
  const nF = head[0] as number;
  const nI = head[1] as number;
  const f = new Float64Array(buffer, HEADER, nF);
  const u = new Uint32Array(buffer, HEADER + 8 * nF, nI);
  const jsonAt = HEADER + 8 * nF + 4 * nI;
  const big = new Uint8Array(buffer, 1, 1)[0] === 1;
  const [outcomes, t] = parse(new Uint8Array(buffer, jsonAt, head[2]), big) as [SeqOutcome[], unknown[]];
  let fi = 0;
  let ii = 0;
  for (const [, outcome] of outcomes) {
    const result = outcome.result;
    if (!result) continue;
    const n = result.samples as unknown as number;
    const samples: Sample[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const name = t[u[ii++] as number] as string;
      const h = u[ii++] as number;
      const labels: Sample['labels'] = {};
      for (let c = h >>> 1; c > 0; c--) {
        const key = t[u[ii++] as number] as string;
        labels[key] = t[u[ii++] as number] as string;
      }
      const value = h & 1 ? (t[u[ii++] as number] as number | bigint) : (f[fi++] as number);
      samples[k] = { name, labels, value, ts: f[fi++] as number };
    }
    result.samples = samples;
  }
  return outcomes;
}

function stringify(value: unknown): { text: string; big: boolean } {
  try {
    // V8's fast path: no replacer. A bigint throws, and only then is the value encoded again
    // with one (counters beyond 2^53 are rare).
    return { text: JSON.stringify(value), big: false };
  } catch {
    let big = false;
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      big = true;
      return { [BIG]: v.toString() };
    });
    return { text, big };
  }
}

function parse(bytes: Uint8Array, big: boolean): unknown {
  const value = JSON.parse(decoder.decode(bytes)) as unknown;
  return big ? revive(value) : value;
}

function revive(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  const big = o[BIG];
  if (typeof big === 'string' && Object.keys(o).length === 1) return BigInt(big);
  for (const k of Object.keys(o)) o[k] = revive(o[k]);
  return o;
}

/**
 * Samples as the pool's `#settle` receives them: already `Sample` objects (the columnar decoder
 * builds them), so this returns its argument. Kept so the pool compiles unchanged until it calls
 * `decodeOutcomes` itself.
 */
export function unpackSamples(samples: readonly Sample[]): Sample[] {
  return samples as Sample[];
}
