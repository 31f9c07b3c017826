/**
 * Seeded randomness, so a fleet built with the same seed behaves the same in every run:
 * tests compare exact values and benchmarks are repeatable.
 */

/** A uniform generator in [0, 1): mulberry32, small and fast, good enough for simulation. */
export type Rng = () => number;

/** Creates a generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string mixed with a seed: derives per-device seeds from ids. */
export function hashSeed(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A value in [0, 1) that depends only on its inputs: used for noise that must be the same when
 * two requests ask about the same moment (a Get and a GetNext of one poll agree).
 */
export function noise(seed: number, slot: number): number {
  return createRng(Math.imul(seed ^ 0x9e3779b9, 31) ^ slot)();
}

/** Uniform value in [min, max). */
export function between(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}

/** An exponentially distributed wait with the given mean (a Poisson process's gaps). */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}
