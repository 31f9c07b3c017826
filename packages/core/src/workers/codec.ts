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

/**
 * Writes poll outcomes into columns as they finish (`add`), so that a worker keeps no sample
 * object alive while its batch waits to be sent — held for the batch's 50 ms, they outlived a
 * young-generation collection or two and were promoted, each then costing a major collection —
 * and `take`s the batch as one buffer. Its columns are reused from batch to batch (grown by
 * doubling, never shrunk: a worker sends batches of similar size all day).
 *
 * What a sample carries is kept exactly: label values and non-number values (a `bigint` counter
 * beyond 2^53, or whatever a driver put there) go through the table as JSON values; a label
 * whose value is `undefined` is left out, as JSON leaves it out.
 */
export class OutcomeWriter {
  #f64 = new Float64Array(4096);
  #nf = 0;
  #u32 = new Uint32Array(16384);
  #ni = 0;
  readonly #ids = new Map<unknown, number>();
  #table: unknown[] = [];
  #outcomes: SeqOutcome[] = [];
  /** Samples written since the last `take`. */
  samples = 0;

  /** Outcomes written since the last `take`. */
  get size(): number {
    return this.#outcomes.length;
  }

  /** Writes one outcome; its samples go to the columns at once. */
  add(seq: number, outcome: PollOutcome): void {
    const result = outcome.result;
    if (!result) {
      this.#outcomes.push([seq, outcome]);
      return;
    }
    const samples = result.samples;
    for (let k = 0; k < samples.length; k++) this.#writeSample(samples[k] as Sample);
    this.samples += samples.length;
    // The sample array travels as its length: the decoder reads that many from the columns.
    this.#outcomes.push([seq, { ...outcome, result: { ...result, samples: samples.length as never } }]);
  }

  /** The outcomes written so far as one transferable buffer; the writer starts over. */
  take(): ArrayBuffer {
    const nf = this.#nf;
    const ni = this.#ni;
    const { text, big } = stringify([this.#outcomes, this.#table]);
    this.#outcomes = [];
    this.#table = [];
    this.#ids.clear();
    this.#nf = 0;
    this.#ni = 0;
    this.samples = 0;
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
    new Float64Array(out, HEADER, nf).set(this.#f64.subarray(0, nf));
    new Uint32Array(out, HEADER + 8 * nf, ni).set(this.#u32.subarray(0, ni));
    // Transferred whole: the unused tail of the worst-case UTF-8 room goes with it (and is freed
    // with it), which costs less than copying the batch once more to trim it.
    return out;
  }

  #pushF(v: number): void {
    if (this.#nf === this.#f64.length) this.#f64 = grown(this.#f64, new Float64Array(this.#nf * 2));
    this.#f64[this.#nf++] = v;
  }

  #pushU(v: number): void {
    if (this.#ni === this.#u32.length) this.#u32 = grown(this.#u32, new Uint32Array(this.#ni * 2));
    this.#u32[this.#ni++] = v;
  }

  /** The table id of a value (a string, mostly; compared as `Map` keys compare). */
  #idOf(v: unknown): number {
    let id = this.#ids.get(v);
    if (id === undefined) {
      id = this.#table.length;
      this.#table.push(v);
      this.#ids.set(v, id);
    }
    return id;
  }

  /** A sample: name id, `labels << 1 | (value is not a number)`, label pairs, value id; f64 value, ts. */
  #writeSample(s: Sample): void {
    this.#pushU(this.#idOf(s.name));
    const headAt = this.#ni;
    this.#pushU(0);
    let count = 0;
    const labels = s.labels;
    for (const k in labels) {
      const v = labels[k];
      if (v === undefined) continue;
      this.#pushU(this.#idOf(k));
      this.#pushU(this.#idOf(v));
      count++;
    }
    const value = s.value;
    if (typeof value === 'number') {
      this.#u32[headAt] = count << 1;
      this.#pushF(value);
    } else {
      this.#u32[headAt] = (count << 1) | 1;
      this.#pushU(this.#idOf(value));
    }
    this.#pushF(s.ts);
  }
}

/** `into`, twice the size, holding what `full` held. */
function grown<T extends Float64Array | Uint32Array>(full: T, into: T): T {
  into.set(full);
  return into;
}

const shared = new OutcomeWriter();

/** Encodes a batch of poll outcomes at once (`OutcomeWriter` for one by one). */
export function encodeOutcomes(batch: readonly SeqOutcome[]): ArrayBuffer {
  for (const [seq, outcome] of batch) shared.add(seq, outcome);
  return shared.take();
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
