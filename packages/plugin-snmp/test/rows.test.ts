import { describe, expect, it } from 'vitest';
import { WalkedRows } from '../src/rows.js';
import { formatMac, VarbindType } from '../src/values.js';

const COLUMN = '1.3.6.1.2.1.2.2.1.10';

/** The same rows as a Map of plain varbinds, as a walk made them before. */
function asMap(
  rows: Array<[string, number, unknown]>,
): Map<string, { oid: string; type: number; value: unknown }> {
  return new Map(rows.map(([index, type, value]) => [index, { oid: `${COLUMN}.${index}`, type, value }]));
}

const plain = (vb: { oid: string; type: number; value: unknown } | undefined) =>
  vb && { oid: vb.oid, type: vb.type, value: vb.value };

describe('WalkedRows', () => {
  const rows: Array<[string, number, unknown]> = [
    ['1', VarbindType.Counter, 10],
    ['2', VarbindType.Counter, 4_294_967_295],
    ['5', VarbindType.Counter64, 2 ** 40 + 0.0],
    ['7', VarbindType.OctetString, Buffer.from('eth7')],
    ['9', VarbindType.Counter64, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0])],
    ['10.1', VarbindType.Integer, -3],
  ];

  it.each([0, 2, 6, 20])('reads like a Map of varbinds, in and out of order (capacity %i)', (capacity) => {
    const r = new WalkedRows(COLUMN, capacity);
    for (const [i, t, v] of rows) r.add(i, t, v);
    r.finish();
    const m = asMap(rows);
    expect(r.size).toBe(m.size);
    expect([...r.keys()]).toEqual([...m.keys()]);
    expect([...r.values()].map(plain)).toEqual([...m.values()]);
    expect([...r].map(([k, vb]) => [k, plain(vb)])).toEqual([...m]);
    // In order, backwards, missing, then in order again.
    for (const i of ['1', '2', '5', '7', '9', '10.1', '9', '1', '3', '10', '2', '5'])
      expect(plain(r.get(i)), i).toEqual(m.get(i));
    expect(r.has('5')).toBe(true);
    expect(r.has('6')).toBe(false);
    expect(r.numeric('2')).toBe(4_294_967_295);
    expect(r.numeric('9')).toBe(2n ** 56n);
    expect(r.numeric('10.1')).toBe(-3);
    expect(r.numeric('7')).toBeUndefined();
    expect(r.numeric('8')).toBeUndefined();
    const seen: string[] = [];
    r.forEach((vb, k) => {
      seen.push(`${k}=${vb.oid}`);
    });
    expect(seen).toEqual([...m.values()].map((vb) => `${vb.oid.slice(COLUMN.length + 1)}=${vb.oid}`));
  });

  it('a row added after an out-of-order lookup is found', () => {
    const r = new WalkedRows(COLUMN);
    r.add('1', VarbindType.Integer, 1);
    r.add('2', VarbindType.Integer, 2);
    expect(r.get('2')?.value).toBe(2);
    expect(r.get('1')?.value).toBe(1);
    r.add('3', VarbindType.Gauge, 3);
    expect(r.get('3')?.type).toBe(VarbindType.Gauge);
    expect(r.get('1')?.type).toBe(VarbindType.Integer);
  });

  it('an empty column', () => {
    const r = new WalkedRows(COLUMN, 4);
    r.finish();
    expect(r.size).toBe(0);
    expect(r.get('1')).toBeUndefined();
    expect([...r]).toEqual([]);
  });
});

describe('formatMac', () => {
  it('writes lower-case hex pairs, each byte modulo 256, for six bytes and any other count', () => {
    const old = (bytes: number[]) => bytes.map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':');
    for (const bytes of [
      [0, 1, 0xab, 0xcd, 0xef, 0xff],
      [256, 257, 300, 15, 16, 9],
      [0x4c, 0x5e, 0x0c, 0x53, 0x61, 0x01],
      [1, 2, 3],
      [],
      [0, 0, 0, 0, 0, 0, 0, 1],
    ]) {
      expect(formatMac(bytes)).toBe(old(bytes));
      expect(formatMac(Buffer.from(bytes.map((b) => b & 0xff)))).toBe(old(bytes));
    }
  });
});
