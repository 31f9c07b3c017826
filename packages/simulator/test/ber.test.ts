import { describe, expect, it } from 'vitest';
import {
  BerError,
  BerReader,
  compareOids,
  encodeOidContent,
  encodeSignedContent,
  encodeUnsignedContent,
  parseOid,
} from '../src/snmp/ber.js';
import { decodeRequest } from '../src/snmp/message.js';
import { counter32, counter64, gauge32, integer, timeTicks } from '../src/snmp/values.js';
import { request } from './support/request.js';

const hex = (b: Buffer) => b.toString('hex');

describe('BER encoding (X.690 vectors)', () => {
  it('encodes signed integers minimally in two’s complement', () => {
    expect(hex(encodeSignedContent(0))).toBe('00');
    expect(hex(encodeSignedContent(127))).toBe('7f');
    expect(hex(encodeSignedContent(128))).toBe('0080');
    expect(hex(encodeSignedContent(-1))).toBe('ff');
    expect(hex(encodeSignedContent(-128))).toBe('80');
    expect(hex(encodeSignedContent(-129))).toBe('ff7f');
    expect(hex(integer(-63))).toBe('0201c1');
    // Edges of the 32-bit fast path and the BigInt path beyond it.
    expect(hex(encodeSignedContent(32768))).toBe('008000');
    expect(hex(encodeSignedContent(-32769))).toBe('ff7fff');
    expect(hex(encodeSignedContent(0x7fffffff))).toBe('7fffffff');
    expect(hex(encodeSignedContent(-0x80000000))).toBe('80000000');
    expect(hex(encodeSignedContent(0x80000000))).toBe('0080000000');
    expect(hex(encodeSignedContent(-(2n ** 40n)))).toBe('ff0000000000');
  });

  it('encodes unsigned application types with a leading zero when the top bit is set', () => {
    expect(hex(encodeUnsignedContent(255))).toBe('00ff');
    expect(hex(encodeUnsignedContent(0xffffffff))).toBe('00ffffffff');
    expect(hex(gauge32(2 ** 40))).toBe('420500ffffffff');
    expect(hex(counter64((1n << 64n) - 1n))).toBe('460900ffffffffffffffff');
    expect(hex(counter64(1n << 64n))).toBe('460100');
  });

  it('wraps Counter32 and TimeTicks at 2^32', () => {
    expect(hex(counter32(2 ** 32 + 5))).toBe('410105');
    expect(hex(counter32((1n << 40n) + 7n))).toBe('410107');
    expect(hex(timeTicks(2 ** 32))).toBe('430100');
  });

  it('encodes and decodes OIDs, including multi-byte arcs and 1.0.x', () => {
    expect(hex(encodeOidContent(parseOid('1.3.6.1.4.1.14988.1')))).toBe('2b06010401f50c01');
    expect(hex(encodeOidContent([1, 0, 8802]))).toBe('28c462');
    const arcs = [1, 3, 6, 1, 4, 1, 4294967295, 0];
    const content = encodeOidContent(arcs);
    const msg = Buffer.concat([Buffer.from([6, content.length]), content]);
    expect(new BerReader(msg).readOid()).toEqual(arcs);
  });

  it('orders OIDs lexicographically by arc, not by text', () => {
    const sorted = [
      '1.3.6.1.2.1.2.2.1.10.2',
      '1.3.6.1.2.1.2.2.1.2.10',
      '1.3.6.1.2.1.2.2.1.2.9',
      '1.3.6.1.2.1.2.2.1.2',
    ]
      .map(parseOid)
      .sort(compareOids)
      .map((o) => o.join('.'));
    expect(sorted).toEqual([
      '1.3.6.1.2.1.2.2.1.2',
      '1.3.6.1.2.1.2.2.1.2.9',
      '1.3.6.1.2.1.2.2.1.2.10',
      '1.3.6.1.2.1.2.2.1.10.2',
    ]);
  });
});

describe('BER decoding rejects malformed input with BerError', () => {
  const good = request({ oids: ['1.3.6.1.2.1.1.1.0'] });

  it('decodes a well-formed request', () => {
    const r = decodeRequest(good);
    expect(r.oids.map((o) => o.join('.'))).toEqual(['1.3.6.1.2.1.1.1.0']);
    expect(r.community.toString()).toBe('public');
  });

  it('throws BerError (never anything else) for every truncation and for random bytes', () => {
    for (let n = 0; n < good.length; n++) {
      expect(() => decodeRequest(good.subarray(0, n))).toThrow(BerError);
    }
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(good);
      // Flip a few bytes of a valid message: the nastiest inputs are almost-valid ones.
      for (let k = 0; k < 3; k++) junk[rand() % junk.length] = rand();
      try {
        decodeRequest(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(BerError);
      }
    }
  });

  it('rejects indefinite lengths, huge lengths, overlong OID arcs and SNMPv3', () => {
    expect(() => decodeRequest(Buffer.from('3080020101', 'hex'))).toThrow(BerError);
    expect(() => decodeRequest(Buffer.from('3084ffffffff020101', 'hex'))).toThrow(BerError);
    const arc = Buffer.from('060a2b8fffffffffffffff7f', 'hex');
    expect(() => new BerReader(arc).readOid()).toThrow(BerError);
    expect(() => decodeRequest(request({ oids: ['1.3.6.1'], version: 3 as 1 }))).toThrow(/version 3/);
  });
});
