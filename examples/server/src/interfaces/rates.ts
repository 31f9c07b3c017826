// Per-second rates, utilisation and port state for the router page's interface table.
// Pure functions (no I/O): unit-tested against hand-computed values.

/** One stored reading of a counter: epoch ms and the counter's value. */
export type Reading = readonly [ts: number, value: number];

const TWO_32 = 4_294_967_296;
const TWO_31 = 2_147_483_648;

/**
 * The increase of a counter between two readings. A counter that went down either wrapped (a
 * 32-bit counter, such as ifInOctets, passing 2^32: the previous value was below 2^32 and the
 * wrapped distance is short, under 2^31) or was reset (the router rebooted or the counters were
 * cleared: it counted from zero, so the increase is the new value). The same rule as the
 * store's `ispm_counter_delta`, so the table and the charts agree.
 */
export function counterIncrease(prev: number, cur: number): number {
  if (cur >= prev) return cur - prev;
  if (prev < TWO_32 && cur + TWO_32 - prev < TWO_31) return cur + TWO_32 - prev;
  return cur;
}

/**
 * Per-second rate between the last two readings of a series (time order), or undefined when
 * there are fewer than two or they share a timestamp. The newest pair is the "live" figure.
 */
export function lastRate(readings: readonly Reading[]): number | undefined {
  const n = readings.length;
  if (n < 2) return undefined;
  const [t0, v0] = readings[n - 2] as Reading;
  const [t1, v1] = readings[n - 1] as Reading;
  const seconds = (t1 - t0) / 1000;
  if (!(seconds > 0) || !Number.isFinite(v0) || !Number.isFinite(v1)) return undefined;
  return counterIncrease(v0, v1) / seconds;
}

/**
 * Utilisation of a link as a ratio 0–1: bits per second over the speed, clamped (a counter
 * glitch or a speed the device under-reports must not show 406 %). Undefined when the speed
 * is unknown or zero (a virtual interface), or the rate is unknown.
 */
export function utilisation(bps: number | undefined, speedBps: number | undefined): number | undefined {
  if (bps === undefined || !Number.isFinite(bps)) return undefined;
  if (speedBps === undefined || !Number.isFinite(speedBps) || speedBps <= 0) return undefined;
  return Math.min(1, Math.max(0, bps / speedBps));
}

/**
 * A port's state for people: administratively disabled is its own state (an operator shut it
 * on purpose: never "down", never an alarm), then link up or down, else unknown.
 */
export type PortState = 'up' | 'down' | 'admin-down' | 'unknown';

/** The port state from the admin and oper flags (either may be missing). */
export function portState(adminUp: boolean | undefined, operUp: boolean | undefined): PortState {
  if (adminUp === false) return 'admin-down';
  if (operUp === true) return 'up';
  if (operUp === false) return 'down';
  return 'unknown';
}

/** The uplink interface names of a router from its `uplinks` label (`ether1,sfp1`), in order. */
export function uplinksOf(labels: Readonly<Record<string, string>> | undefined): string[] {
  return (labels?.uplinks ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
