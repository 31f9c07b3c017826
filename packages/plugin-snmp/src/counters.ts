/**
 * Counter arithmetic for rates: the increase between two raw readings of a counter, handling
 * a 32-bit wrap and a reset (device reboot), so a rate is never negative.
 */

/** Options of `counterDelta`. */
export interface CounterDeltaOptions {
  /** Width of the counter: 32 (Counter32, wraps at 2^32) or 64 (Counter64). */
  bits: 32 | 64;
  /**
   * The device rebooted between the readings (its uptime fell): the counter restarted at 0, so
   * the increase is the new reading itself.
   */
  uptimeReset?: boolean;
}

const MOD32 = 2n ** 32n;
const MOD64 = 2n ** 64n;
/** A drop larger than this share of the range is read as a wrap; a smaller one as a reset. */
const WRAP_WINDOW = 0.5;

/**
 * The increase from `prev` to `cur`, never negative, exact for 64-bit values (bigint in → bigint
 * out when either input is a bigint). When `cur < prev`:
 * - with `uptimeReset`, the counter restarted: the increase is `cur`;
 * - for 32-bit counters, a wrap when `prev` was in the upper half of the range (the increase is
 *   `2^32 − prev + cur`), otherwise a reset (`cur`);
 * - for 64-bit counters, a wrap cannot happen in practice (centuries at 100 Gbit/s): a reset.
 */
export function counterDelta(
  prev: number | bigint,
  cur: number | bigint,
  options: CounterDeltaOptions,
): number | bigint {
  const big = typeof prev === 'bigint' || typeof cur === 'bigint';
  const p = BigInt(prev);
  const c = BigInt(cur);
  if (p < 0n || c < 0n) throw new RangeError('counter readings cannot be negative');
  let delta: bigint;
  if (options.uptimeReset) delta = c;
  else if (c >= p) delta = c - p;
  else if (options.bits === 32 && p < MOD32 && c < MOD32 && Number(p) >= Number(MOD32) * WRAP_WINDOW)
    delta = MOD32 - p + c;
  else if (options.bits === 64 && p < MOD64 && Number(p) >= Number(MOD64) * 0.999) delta = MOD64 - p + c;
  else delta = c;
  return big ? delta : Number(delta);
}

/** The per-second rate between two readings `seconds` apart (0 when no time passed). */
export function counterRate(
  prev: number | bigint,
  cur: number | bigint,
  seconds: number,
  options: CounterDeltaOptions,
): number {
  if (!(seconds > 0)) return 0;
  return Number(counterDelta(prev, cur, options)) / seconds;
}
