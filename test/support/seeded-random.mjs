/**
 * A repeatable random source for tests and benchmarks (mulberry32): the same seed gives the same
 * sequence on every run, so a property test that fails can be replayed from the seed it prints,
 * and a benchmark writes the same data each time. Plain JavaScript, so the benchmarks (plain
 * Node, no TypeScript) import it too; its types are in seeded-random.d.mts.
 */

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
