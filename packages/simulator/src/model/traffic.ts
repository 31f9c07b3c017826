/**
 * Traffic that follows the day: a rate with an evening peak, integrated in closed form so a
 * counter's value at any instant is exact and cheap, whatever the clock does between polls.
 */

const DAY = 86_400;
const TWO_PI = 2 * Math.PI;

/** How one direction of one interface loads its link over the day. */
export interface TrafficCurve {
  /** Mean rate in bytes per second. */
  mean: number;
  /** Swing around the mean, 0–1 (0.6 = the peak is 1.6× the mean, the trough 0.4×). */
  amplitude: number;
  /** Second of the UTC day when the rate peaks. */
  peakSecond: number;
}

/** Rate in bytes per second at `tSec` (Unix seconds). */
export function rateAt(c: TrafficCurve, tSec: number): number {
  return c.mean * (1 + c.amplitude * Math.cos((TWO_PI * (tSec - c.peakSecond)) / DAY));
}

/** Bytes carried between `t0Sec` and `t1Sec`: the integral of {@link rateAt}. */
export function bytesBetween(c: TrafficCurve, t0Sec: number, t1Sec: number): number {
  if (t1Sec <= t0Sec) return 0;
  const k = (c.amplitude * DAY) / TWO_PI;
  const s1 = Math.sin((TWO_PI * (t1Sec - c.peakSecond)) / DAY);
  const s0 = Math.sin((TWO_PI * (t0Sec - c.peakSecond)) / DAY);
  return c.mean * (t1Sec - t0Sec + k * (s1 - s0));
}

/** The day's load factor at `tSec`, 1 ± amplitude: shared by CPU, clients and temperature. */
export function dayFactor(amplitude: number, peakSecond: number, tSec: number): number {
  return 1 + amplitude * Math.cos((TWO_PI * (tSec - peakSecond)) / DAY);
}
