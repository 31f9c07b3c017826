/**
 * Which bucket a device belongs to. The hash must never change between versions: replicas of
 * different versions running side by side during an upgrade must agree on it.
 */

// A seed other than FNV's usual offset basis: core spreads poll phases with FNV-1a from the usual
// basis, and a bucket should not tell anything about a device's phase (or the reverse).
const SEED = 0x9747b28c;

/** A stable 32-bit hash of a string (FNV-1a over UTF-16 code units, murmur3 finaliser). */
export function hash32(text: string): number {
  let h = SEED;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // The finaliser spreads ids that differ only in their last characters (`r-1`, `r-2`, …).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The bucket (0 … buckets-1) of a device id. */
export function bucketOf(deviceId: string, buckets: number): number {
  return hash32(deviceId) % buckets;
}
