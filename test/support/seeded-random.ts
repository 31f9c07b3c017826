/**
 * A repeatable random source for tests: the one implementation is seeded-random.mjs, which the
 * benchmarks import as well.
 */
export { seededRandom } from './seeded-random.mjs';
