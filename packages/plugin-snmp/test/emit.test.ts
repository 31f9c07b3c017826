/** `emit`: a part's samples carry the device and their labels; consecutive ones share one copy. */
import type { Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { emit, type PartContext } from '../src/parts/context.js';

const poll = (device: string): PartContext =>
  ({
    device: { id: device },
    ts: 1000,
    samples: [] as Sample[],
    emitted: new Set<string>(),
  }) as unknown as PartContext;

describe('emit', () => {
  it('stamps the device, skips missing values, and shares one copy within a run of the same labels', () => {
    const a = poll('r1');
    const eth0 = { ifName: 'eth0' };
    const eth1 = { ifName: 'eth1' };
    emit(a, 'if_in_octets', eth0, 10);
    emit(a, 'if_out_octets', eth0, 20n);
    emit(a, 'if_in_errors', eth0, undefined);
    emit(a, 'if_out_errors', eth0, Number.NaN);
    emit(a, 'if_in_octets', eth1, 30);
    emit(a, 'device_up', {}, 1);
    expect(a.samples).toEqual([
      { name: 'if_in_octets', labels: { device: 'r1', ifName: 'eth0' }, value: 10, ts: 1000 },
      { name: 'if_out_octets', labels: { device: 'r1', ifName: 'eth0' }, value: 20n, ts: 1000 },
      { name: 'if_in_octets', labels: { device: 'r1', ifName: 'eth1' }, value: 30, ts: 1000 },
      { name: 'device_up', labels: { device: 'r1' }, value: 1, ts: 1000 },
    ]);
    expect([...a.emitted]).toEqual(['if_in_octets', 'if_out_octets', 'device_up']);
    expect(a.samples[0]?.labels).toBe(a.samples[1]?.labels);
    expect(a.samples[2]?.labels).not.toBe(a.samples[0]?.labels);
    // The part's own object is never handed on (it may be reused or changed by the part).
    expect(a.samples[0]?.labels).not.toBe(eth0);
  });

  it('two polls that interleave with one labels object never share a copy (each has its device)', () => {
    const a = poll('r1');
    const b = poll('r2');
    const shared = { ifName: 'ether1' };
    emit(a, 'x', shared, 1);
    emit(b, 'x', shared, 2);
    emit(a, 'y', shared, 3);
    expect(a.samples.map((s) => s.labels)).toEqual([
      { device: 'r1', ifName: 'ether1' },
      { device: 'r1', ifName: 'ether1' },
    ]);
    expect(b.samples.map((s) => s.labels)).toEqual([{ device: 'r2', ifName: 'ether1' }]);
  });
});
