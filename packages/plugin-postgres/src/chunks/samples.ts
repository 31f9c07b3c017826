import type { ChunkSamples } from './codec.js';

/** Joining sorted sample lists of one series (consecutive windows, a late chunk beside its day). */

/**
 * `b` after `a` (both sorted): appended in place to `a` when all of `b` is later — consecutive
 * windows of one series, the usual case, without the merge's per-sample work — else merged.
 */
export function appendSamples(a: ChunkSamples, b: ChunkSamples): ChunkSamples {
  const n = b.ts.length;
  if (n === 0) return a;
  if (a.ts.length > 0 && (a.ts[a.ts.length - 1] as number) >= (b.ts[0] as number)) return mergeSamples(a, b);
  for (let k = 0; k < n; k++) {
    a.ts.push(b.ts[k] as number);
    a.values.push(b.values[k] as number);
    a.raws.push(b.raws[k] ?? null);
  }
  return a;
}

/** Two sorted sample lists as one; at equal times the first list's sample is kept. */
export function mergeSamples(a: ChunkSamples, b: ChunkSamples): ChunkSamples {
  const out: ChunkSamples = { ts: [], values: [], raws: [] };
  let i = 0;
  let j = 0;
  const take = (s: ChunkSamples, k: number) => {
    out.ts.push(s.ts[k] as number);
    out.values.push(s.values[k] as number);
    out.raws.push(s.raws[k] ?? null);
  };
  while (i < a.ts.length || j < b.ts.length) {
    const ta = a.ts[i] ?? Number.POSITIVE_INFINITY;
    const tb = b.ts[j] ?? Number.POSITIVE_INFINITY;
    if (i < a.ts.length && ta <= tb) {
      take(a, i++);
      if (ta === tb) j++;
    } else take(b, j++);
  }
  return out;
}
