/** The batch codec of the poller workers: one transferable buffer, values exact (bigints too). */
import type { Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import {
  decodeBatch,
  decodeOutcomes,
  encodeBatch,
  encodeOutcomes,
  OutcomeWriter,
  type SeqOutcome,
} from '../src/workers/codec.js';
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
    const batch: SeqOutcome[] = [
      [
        7,
        {
          ok: true,
          durationMs: 3,
          attempts: 1,
          result: { samples, facts: { sessions: [{ bytesIn: 2n ** 60n }] } as never },
        },
      ],
    ];
    const buf = encodeOutcomes(batch);
    expect(buf).toBeInstanceOf(ArrayBuffer);
    const [seq, outcome] = decodeBatch<OutcomeBatch>(buf)[0] as OutcomeBatch[number];
    expect(seq).toBe(7);
    expect(outcome.result?.samples).toEqual(samples);
    expect(
      (outcome.result?.facts as { sessions: { bytesIn: bigint }[] } | undefined)?.sessions[0]?.bytesIn,
    ).toBe(2n ** 60n);
  });

  it('keeps each outcome with its own samples, in order, and every value exact', () => {
    const sample = (i: number, value: unknown, labels: Record<string, unknown>): Sample =>
      ({ name: `m${i % 3}`, labels, value, ts: 1_700_000_000_000 + i }) as Sample;
    const batch: SeqOutcome[] = [
      [1, { ok: false, durationMs: 10, attempts: 2, error: { code: 'POLL_TIMEOUT', message: 'ü ✓' } }],
      [
        2,
        {
          ok: true,
          durationMs: 5,
          attempts: 1,
          result: {
            samples: [
              sample(0, 1.5, { ifName: 'eth0', alias: 'ünïcode \ud800 "quoted"' }),
              sample(1, Number.NaN, { ifName: 'eth0', n: 7 }),
              sample(2, 'text', {}),
            ],
          },
        },
      ],
      [3, { ok: true, durationMs: 1, attempts: 1, result: { samples: [], partErrors: [] } }],
      [4, { ok: true, durationMs: 2, attempts: 1, result: { samples: [sample(3, -0.25, { a: 'eth0' })] } }],
      [5, { ok: false, durationMs: 0, attempts: 0, skipped: { reason: 'overload', message: 'm' } }],
    ];
    const decoded = decodeOutcomes(encodeOutcomes(batch));
    expect(decoded).toEqual(batch);
    // Once encoded, the batch is decoded again alike (the encoder's reused columns start over).
    expect(decodeOutcomes(encodeOutcomes(batch))).toEqual(batch);
  });

  it('a writer takes outcomes one by one, counts them, and starts over after each take', () => {
    const w = new OutcomeWriter();
    const one = (seq: number, v: number): SeqOutcome => [
      seq,
      {
        ok: true,
        durationMs: 1,
        attempts: 1,
        result: { samples: [{ name: 'n', labels: { i: `${v}` }, value: v, ts: v }] },
      },
    ];
    w.add(...one(1, 10));
    w.add(2, { ok: false, durationMs: 1, attempts: 1, error: { code: 'POLL_FAILED', message: 'x' } });
    w.add(...one(3, 30));
    expect([w.size, w.samples]).toEqual([3, 2]);
    const first = decodeOutcomes(w.take());
    expect(first.map(([seq]) => seq)).toEqual([1, 2, 3]);
    expect(first[2]?.[1].result?.samples).toEqual([{ name: 'n', labels: { i: '30' }, value: 30, ts: 30 }]);
    expect([w.size, w.samples]).toEqual([0, 0]);
    w.add(...one(4, 40));
    expect(decodeOutcomes(w.take())).toEqual([one(4, 40)]);
  });

  it('leaves out a label whose value is undefined, as JSON does', () => {
    const s = { name: 'x', labels: { a: 'b', gone: undefined } as never, value: 1, ts: 2 };
    const [[, o]] = decodeOutcomes(
      encodeOutcomes([[1, { ok: true, durationMs: 0, attempts: 1, result: { samples: [s] } }]]),
    ) as [SeqOutcome];
    expect(o.result?.samples[0]?.labels).toEqual({ a: 'b' });
  });

  it('carries a large batch (columns grown past their first size)', () => {
    const samples: Sample[] = [];
    for (let i = 0; i < 30_000; i++) {
      samples.push({
        name: 'c',
        labels: { device: `r${i % 100}`, ifIndex: String(i) },
        value: i * 2 ** 40,
        ts: i,
      });
    }
    const batch: SeqOutcome[] = [[9, { ok: true, durationMs: 1, attempts: 1, result: { samples } }]];
    expect(decodeOutcomes(encodeOutcomes(batch))).toEqual(batch);
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
