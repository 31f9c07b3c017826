/** The batch codec of the poller workers: one transferable buffer, values exact (bigints too). */
import type { Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, packSamples, unpackSamples } from '../src/workers/codec.js';
import type { OutcomeBatch } from '../src/workers/protocol.js';

describe('worker batch codec', () => {
  it('round-trips samples, facts and errors, 64-bit counters beyond 2^53 exact', () => {
    const samples: Sample[] = [
      {
        name: 'interface_in_octets_total',
        labels: { device: 'r1', ifName: 'ge-0/0/0' },
        value: 2n ** 64n - 1n,
        ts: 1,
      },
      { name: 'device_up', labels: { device: 'r1' }, value: 1, ts: 1 },
    ];
    const batch = [
      [
        7,
        {
          ok: true,
          result: { samples: packSamples(samples), facts: { sessions: [{ bytesIn: 2n ** 60n }] } },
        },
      ],
    ];
    const buf = encodeBatch(batch);
    expect(buf).toBeInstanceOf(ArrayBuffer);
    const [seq, outcome] = decodeBatch<OutcomeBatch>(buf)[0] as OutcomeBatch[number];
    expect(seq).toBe(7);
    expect(unpackSamples(outcome.result?.samples ?? { n: [], l: [], s: [] })).toEqual(samples);
    expect(
      (outcome.result?.facts as { sessions: { bytesIn: bigint }[] } | undefined)?.sessions[0]?.bytesIn,
    ).toBe(2n ** 60n);
  });

  it('sends each name and labels object of a poll once, and keeps the sharing of labels objects', () => {
    const eth0 = { device: 'r1', ifName: 'eth0' };
    const eth1 = { device: 'r1', ifName: 'eth1' };
    const samples: Sample[] = [
      { name: 'in_octets', labels: eth0, value: 10, ts: 5 },
      { name: 'out_octets', labels: eth0, value: 1.5, ts: 5 },
      { name: 'in_octets', labels: eth1, value: 2n ** 63n, ts: 6 },
    ];
    const packed = packSamples(samples);
    expect(packed.n).toEqual(['in_octets', 'out_octets']);
    expect(packed.l).toEqual([eth0, eth1]);
    const back = unpackSamples(decodeBatch(encodeBatch(packed)));
    expect(back).toEqual(samples);
    expect(back[0]?.labels).toBe(back[1]?.labels);
    expect(back[0]?.labels).not.toBe(back[2]?.labels);
    expect(unpackSamples(packSamples([]))).toEqual([]);
  });

  it('leaves plain JSON alone (no bigint: no walk), including an object that merely has a $big-like key among others', () => {
    const value = { a: [1, 'x', null], b: { $big: '1', other: true } };
    expect(decodeBatch(encodeBatch(value))).toEqual(value);
  });

  it('the buffer can be transferred (detached after postMessage)', () => {
    const buf = encodeBatch({ polls: [] });
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(buf, [buf]);
    expect(buf.byteLength).toBe(0);
    port1.close();
    port2.close();
  });
});
