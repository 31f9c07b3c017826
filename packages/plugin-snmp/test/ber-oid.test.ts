/**
 * The fast OID reader installed on net-snmp's BER reader gives what the stock one gives on every
 * OID of every recording and on random OIDs, decodes what the stock one gets wrong (arcs ≥ 2^32,
 * 2.y with y ≥ 40) exactly, and rejects malformed encodings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipTitle } from '@ispmonitor/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  berReaderClass,
  checkOidContents,
  decodeOidContents,
  installFastOidReader,
  stockOidReader,
} from '../src/ber-oid.js';
import { noSnmprec, snmprecDir } from './support/peers.js';

/** X.690 §8.19 encoder written for the test (BigInt, so any arc size). */
function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(BigInt);
  const subids = [(arcs[0] as bigint) * 40n + (arcs[1] as bigint), ...arcs.slice(2)];
  const contents: number[] = [];
  for (const s of subids) {
    const groups: number[] = [];
    let v = s;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i] = (groups[i] as number) | 0x80;
    contents.push(...groups);
  }
  return tlv(0x06, contents);
}

function tlv(tag: number, contents: number[]): Buffer {
  const n = contents.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.from([tag, ...length, ...contents]);
}

type Reader = ReturnType<typeof berReaderClass>;
let Reader: Reader;
let stock: (this: unknown, tag?: number) => string | null;

const fast = (buf: Buffer) => new Reader(buf).readOID();
const old = (buf: Buffer) => stock.call(new Reader(buf));

beforeAll(() => {
  expect(installFastOidReader()).toBe(true);
  Reader = berReaderClass();
  stock = stockOidReader() as typeof stock;
  expect(stock).toBeTypeOf('function');
  expect(Reader.prototype.readOID).not.toBe(stock);
});

describe('fast OID reader', () => {
  it.skipIf(noSnmprec)(
    skipTitle('matches the stock reader on every OID of every recording', noSnmprec),
    () => {
      let checked = 0;
      for (const file of readdirSync(snmprecDir as string).filter((f) => f.endsWith('.snmprec'))) {
        for (const line of readFileSync(join(snmprecDir as string, file), 'utf8').split('\n')) {
          const [oid, type, value] = line.split('|');
          const oids = [oid];
          if (type === '6' && value) oids.push(value);
          for (const o of oids) {
            if (!o || !/^\d+(\.\d+)+$/.test(o)) continue;
            const buf = encodeOid(o);
            expect(fast(buf)).toBe(o);
            expect(old(buf)).toBe(o);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(10_000);
    },
  );

  it('matches the stock reader on random OIDs with arcs up to 2^32 − 1', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const arc = () => {
      const r = rand();
      // Mostly small arcs, as on the wire, with every octet count up to five represented.
      if (r < 0.5) return Math.floor(rand() * 128);
      if (r < 0.7) return Math.floor(rand() * 16_384);
      if (r < 0.8) return Math.floor(rand() * 2 ** 21);
      if (r < 0.9) return Math.floor(rand() * 2 ** 28);
      return 2 ** 28 + Math.floor(rand() * (2 ** 32 - 2 ** 28));
    };
    for (let n = 0; n < 20_000; n++) {
      const x = Math.floor(rand() * 3);
      const y = Math.floor(rand() * 40);
      const rest = Array.from({ length: Math.floor(rand() * 20) }, arc);
      const dotted = [x, y, ...rest].join('.');
      const buf = encodeOid(dotted);
      expect(fast(buf)).toBe(dotted);
      expect(old(buf)).toBe(dotted);
    }
    expect(fast(encodeOid('1.3.6.1.4.1.4294967295.0'))).toBe('1.3.6.1.4.1.4294967295.0');
    expect(fast(encodeOid('1.3.268435456.268435455'))).toBe('1.3.268435456.268435455');
  });

  it('decodes exactly what the stock reader gets wrong: arcs ≥ 2^32, 2.y with y ≥ 40', () => {
    for (const dotted of ['2.100.3', '2.999', '2.40', '1.3.4294967296', '1.3.9007199254740991.1']) {
      expect(fast(encodeOid(dotted))).toBe(dotted);
    }
  });

  it('reads at the offset and moves past the OID; a custom tag is honoured', () => {
    const two = Buffer.concat([encodeOid('1.3.6.1.2.1.1.3.0'), encodeOid('1.3.6.1.2.1.2.2.1.10.4')]);
    const r = new Reader(two);
    expect(r.readOID()).toBe('1.3.6.1.2.1.1.3.0');
    expect(r.readOID()).toBe('1.3.6.1.2.1.2.2.1.10.4');
    expect(r.readOID()).toBeNull();
    const tagged = Buffer.from(encodeOid('1.3.6'));
    tagged[0] = 0x80;
    expect(new Reader(tagged).readOID(0x80)).toBe('1.3.6');
    // A long-form length.
    const long = tlv(0x06, [0x2b, ...Array.from({ length: 200 }, () => 1)]);
    expect(fast(long)).toBe(`1.3${'.1'.repeat(200)}`);
    expect(fast(long)).toBe(old(long));
  });

  it('returns null without moving when the buffer ends inside the OID, like the stock reader', () => {
    const full = encodeOid('1.3.6.1.2.1.1.5.0');
    for (let cut = 0; cut < full.length; cut++) {
      const r = new Reader(full.subarray(0, cut));
      expect(r.readOID()).toBeNull();
      expect(r._offset).toBe(0);
      expect(old(full.subarray(0, cut))).toBeNull();
    }
  });

  it('rejects malformed encodings', () => {
    expect(() => fast(Buffer.from([0x04, 1, 0x2b]))).toThrow(/Expected 0x6/);
    expect(() => fast(Buffer.from([0x06, 0x80, 0x2b]))).toThrow(/Indefinite/);
    expect(() => fast(Buffer.from([0x06, 0]))).toThrow(/empty/);
    expect(() => fast(Buffer.from([0x06, 2, 0x2b, 0x86]))).toThrow(/inside a subidentifier/);
    expect(() => fast(tlv(0x06, [0x2b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))).toThrow(
      /too large/,
    );
    expect(() => decodeOidContents(Buffer.from([0x2b]), 1, 1)).toThrow(/empty/);
  });

  it('checks arcs exactly as it decodes them: long subidentifiers up to the largest safe integer', () => {
    /** Subidentifier octets of `arc` (bigint, base 128), optionally padded with leading 0x80s. */
    const sub = (arc: bigint, pad = 0): number[] => {
      const out = [Number(arc & 0x7fn)];
      for (let v = arc >> 7n; v > 0n; v >>= 7n) out.unshift(Number(v & 0x7fn) | 0x80);
      return [...new Array(pad).fill(0x80), ...out];
    };
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    const cases = [
      ...[2n ** 42n, 2n ** 48n, 2n ** 49n, max - 127n, max, max + 1n, 2n ** 56n].map((a) => [
        0x2b,
        ...sub(a),
      ]),
      [0x2b, ...sub(5n, 9)], // non-minimal: ten octets for 5
      [0x2b, ...sub(max, 2), 1],
      [0x2b, ...sub(max + 1n, 1), 1],
    ];
    for (const c of cases) {
      const buf = Buffer.from(c);
      let decoded: string | Error;
      try {
        decoded = decodeOidContents(buf, 0, buf.length);
      } catch (err) {
        decoded = err as Error;
      }
      if (decoded instanceof Error) expect(() => checkOidContents(buf, 0, buf.length)).toThrow(/too large/);
      else expect(() => checkOidContents(buf, 0, buf.length)).not.toThrow();
    }
    expect(decodeOidContents(Buffer.from([0x2b, ...sub(max)]), 0, 1 + sub(max).length)).toBe(`1.3.${max}`);
    expect(() =>
      checkOidContents(Buffer.from([0x2b, ...sub(max + 1n)]), 0, 1 + sub(max + 1n).length),
    ).toThrow(/too large/);
  });
});
