import { pushSample, type Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';

describe('pushSample', () => {
  const at = { device: 'r1', ts: 1000 };

  it('appends a sample labelled with its device', () => {
    const samples: Sample[] = [];
    expect(pushSample(samples, at, 'm', { ifName: 'ether1' }, 2n ** 64n - 1n)).toBe(true);
    expect(samples).toEqual([
      { name: 'm', labels: { device: 'r1', ifName: 'ether1' }, value: 2n ** 64n - 1n, ts: 1000 },
    ]);
  });

  it.each([undefined, Number.NaN, Number.POSITIVE_INFINITY])(
    'leaves out a missing or non-finite value (%s)',
    (value) => {
      const samples: Sample[] = [];
      expect(pushSample(samples, at, 'm', {}, value)).toBe(false);
      expect(samples).toEqual([]);
    },
  );
});
