/**
 * Teardown for tests that start things (monitors, harnesses, receivers): `keep(thing)` hands it
 * back and stops or closes it after the test, newest first — also when the test failed half-way,
 * so a failed assertion never leaves a server or a timer running into the next test.
 */
import { afterEach } from 'vitest';

/** Anything a test can start: stopped with `stop()` or closed with `close()`. */
export type Running = { stop(): Promise<void> } | { close(): Promise<void> };

/** Registers the afterEach hook of this file and returns `keep`. */
export function stopAfterEach(): <T extends Running>(thing: T) => T {
  const running: Running[] = [];
  afterEach(async () => {
    for (const thing of running.splice(0).reverse()) await ('stop' in thing ? thing.stop() : thing.close());
  });
  return (thing) => {
    running.push(thing);
    return thing;
  };
}
