/**
 * Batches between the main thread and a worker as one transferable buffer each: UTF-8 JSON in an
 * ArrayBuffer that `postMessage` moves (no copy, no structured clone of thousands of small
 * objects). A poll's samples ride as arrays `[name, labels, value, ts]` rather than objects.
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

/** A sample as it travels: `[name, labels, value, ts]`. */
export type PackedSample = [string, Sample['labels'], number | bigint, number];

/** Samples to their travelling form. */
export function packSamples(samples: readonly Sample[]): PackedSample[] {
  const out: PackedSample[] = new Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Sample;
    out[i] = [s.name, s.labels, s.value, s.ts];
  }
  return out;
}

/** Samples back from their travelling form. */
export function unpackSamples(packed: readonly PackedSample[]): Sample[] {
  const out: Sample[] = new Array(packed.length);
  for (let i = 0; i < packed.length; i++) {
    const p = packed[i] as PackedSample;
    out[i] = { name: p[0], labels: p[1], value: p[2], ts: p[3] };
  }
  return out;
}
