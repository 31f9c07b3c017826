/** FNV-1a's usual offset basis. */
const FNV_BASIS = 0x811c9dc5;

/**
 * A stable 32-bit hash of a string: FNV-1a over UTF-16 code units, then the murmur3 finaliser so
 * that ids differing only in their last characters (`r-1`, `r-2`, …) land far apart. It never
 * changes between versions. Pass a different `seed` where two uses must not correlate (poll
 * phases and cluster buckets).
 */
export function stableHash(text: string, seed = FNV_BASIS): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
