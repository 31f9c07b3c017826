import { counterDelta, counterRate } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';

describe('counterDelta: rates never go negative', () => {
  it('a plain increase', () => {
    expect(counterDelta(100, 250, { bits: 32 })).toBe(150);
  });
  it('a 32-bit wrap: 2^32 − prev + cur', () => {
    expect(counterDelta(4_294_967_000, 200, { bits: 32 })).toBe(296 + 200);
    expect(counterDelta(4_294_967_000, 200)).toBe(496);
  });
  it('a drop from the lower half of the 32-bit range is a reset, not a wrap', () => {
    expect(counterDelta(1_000_000, 300, { bits: 32 })).toBe(300);
  });
  it('a reboot (uptime fell) counts from zero even when the new reading is larger', () => {
    expect(counterDelta(100, 5000, { bits: 32, uptimeReset: true })).toBe(5000);
  });
  it('64-bit readings beyond 2^53 give exact increases', () => {
    expect(counterDelta(2n ** 60n, 2n ** 60n + 3n, { bits: 64 })).toBe(3);
    expect(counterDelta(9_007_199_254_740_993n, 9_007_199_254_741_000n, 64)).toBe(7);
  });
  it('a 64-bit drop is a reset, even from the upper half of the 32-bit range', () => {
    expect(counterDelta(2n ** 40n, 10n, { bits: 64 })).toBe(10);
    expect(counterDelta(4_294_967_000, 200, 64)).toBe(200);
  });
  it('is never negative, and rates divide by the time between readings', () => {
    for (const [a, b] of [
      [0, 0],
      [5, 3],
      [2 ** 32 - 1, 0],
      [2 ** 31, 2 ** 31 - 1],
      [123_456, 1],
    ] as const) {
      expect(counterDelta(a, b, { bits: 32 })).toBeGreaterThanOrEqual(0);
    }
    expect(counterRate(4_294_967_000, 200, 10, { bits: 32 })).toBe(49.6);
    expect(counterRate(1, 2, 0)).toBe(0);
  });
});
