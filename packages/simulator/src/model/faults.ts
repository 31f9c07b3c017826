/**
 * Faults a simulated device can be given. Times are milliseconds after the fleet started (on its
 * clock), so a demo or a test can say "this link goes down 40 s in".
 */

/** What can go wrong with one device. Every field is optional; none means a healthy device. */
export interface Faults {
  /** Never answers anything. */
  dead?: boolean;
  /** Stops answering this long after the fleet started. */
  deadAfterMs?: number;
  /** Added to every reply, in milliseconds. */
  latencyMs?: number;
  /** Uniform random extra delay of up to this many milliseconds. */
  jitterMs?: number;
  /** Probability (0–1) that a request is silently dropped. */
  lossRate?: number;
  /** A slow agent: extra delay per varbind answered, in milliseconds (big walks hurt more). */
  slowPerVarbindMs?: number;
  /** Reboots: sysUpTime back to 0 and every counter to 0. */
  reboots?: {
    /** At these times (ms after start). */
    atMs?: number[];
    /** At random, this many per hour on average (a Poisson process from the fleet's seed). */
    ratePerHour?: number;
  };
  /** Links that go down (ifOperStatus down, no more traffic) at a time. */
  linkDown?: Array<{ ifIndex: number; atMs: number }>;
  /** CPU load jumps to `load` percent (default 97) from `atMs`, for `durationMs` (default forever). */
  cpuSpike?: { atMs: number; load?: number; durationMs?: number };
}

/** Faults for one device, or a function choosing them per device (index in the fleet, id). */
export type FaultPlan = Faults | ((index: number, id: string) => Faults | undefined);

/** Resolves a plan for one device. */
export function faultsFor(plan: FaultPlan | undefined, index: number, id: string): Faults {
  if (!plan) return {};
  return (typeof plan === 'function' ? plan(index, id) : plan) ?? {};
}

/** Checks values a caller could get wrong; throws a RangeError naming the field. */
export function validateFaults(f: Faults, where: string): void {
  const check = (ok: boolean, field: string, want: string) => {
    if (!ok) throw new RangeError(`${where}: faults.${field} must be ${want}`);
  };
  if (f.lossRate !== undefined) check(f.lossRate >= 0 && f.lossRate <= 1, 'lossRate', 'between 0 and 1');
  for (const k of ['latencyMs', 'jitterMs', 'slowPerVarbindMs', 'deadAfterMs'] as const) {
    const v = f[k];
    if (v !== undefined) check(Number.isFinite(v) && v >= 0, k, 'a non-negative number');
  }
  const rate = f.reboots?.ratePerHour;
  if (rate !== undefined) check(Number.isFinite(rate) && rate >= 0, 'reboots.ratePerHour', 'non-negative');
}
