/**
 * The increase of a counter between two readings, never negative. A reading below the previous
 * one is a 32-bit wrap when the previous value fits in 32 bits and the wrapped increase is
 * plausible (less than half the range); otherwise it is a reset (reboot), and the increase is the
 * new value, as Prometheus counts it. Pass `bits: 64` for counters known to be 64-bit: they
 * never wrap in practice, so a drop is always a reset.
 */
export function counterDelta(previous: number | bigint, current: number | bigint, bits?: 32 | 64): number {
  const mayWrap = bits !== 64;
  if (typeof previous === 'bigint' || typeof current === 'bigint') {
    const p = BigInt(previous);
    const c = BigInt(current);
    if (c >= p) return Number(c - p);
    if (mayWrap && p < 2n ** 32n) {
      const wrapped = c + 2n ** 32n - p;
      if (wrapped < 2n ** 31n) return Number(wrapped);
    }
    return Number(c);
  }
  if (current >= previous) return current - previous;
  if (mayWrap && previous < 2 ** 32) {
    const wrapped = current + 2 ** 32 - previous;
    if (wrapped < 2 ** 31) return wrapped;
  }
  return current;
}
