/**
 * Batches between the main thread and a worker as one transferable buffer each: UTF-8 JSON in an
 * ArrayBuffer that `postMessage` moves (no copy, no structured clone of thousands of small
 * objects). A poll's samples ride packed (`PackedSamples`: names and label sets once, numbers flat).
 * Counters beyond 2^53 are `bigint`s, which JSON cannot carry: they travel as `{"$big":"…"}` and
 * are turned back on arrival, with a walk of the batch only when one was seen.
 */
import type { Sample } from '../types.js';

const BIG = '$big';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a value; the buffer is the one to list in `postMessage`'s transfer list. */
export function encodeBatch(value: unknown): ArrayBuffer {
  let big = false;
  let text: string;
  try {
    // V8's fast path: no replacer. A bigint throws, and only then is the batch encoded again
    // with one (counters beyond 2^53 are rare).
    text = JSON.stringify(value);
  } catch {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      big = true;
      return { [BIG]: v.toString() };
    });
  }
  // One byte flag in front: whether to look for bigints on the way back.
  const body = encoder.encode(text);
  const out = new Uint8Array(body.length + 1);
  out[0] = big ? 1 : 0;
  out.set(body, 1);
  return out.buffer;
}

/** Decodes what `encodeBatch` made. */
export function decodeBatch<T>(buffer: ArrayBuffer): T {
  const bytes = new Uint8Array(buffer);
  const value = JSON.parse(decoder.decode(bytes.subarray(1))) as unknown;
  return (bytes[0] === 1 ? revive(value) : value) as T;
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
 * A poll's samples as they travel: each distinct name and each distinct labels object once
 * (`n`, `l`; labels by identity, so the sharing the driver made — one labels object for all of an
 * interface's samples — comes out the same), and a flat array of four numbers a sample (`s`: name
 * index, labels index, value, timestamp). Against an array per sample this halves the bytes and
 * the garbage on both sides: the worker writes each label set and name once, and the main thread
 * parses one array of numbers instead of a string and a labels object per sample.
 */
export interface PackedSamples {
  n: string[];
  l: Sample['labels'][];
  s: Array<number | bigint>;
}

/** Samples to their travelling form. */
export function packSamples(samples: readonly Sample[]): PackedSamples {
  const names: string[] = [];
  const labels: Sample['labels'][] = [];
  const nameIndex = new Map<string, number>();
  const labelsIndex = new Map<Sample['labels'], number>();
  const flat: Array<number | bigint> = new Array(samples.length * 4);
  for (let i = 0, j = 0; i < samples.length; i++, j += 4) {
    const s = samples[i] as Sample;
    let n = nameIndex.get(s.name);
    if (n === undefined) {
      n = names.push(s.name) - 1;
      nameIndex.set(s.name, n);
    }
    let l = labelsIndex.get(s.labels);
    if (l === undefined) {
      l = labels.push(s.labels) - 1;
      labelsIndex.set(s.labels, l);
    }
    flat[j] = n;
    flat[j + 1] = l;
    flat[j + 2] = s.value;
    flat[j + 3] = s.ts;
  }
  return { n: names, l: labels, s: flat };
}

/** Samples back from their travelling form. */
export function unpackSamples(packed: PackedSamples): Sample[] {
  const { n: names, l: labels, s: flat } = packed;
  const out: Sample[] = new Array(flat.length >> 2);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) {
    out[i] = {
      name: names[flat[j] as number] as string,
      labels: labels[flat[j + 1] as number] as Sample['labels'],
      value: flat[j + 2] as number | bigint,
      ts: flat[j + 3] as number,
    };
  }
  return out;
}
