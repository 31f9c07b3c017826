/**
 * What crosses between the poller's main thread and its workers, as one transferable buffer per
 * message (`postMessage` moves it: no copy, no structured clone of thousands of small objects).
 *
 * Poll outcomes (worker → main thread, the hot path: ~300 samples a poll) are binary, so neither
 * side makes JSON text or parses numbers for them:
 *
 *   header    u32 × 10  MAGIC, flags, outcomes O, samples S, label sets L, label pairs P,
 *                       strings T, string bytes B, meta bytes M, 0
 *   values    f64 × S   a sample's value; a bigint's 64 bits in the same slot (see kinds)
 *   times     f64 × S   a sample's timestamp
 *   names     u32 × S   a sample's name (string index)
 *   labels    u32 × S   a sample's label set (label set index)
 *   counts    u32 × O   samples of each outcome, in order
 *   sets      u32 × L+1 label set i is pairs sets[i] … sets[i+1]-1
 *   pairs     u32 × 2P  key, value (string indexes), in the labels object's key order
 *   offsets   u32 × T+1 string i is bytes offsets[i] … offsets[i+1]-1 of the text
 *   kinds     u8  × S   NUMBER (f64), U64 / I64 (a bigint within 64 bits, unsigned / signed),
 *                       BIG_TEXT (any other bigint: the slot holds the index of its decimal text)
 *   text      u8  × B   the batch's distinct strings, UTF-8, each once
 *   meta      u8  × M   UTF-8 JSON: [seq, outcome without its samples] per outcome — status,
 *                       error, timings, facts and part errors (see `encodeJson`)
 *
 * Everything is little-endian (the platform's: the buffer never leaves the process), and every
 * section starts where the previous one ended (f64 sections first, so all are aligned).
 *
 * Label sets are kept by identity: each labels object of the batch is written once, and samples
 * that shared one object before share one object after (a driver gives all samples of one
 * interface the same labels object, and code downstream — label stamping, series lookups — does
 * its work once per object).
 *
 * Facts stay JSON: they are irregular (nested, optional, vendor-specific) and a binary form would
 * need a schema per fact kind. They are not rare — the SNMP driver sends system, interfaces and
 * ARP facts with every poll — and now cost more than the samples: bench/worker-codec.mjs (a
 * simulated router's poll, 317 samples) with and without its facts: buffer 15.0 / 8.9 KB, worker
 * heap 26-27 / 10 KB, main-thread heap 48 / 34 KB, decoding 29 / 8 us. Poll requests (main →
 * worker: seq, device id, the device's definition when it changed) are JSON too (`encodeJson`):
 * few bytes a poll.
 */
import type { Labels, Sample } from '../types.js';
import type { OutcomeBatch } from './protocol.js';

const BIG = '$big';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ─── JSON in a buffer (requests, and the meta section of outcomes) ────────────────────────────

/** `value` as JSON text; bigints (which JSON cannot carry) as `{"$big":"…"}`, flagged. */
function toJson(value: unknown): { text: string; big: boolean } {
  try {
    // V8's fast path: no replacer. A bigint throws, and only then is the value encoded again
    // with one (bigints in facts are rare).
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

function fromJson(text: string, big: boolean): unknown {
  const value = JSON.parse(text) as unknown;
  return big ? revive(value) : value;
}

/** Encodes a value as JSON (bigints exact); the buffer is the one to list in the transfer list. */
export function encodeJson(value: unknown): ArrayBuffer {
  const { text, big } = toJson(value);
  // One byte flag in front: whether to look for bigints on the way back.
  const out = new Uint8Array(Buffer.byteLength(text) + 1);
  out[0] = big ? 1 : 0;
  encoder.encodeInto(text, out.subarray(1));
  return out.buffer;
}

/** Decodes what `encodeJson` made. */
export function decodeJson<T>(buffer: ArrayBuffer): T {
  const bytes = new Uint8Array(buffer);
  return fromJson(decoder.decode(bytes.subarray(1)), bytes[0] === 1) as T;
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

// ─── Poll outcomes, binary ───────────────────────────────────────────────────────────────────

const MAGIC = 0x4f575049; // "IPWO"
const HEADER_WORDS = 10;
/** Header flag: the meta JSON holds bigints (`{"$big":"…"}`). */
const META_BIG = 1;

const NUMBER = 0;
const U64 = 1;
const I64 = 2;
const BIG_TEXT = 3;
const U64_END = 1n << 64n;
const I64_MIN = -(1n << 63n);

/** The layout of a batch from its header: where each section starts (in bytes). */
function layout(S: number, O: number, L: number, P: number, T: number) {
  const values = HEADER_WORDS * 4;
  const times = values + S * 8;
  const names = times + S * 8;
  const labels = names + S * 4;
  const counts = labels + S * 4;
  const sets = counts + O * 4;
  const pairs = sets + (L + 1) * 4;
  const offsets = pairs + P * 8;
  const kinds = offsets + (T + 1) * 4;
  const text = kinds + S;
  return { values, times, names, labels, counts, sets, pairs, offsets, kinds, text };
}

/** Encodes a batch of outcomes; the buffer is the one to list in `postMessage`'s transfer list. */
export function encodeOutcomes(batch: OutcomeBatch): ArrayBuffer {
  // Pass 1: strings, label sets and counts; the meta of each outcome (all but its samples).
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  // Where each string ends in the text, in bytes.
  const ends: number[] = [];
  let textBytes = 0;
  const intern = (s: string): number => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      stringIndex.set(s, i);
      textBytes += Buffer.byteLength(s);
      ends.push(textBytes);
    }
    return i;
  };
  const setIndex = new Map<Labels, number>();
  const pairs: number[] = [];
  const setStarts: number[] = [0];
  const meta: unknown[] = new Array(batch.length);
  let S = 0;
  for (let o = 0; o < batch.length; o++) {
    const [seq, outcome] = batch[o] as OutcomeBatch[number];
    const result = outcome.result;
    if (result) {
      S += result.samples.length;
      meta[o] = [seq, { ...outcome, result: { ...result, samples: undefined } }];
    } else meta[o] = [seq, outcome];
  }
  const sampleNames = new Uint32Array(S);
  const sampleSets = new Uint32Array(S);
  // Bigints that do not fit 64 bits travel as decimal text (sample → its string index).
  const bigText = new Map<number, number>();
  for (let o = 0, j = 0; o < batch.length; o++) {
    const samples = (batch[o] as OutcomeBatch[number])[1].result?.samples;
    if (!samples) continue;
    for (let i = 0; i < samples.length; i++, j++) {
      const s = samples[i] as Sample;
      // Not a Sample's type, but a driver's bug must not lose the batch: as text.
      sampleNames[j] = intern(typeof s.name === 'string' ? s.name : String(s.name));
      const v = s.value;
      if (typeof v === 'bigint' && (v < I64_MIN || v >= U64_END)) bigText.set(j, intern(v.toString()));
      let l = setIndex.get(s.labels);
      if (l === undefined) {
        l = setIndex.size;
        setIndex.set(s.labels, l);
        for (const key in s.labels) {
          const value = s.labels[key];
          // As JSON did: a key whose value is undefined is left out.
          if (value === undefined) continue;
          pairs.push(intern(key), intern(typeof value === 'string' ? value : String(value)));
        }
        setStarts.push(pairs.length >> 1);
      }
      sampleSets[j] = l;
    }
  }
  const { text: metaText, big } = toJson(meta);
  const metaBytes = Buffer.byteLength(metaText);

  // Pass 2: the buffer.
  const O = batch.length;
  const L = setIndex.size;
  const P = pairs.length >> 1;
  const T = strings.length;
  const at = layout(S, O, L, P, T);
  const buffer = new ArrayBuffer(at.text + textBytes + metaBytes);
  const header = new Uint32Array(buffer, 0, HEADER_WORDS);
  header[0] = MAGIC;
  header[1] = big ? META_BIG : 0;
  header[2] = O;
  header[3] = S;
  header[4] = L;
  header[5] = P;
  header[6] = T;
  header[7] = textBytes;
  header[8] = metaBytes;
  const values = new Float64Array(buffer, at.values, S);
  const valuesU64 = new BigUint64Array(buffer, at.values, S);
  const valuesI64 = new BigInt64Array(buffer, at.values, S);
  const times = new Float64Array(buffer, at.times, S);
  const counts = new Uint32Array(buffer, at.counts, O);
  const kinds = new Uint8Array(buffer, at.kinds, S);
  new Uint32Array(buffer, at.names, S).set(sampleNames);
  new Uint32Array(buffer, at.labels, S).set(sampleSets);
  const setsOut = new Uint32Array(buffer, at.sets, L + 1);
  for (let l = 0; l <= L; l++) setsOut[l] = setStarts[l] as number;
  const pairsOut = new Uint32Array(buffer, at.pairs, P * 2);
  for (let p = 0; p < P * 2; p++) pairsOut[p] = pairs[p] as number;
  const offsets = new Uint32Array(buffer, at.offsets, T + 1);
  for (let t = 0; t < T; t++) offsets[t + 1] = ends[t] as number;
  for (let o = 0, j = 0; o < O; o++) {
    const samples = (batch[o] as OutcomeBatch[number])[1].result?.samples;
    if (!samples) continue;
    counts[o] = samples.length;
    for (let i = 0; i < samples.length; i++, j++) {
      const s = samples[i] as Sample;
      const v = s.value;
      times[j] = s.ts;
      if (typeof v === 'number') values[j] = v;
      else if (typeof v !== 'bigint')
        values[j] = Number(v); // not a Sample's type: as a number
      else if (v >= 0n && v < U64_END) {
        kinds[j] = U64;
        valuesU64[j] = v;
      } else if (v < 0n && v >= I64_MIN) {
        kinds[j] = I64;
        valuesI64[j] = v;
      } else {
        kinds[j] = BIG_TEXT;
        values[j] = bigText.get(j) as number;
      }
    }
  }
  // The strings in one go (their byte lengths are known) — unless a string ending in a lone high
  // surrogate met one starting with a lone low surrogate: joined, they made one character, so
  // each is written on its own (each lone surrogate as U+FFFD). Then the meta.
  const bytes = new Uint8Array(buffer, at.text);
  if (encoder.encodeInto(strings.join(''), bytes).written !== textBytes) {
    for (let t = 0; t < T; t++) encoder.encodeInto(strings[t] as string, bytes.subarray(offsets[t]));
  }
  encoder.encodeInto(metaText, bytes.subarray(textBytes));
  return buffer;
}

/** Decodes what `encodeOutcomes` made. */
export function decodeOutcomes(buffer: ArrayBuffer): OutcomeBatch {
  const header = new Uint32Array(buffer, 0, Math.min(HEADER_WORDS, buffer.byteLength >> 2));
  const [magic, flags = 0, O = 0, S = 0, L = 0, P = 0, T = 0, textBytes = 0, metaBytes = 0] = header;
  if (magic !== MAGIC || header.length < HEADER_WORDS) throw new Error('not a batch of poll outcomes');
  const at = layout(S, O, L, P, T);
  const bytes = Buffer.from(buffer);
  const offsets = new Uint32Array(buffer, at.offsets, T + 1);
  const strings: string[] = new Array(T);
  for (let t = 0; t < T; t++)
    strings[t] = bytes.toString(
      'utf8',
      at.text + (offsets[t] as number),
      at.text + (offsets[t + 1] as number),
    );
  const setStarts = new Uint32Array(buffer, at.sets, L + 1);
  const pairs = new Uint32Array(buffer, at.pairs, P * 2);
  const sets: Labels[] = new Array(L);
  for (let l = 0; l < L; l++) {
    const labels: Labels = {};
    for (let p = setStarts[l] as number, end = setStarts[l + 1] as number; p < end; p++)
      labels[strings[pairs[2 * p] as number] as string] = strings[pairs[2 * p + 1] as number] as string;
    sets[l] = labels;
  }
  const metaStart = at.text + textBytes;
  const batch = fromJson(
    bytes.toString('utf8', metaStart, metaStart + metaBytes),
    (flags & META_BIG) !== 0,
  ) as OutcomeBatch;
  const values = new Float64Array(buffer, at.values, S);
  const valuesU64 = new BigUint64Array(buffer, at.values, S);
  const valuesI64 = new BigInt64Array(buffer, at.values, S);
  const times = new Float64Array(buffer, at.times, S);
  const names = new Uint32Array(buffer, at.names, S);
  const labels = new Uint32Array(buffer, at.labels, S);
  const counts = new Uint32Array(buffer, at.counts, O);
  const kinds = new Uint8Array(buffer, at.kinds, S);
  for (let o = 0, j = 0; o < O; o++) {
    const result = (batch[o] as OutcomeBatch[number])[1].result;
    if (!result) continue;
    const samples: Sample[] = new Array(counts[o]);
    for (let i = 0; i < samples.length; i++, j++) {
      const kind = kinds[j];
      samples[i] = {
        name: strings[names[j] as number] as string,
        labels: sets[labels[j] as number] as Labels,
        value:
          kind === NUMBER
            ? (values[j] as number)
            : kind === U64
              ? (valuesU64[j] as bigint)
              : kind === I64
                ? (valuesI64[j] as bigint)
                : BigInt(strings[values[j] as number] as string),
        ts: times[j] as number,
      };
    }
    result.samples = samples;
  }
  return batch;
}
