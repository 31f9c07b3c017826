import type { Labels, Sample } from '@ispmonitor/core';

const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;

/** A sample value as stored: the double for aggregates, and the exact integer when there is one. */
export interface StoredValue {
  value: number;
  /** Unsigned 64-bit bit pattern as a signed int8 (values >= 2^63 minus 2^64), or null. */
  raw: bigint | null;
}

/**
 * Splits a reading into its double and, for integers in [0, 2^64-1], its exact 64-bit pattern.
 * Returns undefined for values that cannot be stored (NaN, infinities, out-of-range bigints).
 */
export function encodeValue(v: number | bigint): StoredValue | undefined {
  if (typeof v === 'bigint') {
    if (v >= 0n && v < TWO_64) return { value: Number(v), raw: v >= TWO_63 ? v - TWO_64 : v };
    if (v < 0n && v >= -TWO_63) return { value: Number(v), raw: null };
    return undefined;
  }
  if (!Number.isFinite(v)) return undefined;
  // Only safe integers are exact in a double; larger numbers already lost precision upstream.
  if (Number.isSafeInteger(v) && v >= 0) return { value: v, raw: BigInt(v) };
  return { value: v, raw: null };
}

/** The reading back from storage: exact bigint beyond 2^53, a number otherwise. */
export function decodeValue(
  value: number,
  raw: string | bigint | number | null | undefined,
): number | bigint {
  if (raw === null || raw === undefined) return value;
  let big = BigInt(raw);
  if (big < 0n) big += TWO_64;
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Labels serialised with sorted keys: the cache key of a series and its jsonb text. */
export function canonicalLabels(labels: Labels): string {
  let keys = Object.keys(labels);
  // Drivers emit most labels with string values in sorted key order: then the object itself is
  // the canonical form (no sorted copy to build); else a copy, sorted, values as strings. Only a
  // plain object: an array or a Date, say, would not serialise as its keys.
  const proto: unknown = Object.getPrototypeOf(labels);
  let plain = proto === Object.prototype || proto === null;
  for (let i = 0; i < keys.length && plain; i++)
    plain =
      typeof labels[keys[i] as string] === 'string' &&
      (i === 0 || (keys[i - 1] as string) < (keys[i] as string));
  if (plain) return JSON.stringify(labels);
  keys = keys.sort();
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = String(labels[k]);
  return JSON.stringify(out);
}

/**
 * The in-memory key of a series: its name and labels in the order the labels object holds them,
 * each part length-prefixed (so no two different label sets share a key). Unlike
 * `canonicalLabels` it neither sorts nor builds JSON: it is computed for every sample, and a
 * driver emits a series' labels in the same order every time. The same labels in another order
 * get another key, which maps to the same series id.
 */
export function seriesKey(name: string, labels: Labels): string {
  let key = `${name.length}:${name}`;
  for (const k of Object.keys(labels)) {
    const v = String(labels[k]);
    key += `,${k.length}:${k}${v.length}:${v}`;
  }
  return key;
}

/** Whether a series is a counter: catalogue counters and Prometheus' `_total` convention. */
export function seriesKind(name: string, counters: ReadonlySet<string>): 'counter' | 'gauge' {
  return counters.has(name) || name.endsWith('_total') ? 'counter' : 'gauge';
}

/** A lone UTF-16 surrogate: JSON.stringify escapes it, and jsonb refuses the escape. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether a new series can be stored: PostgreSQL refuses NUL in text and jsonb, and a lone
 * surrogate in jsonb, and such a row would fail its whole batch, again at every retry. Checked
 * once per new series, not per sample: `canonical` (its label JSON) holds a `\u` escape only
 * for control characters and lone surrogates, so almost always one `includes` decides.
 */
export function storableSeries(name: string, labels: Labels, canonical: string): boolean {
  if (name.includes('\u0000')) return false;
  if (!canonical.includes('\\u')) return true;
  for (const k of Object.keys(labels)) {
    const v = String(labels[k]);
    if (k.includes('\u0000') || v.includes('\u0000') || LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v))
      return false;
  }
  return true;
}

/** Cheap structural check of a sample from a driver (nothing a device sends may crash us). */
export function isWellFormed(s: Sample): boolean {
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof s.name === 'string' &&
    s.name.length > 0 &&
    s.name.length <= 200 &&
    typeof s.ts === 'number' &&
    Number.isFinite(s.ts) &&
    (s.labels === undefined || (typeof s.labels === 'object' && s.labels !== null))
  );
}
