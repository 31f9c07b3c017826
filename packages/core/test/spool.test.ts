import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '@ispmonitor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { SampleSpool } from '../src/sinks/spool.js';
import { decodeSegment, encodeRecord } from '../src/sinks/spool-format.js';

const root = mkdtempSync(join(tmpdir(), 'ispm-spool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `s${n++}`);

const batch = (k: number, size = 3): Sample[] =>
  Array.from({ length: size }, (_, i) => ({
    name: 'interface_in_octets_total',
    labels: { device: `d${k}`, ifName: `eth${i}` },
    value: k * 1000 + i,
    ts: 1_700_000_000_000 + k,
  }));

const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.spool'));

/** Reads and acknowledges everything waiting; returns the batches in order. */
async function drain(spool: SampleSpool): Promise<Sample[][]> {
  const out: Sample[][] = [];
  for (let b = await spool.next(); b; b = await spool.next()) {
    out.push(b.samples);
    await b.ack();
  }
  return out;
}

describe('spool records', () => {
  it('round-trip every value exactly: 2^64-1, 2^63+5, NaN, ±Infinity, -0, fractions', () => {
    const values: Array<number | bigint> = [
      2n ** 64n - 1n,
      2n ** 63n + 5n,
      Number.NaN,
      Infinity,
      -Infinity,
      -0,
      0.1,
      42,
    ];
    const samples = values.map((value, i) => ({
      name: 'm',
      labels: { i: String(i), 'odd"key': 'x\ny' },
      value,
      ts: i,
    }));
    const [record] = decodeSegment(encodeRecord(samples, 123)).records;
    expect(record?.at).toBe(123);
    expect(record?.samples).toHaveLength(values.length);
    record?.samples.forEach((s, i) => {
      expect(Object.is(s.value, values[i])).toBe(true);
      expect(s.labels).toEqual(samples[i]?.labels);
    });
  });

  it('a torn last record and a flipped byte are detected: whole records before them are kept', () => {
    const a = encodeRecord(batch(1), 1);
    const b = encodeRecord(batch(2), 2);
    const torn = decodeSegment(Buffer.concat([a, b.subarray(0, b.length - 5)]));
    expect(torn.records.map((r) => r.at)).toEqual([1]);
    expect(torn.damagedBytes).toBe(b.length - 5);
    const flipped = Buffer.concat([a, b]);
    flipped[a.length + 20] = (flipped[a.length + 20] as number) ^ 0xff;
    expect(decodeSegment(flipped).records.map((r) => r.at)).toEqual([1]);
    // A length prefix pointing past the end (garbage) stops reading too, without throwing.
    const garbage = Buffer.concat([a, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4])]);
    expect(decodeSegment(garbage).records).toHaveLength(1);
  });
});

describe('SampleSpool', () => {
  it('gives batches back oldest first, deletes what was stored, and stays within its size', async () => {
    const dir = freshDir();
    const one = encodeRecord(batch(1), 10).length; // every batch(1…9) has this size
    const spool = await SampleSpool.open(dir, one * 4);
    expect(await spool.append(batch(1), 10)).toBe(true);
    expect(await spool.append(batch(2), 20)).toBe(true);
    expect(spool.oldestAt).toBe(10);
    expect(spool.bytes).toBe(2 * one);
    const first = await spool.next();
    expect(first?.samples).toEqual(batch(1));
    // Not acknowledged: asked again, the same batch comes back (the sink failed, say).
    expect((await spool.next())?.samples).toEqual(batch(1));
    await first?.ack();
    // Space is freed a segment file at a time: batch 1 still counts until batch 2 is stored.
    expect(spool.bytes).toBe(2 * one);
    // Appends while reading go to a new segment, after what waits.
    expect(await spool.append(batch(3), 30)).toBe(true);
    expect(await spool.append(batch(4), 40)).toBe(true);
    expect(await spool.append(batch(5), 50)).toBe(false); // full: nothing written
    expect((await drain(spool)).map((b) => b[0]?.ts)).toEqual(
      [batch(2), batch(3), batch(4)].map((b) => b[0]?.ts),
    );
    expect(spool.empty).toBe(true);
    expect(spool.bytes).toBe(0);
    expect(segments(dir)).toEqual([]);
    await spool.close();
  });

  it('survives a restart and a crash mid-write: whole records are replayed, the torn one is reported', async () => {
    const dir = freshDir();
    const spool = await SampleSpool.open(dir, 1 << 20);
    for (let k = 1; k <= 3; k++) await spool.append(batch(k), k);
    // A second holder of the folder is refused while the first has it.
    await expect(SampleSpool.open(dir, 1 << 20)).rejects.toThrow(/in use by process \d+ \(this process\)/);
    await spool.close();
    // The crash: half a record at the end of the last segment.
    const [last] = segments(dir).slice(-1);
    const half = encodeRecord(batch(9), 9);
    appendFileSync(join(dir, last as string), half.subarray(0, half.length >> 1));
    const damaged: number[] = [];
    const again = await SampleSpool.open(dir, 1 << 20, (bytes) => damaged.push(bytes));
    expect(again.oldestAt).toBe(1);
    expect(await drain(again)).toEqual([batch(1), batch(2), batch(3)]);
    expect(damaged).toEqual([half.length >> 1]);
    expect(segments(dir)).toEqual([]);
    await again.close();
  });

  it('a lock left by a process that is gone is taken over; an empty segment is ignored', async () => {
    const dir = freshDir();
    const spool = await SampleSpool.open(dir, 1 << 20);
    await spool.append(batch(1), 1);
    await spool.close();
    writeFileSync(`${dir}.lock`, '999999999\n');
    writeFileSync(join(dir, '000000000099.spool'), '');
    const again = await SampleSpool.open(dir, 1 << 20);
    expect(readFileSync(`${dir}.lock`, 'utf8').split('\n')[0]).toBe(String(process.pid));
    expect(await drain(again)).toEqual([batch(1)]);
    await again.close();
  });
});
