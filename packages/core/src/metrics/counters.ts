/** How to read a drop between two counter readings. */
export interface CounterDeltaOptions {
  /**
   * Width of the counter. 32: a drop from the upper half of the range is a wrap. 64: a drop is
   * always a reset (a 64-bit wrap takes centuries at 100 Gbit/s). Unknown: as 32 when the earlier
   * reading fits in 32 bits.
   */
  bits?: 32 | 64;
  /** The device rebooted between the readings (its uptime fell): the increase is the new reading. */
  uptimeReset?: boolean;
}

const MOD32 = 2 ** 32;

/**
 * The increase of a counter between two readings, never negative: a plain difference, a 32-bit
 * wrap (`2^32 − prev + cur`) when the earlier reading was in the upper half of the 32-bit range,
 * and otherwise a reset (reboot), where the increase is the new reading, as Prometheus counts it.
 * Exact for 64-bit readings given as bigints; the increase is returned as a number.
 */
export function counterDelta(
  previous: number | bigint,
  current: number | bigint,
  options: CounterDeltaOptions | 32 | 64 = {},
): number {
  const { bits, uptimeReset } = typeof options === 'number' ? { bits: options, uptimeReset: false } : options;
  if (typeof previous === 'bigint' || typeof current === 'bigint') {
    const p = BigInt(previous);
    const c = BigInt(current);
    if (uptimeReset) return Number(c);
    if (c >= p) return Number(c - p);
    if (bits !== 64 && p < 2n ** 32n && p >= 2n ** 31n) return Number(2n ** 32n - p + c);
    return Number(c);
  }
  if (uptimeReset) return current;
  if (current >= previous) return current - previous;
  if (bits !== 64 && previous < MOD32 && previous >= MOD32 / 2) return MOD32 - previous + current;
  return current;
}

/** The per-second rate between two readings `seconds` apart; 0 when no time passed. */
export function counterRate(
  previous: number | bigint,
  current: number | bigint,
  seconds: number,
  options: CounterDeltaOptions | 32 | 64 = {},
): number {
  return seconds > 0 ? counterDelta(previous, current, options) / seconds : 0;
}
