/**
 * The batch codec of the poller workers: one transferable buffer a batch; poll outcomes binary,
 * every value exact (NaN, ±Infinity, -0, bigints of any size), labels objects shared as they were.
 * Property-style: seeded random batches, each compared value by value with what went in.
 */
import type { Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import type { PollOutcome } from '../src/scheduler/run-poll.js';
import { decodeJson, decodeOutcomes, encodeJson, encodeOutcomes } from '../src/workers/codec.js';
import type { OutcomeBatch } from '../src/workers/protocol.js';

/** A small seeded generator (mulberry32): the same batches on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}

/** Values a sample may carry, the awkward ones first. */
const SPECIAL_VALUES: Array<number | bigint> = [
  0,
  -0,
  1,
  -1,
  0.1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 31,
  2 ** 32 - 1,
  1_796_538_816_003,
  0n,
  1n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  2n ** 64n,
  2n ** 100n + 7n,
  -1n,
  -(2n ** 63n),
  -(2n ** 63n) - 1n,
  -(2n ** 80n),
];

const STRINGS = [
  '',
  'device',
  'ifName',
  'ge-0/0/0',
  'Gi1/0/1',
  'interface_in_octets_total',
  'Bürö-Ünterföhring',
  'Бейрут',
  'بيروت',
  '北京-核心-1',
  '🛰️ uplink 🚀',
  'tab\tnew\nline "quoted" \\ back',
  '0',
  '10',
  'a'.repeat(300),
];

/** A random batch: failed, skipped and successful polls; labels objects shared among samples. */
function randomBatch(seed: number): OutcomeBatch {
  const r = rng(seed);
  const batch: OutcomeBatch = [];
  const outcomes = r.int(12);
  for (let o = 0; o < outcomes; o++) {
    const seq = r.next() < 0.1 ? 2 ** 40 + o : seed * 100 + o;
    const kind = r.int(5);
    if (kind === 0) {
      batch.push([
        seq,
        { ok: false, error: { code: 'POLL_TIMEOUT', message: 'timed out' }, durationMs: 10_000, attempts: 2 },
      ]);
      continue;
    }
    if (kind === 1) {
      batch.push([
        seq,
        { ok: false, skipped: { reason: 'overloaded', message: 'é' }, durationMs: 1.5, attempts: 2 },
      ]);
      continue;
    }
    // A few labels objects for this poll, some shared by many samples, one empty.
    const sets = Array.from({ length: 1 + r.int(6) }, () => {
      const labels: Record<string, string> = {};
      for (let k = r.int(4); k > 0; k--) labels[r.pick(STRINGS)] = r.pick(STRINGS);
      return labels;
    });
    const samples: Sample[] = Array.from({ length: r.int(40) }, () => ({
      name: r.pick(STRINGS),
      labels: r.next() < 0.2 ? { device: r.pick(STRINGS) } : r.pick(sets),
      value: r.next() < 0.5 ? r.pick(SPECIAL_VALUES) : (r.next() - 0.5) * 10 ** r.int(20),
      ts: r.pick([0, 1, 1_796_538_816_003, 1_796_538_816_003.5, -5]),
    }));
    const outcome: PollOutcome = { ok: true, result: { samples }, durationMs: r.next() * 1000, attempts: 1 };
    if (r.next() < 0.5) {
      (outcome.result as NonNullable<PollOutcome['result']>).facts = {
        system: { name: r.pick(STRINGS), uptimeSeconds: r.next() * 1e6 },
        interfaces: [{ index: r.int(100), name: r.pick(STRINGS), addresses: [] }],
        pppoeSessions:
          r.next() < 0.3
            ? [{ user: r.pick(STRINGS), bytesIn: 2n ** 60n + BigInt(r.int(1000)) } as never]
            : undefined,
      };
    }
    if (r.next() < 0.3)
      (outcome.result as NonNullable<PollOutcome['result']>).partErrors = [
        { part: 'ifXTable', code: 'SNMP_TIMEOUT', message: r.pick(STRINGS) },
      ];
    batch.push([seq, outcome]);
  }
  return batch;
}

/** A number or bigint, exactly: -0 is not 0, NaN is NaN, a bigint is not a number. */
function same(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && Object.is(a, b);
}

/** Checks `back` against `sent` sample by sample, and the sharing of labels objects. */
function expectSameSamples(sent: Sample[], back: Sample[]): void {
  expect(back.length).toBe(sent.length);
  for (let i = 0; i < sent.length; i++) {
    const s = sent[i] as Sample;
    const b = back[i] as Sample;
    expect(b.name).toBe(s.name);
    expect(Object.keys(b.labels)).toEqual(Object.keys(s.labels));
    expect(b.labels).toEqual(s.labels);
    if (!same(b.value, s.value))
      expect.fail(`sample ${i}: ${String(b.value)} came back for ${String(s.value)}`);
    if (!same(b.ts, s.ts)) expect.fail(`sample ${i}: ts ${b.ts} came back for ${s.ts}`);
  }
  for (let i = 0; i < sent.length; i++)
    for (let j = i + 1; j < sent.length; j++)
      expect((back[i] as Sample).labels === (back[j] as Sample).labels).toBe(
        (sent[i] as Sample).labels === (sent[j] as Sample).labels,
      );
}

/** One outcome through the codec alone in a batch. */
function roundTrip(outcome: PollOutcome): PollOutcome {
  const [entry] = decodeOutcomes(encodeOutcomes([[1, outcome]]));
  expect(entry?.[0]).toBe(1);
  return entry?.[1] as PollOutcome;
}

/** What JSON would make of an outcome without its samples (the meta part is JSON). */
function withoutSamples(outcome: PollOutcome): unknown {
  return outcome.result ? { ...outcome, result: { ...outcome.result, samples: [] } } : outcome;
}

describe('worker batch codec: poll outcomes', () => {
  it('round-trips random batches exactly: every value, labels and their sharing, facts, errors', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const batch = randomBatch(seed);
      const back = decodeOutcomes(encodeOutcomes(batch));
      expect(back.length).toBe(batch.length);
      for (let o = 0; o < batch.length; o++) {
        const [seq, outcome] = batch[o] as OutcomeBatch[number];
        const [seqBack, outcomeBack] = back[o] as OutcomeBatch[number];
        expect(seqBack).toBe(seq);
        expect(withoutSamples(outcomeBack)).toEqual(throughJson(withoutSamples(outcome)));
        if (outcome.result) expectSameSamples(outcome.result.samples, outcomeBack.result?.samples ?? []);
        else expect(outcomeBack.result).toBeUndefined();
      }
    }
  });

  it('keeps every awkward value exact: NaN, ±Infinity, -0, 2^53+1, 2^64-1 and beyond as bigints', () => {
    const labels = { device: 'r1' };
    const samples: Sample[] = SPECIAL_VALUES.map((value, i) => ({ name: 'v', labels, value, ts: i }));
    const outcome = roundTrip({ ok: true, result: { samples }, durationMs: 0, attempts: 1 });
    const back = outcome.result?.samples ?? [];
    expectSameSamples(samples, back);
    expect(back[SPECIAL_VALUES.indexOf(2n ** 64n - 1n)]?.value).toBe(18446744073709551615n);
    expect(back[SPECIAL_VALUES.indexOf(2n ** 53n + 1n)]?.value).toBe(9007199254740993n);
    expect(Object.is(back[SPECIAL_VALUES.findIndex((v) => Object.is(v, -0))]?.value, -0)).toBe(true);
    // One labels object in, one out, shared by all.
    expect(new Set(back.map((s: Sample) => s.labels)).size).toBe(1);
  });

  it('keeps labels objects shared across the polls of a batch when the driver shared them, and apart when not', () => {
    const shared = { device: 'r1', ifName: 'eth0' };
    const lookalike = { device: 'r1', ifName: 'eth0' };
    const ok = (samples: Sample[]): PollOutcome => ({
      ok: true,
      result: { samples },
      durationMs: 1,
      attempts: 1,
    });
    const back = decodeOutcomes(
      encodeOutcomes([
        [1, ok([{ name: 'a', labels: shared, value: 1, ts: 1 }])],
        [
          2,
          ok([
            { name: 'a', labels: shared, value: 2, ts: 2 },
            { name: 'a', labels: lookalike, value: 3, ts: 2 },
          ]),
        ],
      ]),
    );
    const [a, b, c] = back.flatMap(([, o]) => o.result?.samples ?? []);
    expect(a?.labels).toBe(b?.labels);
    expect(c?.labels).not.toBe(a?.labels);
    expect(c?.labels).toEqual(a?.labels);
  });

  it('carries empty batches, empty results, empty labels and label keys in their order', () => {
    expect(decodeOutcomes(encodeOutcomes([]))).toEqual([]);
    const labels = { z: '1', a: '', '10': 'ten', '2': 'two', ü: '🚀' };
    const back = decodeOutcomes(
      encodeOutcomes([
        [5, { ok: true, result: { samples: [] }, durationMs: 0, attempts: 1 }],
        [
          6,
          {
            ok: true,
            result: {
              samples: [
                { name: '', labels: {}, value: 0, ts: 0 },
                { name: 'x', labels, value: 1, ts: 0 },
              ],
            },
            durationMs: 0,
            attempts: 1,
          },
        ],
      ]),
    );
    expect(back[0]?.[1].result?.samples).toEqual([]);
    const [empty, full] = back[1]?.[1].result?.samples ?? [];
    expect(empty).toEqual({ name: '', labels: {}, value: 0, ts: 0 });
    expect(Object.keys(full?.labels ?? {})).toEqual(Object.keys(labels));
    expect(full?.labels).toEqual(labels);
  });

  it('treats labels as JSON did: an undefined value leaves its key out; a lone surrogate becomes U+FFFD (UTF-8)', () => {
    const labels = { device: 'r1', gone: undefined as unknown as string, odd: 'a\ud800b' };
    const outcome = roundTrip({
      ok: true,
      result: { samples: [{ name: 'n', labels, value: 1, ts: 1 }] },
      durationMs: 0,
      attempts: 1,
    });
    expect(outcome.result?.samples[0]?.labels).toEqual({ device: 'r1', odd: 'a\ufffdb' });
    // Two strings that would make one character if written together stay two.
    const halves = { 'x\ud83d': '\ude80y' };
    const split = roundTrip({
      ok: true,
      result: { samples: [{ name: 'n', labels: halves, value: 1, ts: 1 }] },
      durationMs: 0,
      attempts: 1,
    });
    expect(split.result?.samples[0]?.labels).toEqual({ 'x\ufffd': '\ufffdy' });
  });

  it('does not throw on a malformed sample (a driver bug): the batch still goes', () => {
    const bad = { name: undefined, labels: undefined, value: undefined, ts: undefined } as unknown as Sample;
    const outcome = roundTrip({ ok: true, result: { samples: [bad] }, durationMs: 0, attempts: 1 });
    expect(outcome.result?.samples[0]?.name).toBe('undefined');
    expect(outcome.result?.samples[0]?.labels).toEqual({});
    expect(outcome.result?.samples[0]?.value).toBeNaN();
  });

  it('the buffer can be transferred (detached after postMessage), and a wrong buffer is refused', () => {
    const buf = encodeOutcomes([[1, { ok: true, durationMs: 0, attempts: 1 }]]);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(buf, [buf]);
    expect(buf.byteLength).toBe(0);
    port1.close();
    port2.close();
    expect(() => decodeOutcomes(encodeJson({ polls: [] }))).toThrow(/not a batch of poll outcomes/);
  });
});

describe('worker batch codec: JSON (poll requests)', () => {
  it('round-trips plain values and bigints, and leaves a $big-like key among others alone', () => {
    const value = { a: [1, 'x', null, 'Бейрут 🚀'], b: { $big: '1', other: true }, c: 2n ** 64n - 1n };
    expect(decodeJson(encodeJson(value))).toEqual(value);
    expect(decodeJson(encodeJson({ polls: [{ seq: 1, id: 'r1' }] }))).toEqual({
      polls: [{ seq: 1, id: 'r1' }],
    });
  });
});

/** A value as JSON would carry it (undefined fields left out), bigints kept. */
function throughJson(value: unknown): unknown {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? { __bigint: v.toString() } : v,
  );
  return JSON.parse(text, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && '__bigint' in v ? BigInt((v as { __bigint: string }).__bigint) : v,
  );
}
