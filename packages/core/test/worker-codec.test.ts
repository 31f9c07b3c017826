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
    expect(unpackSamples(outcome.result?.samples ?? [])).toEqual(samples);
    expect(
      (outcome.result?.facts as { sessions: { bytesIn: bigint }[] } | undefined)?.sessions[0]?.bytesIn,
    ).toBe(2n ** 60n);
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
