/** Types of seeded-random.mjs (plain JavaScript, shared by the tests and benchmarks). */

/** A generator of floats in [0, 1) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): () => number;
