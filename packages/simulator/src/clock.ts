/**
 * The clock the simulator reads. It has the shape of core's `Clock`, so core's FakeClock (or any
 * object with these members) can drive a fleet in tests; counters, uptime and faults follow it.
 */
export interface SimClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
}

/** Real time. `Date.now` and `setTimeout` are looked up per call, so vitest's fake timers apply. */
export const realClock: SimClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
};
