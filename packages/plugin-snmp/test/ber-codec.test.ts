/**
 * Our v1/v2c codec (src/ber) on messages built by the test's own encoder: Counter64 values read
 * exactly whatever their length (a number below 2^53, a bigint beyond), and a checked answer read
 * in place giving the varbinds the object decoder gives.
 */
import { describe, expect, it } from 'vitest';
import { VarbindReader } from '../src/ber/reader.js';
import { decodeCommunityMessage, valueAt } from '../src/ber/response.js';
import { decodeOidContents } from '../src/ber-oid.js';
import { decodeCounter64, numericValue } from '../src/values.js';
import { response, type Value } from './support/ber.js';

/** Counter64 contents octets of every length 0–9, at the edges of 2^48, 2^53 and 2^64. */
const counters: Buffer[] = [
  Buffer.from([]),
  Buffer.from([0]),
  Buffer.from([0x7f]),
  Buffer.from([0x00, 0xff]),
  Buffer.from('ffffffffffff', 'hex'), // 2^48 − 1
  Buffer.from('01000000000000', 'hex'), // 2^48
  Buffer.from('1fffffffffffff', 'hex'), // 2^53 − 1
  Buffer.from('20000000000000', 'hex'), // 2^53
  Buffer.from('0027bd266fcad4da', 'hex'),
  Buffer.from('7fffffffffffffff', 'hex'),
  Buffer.from('00ffffffffffffffff', 'hex'), // 2^64 − 1 with its leading zero
  Buffer.from('000000001fffffffffffff', 'hex'), // leading zeros beyond 9 octets
];

describe('v1/v2c response decoding', () => {
  it('reads every Counter64 exactly: a number below 2^53, a bigint beyond, as decodeCounter64', () => {
    const msg = response(
      1,
      'c',
      42,
      counters.map((value, i): [string, Value] => [
        `1.3.6.1.2.1.31.1.1.1.6.${i + 1}`,
        { type: 'counter64', value },
      ]),
    );
    const decoded = decodeCommunityMessage(msg);
    expect(decoded.count).toBe(counters.length);
    for (const [i, vb] of decoded.varbinds.entries()) {
      const b = counters[i] as Buffer;
      const exact = decodeCounter64(b.length > 9 ? b.subarray(b.length - 9) : b);
      const want =
        exact === undefined ? undefined : exact <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(exact) : exact;
      if (b.length <= 9) expect(numericValue(vb), b.toString('hex')).toStrictEqual(want);
      // Below 2^53 the decoder hands over a number (no Buffer view).
      if (typeof want === 'number') expect(typeof vb.value, b.toString('hex')).toBe('number');
    }
  });

  it('a checked answer read in place gives the same OIDs, types and values as the decoded one', () => {
    const varbinds: Array<[string, Value]> = [
      ['1.3.6.1.2.1.1.1.0', { type: 'string', value: 'Cisco IOS' }],
      ['1.3.6.1.2.1.1.2.0', { type: 'oid', value: '1.3.6.1.4.1.9.1.359' }],
      ['1.3.6.1.2.1.1.3.0', { type: 'ticks', value: 123456 }],
      ['1.3.6.1.2.1.2.2.1.10.4', { type: 'counter32', value: 0xffffffff }],
      ['1.3.6.1.2.1.2.2.1.5.4', { type: 'gauge', value: 1e9 }],
      ['1.3.6.1.2.1.2.2.1.8.4', { type: 'int', value: -3 }],
      ['1.3.6.1.2.1.31.1.1.1.6.4', { type: 'counter64', value: Buffer.from('0027bd266fcad4da', 'hex') }],
      ['1.3.6.1.2.1.4.20.1.1.10.0.0.1', { type: 'raw', value: Buffer.from([0x40, 4, 10, 0, 0, 1]) }],
      ['1.3.6.1.2.1.2.2.1.6.4', { type: 'string', value: Buffer.from('00000c123456', 'hex') }],
      ['1.3.6.1.2.1.99', { type: 'endOfMibView' }],
    ];
    const msg = response(1, 'c', 7, varbinds);
    const objects = decodeCommunityMessage(msg);
    const checked = decodeCommunityMessage(msg, () => true);
    expect(checked.varbinds).toEqual([]);
    expect(checked.count).toBe(varbinds.length);
    const reader = new VarbindReader(checked);
    const read = [];
    while (reader.next()) {
      read.push({
        oid: decodeOidContents(reader.buf, reader.oidStart, reader.oidEnd),
        type: reader.type,
        value: valueAt(reader.buf, reader.type, reader.valueStart, reader.valueEnd),
      });
    }
    expect(read).toEqual(objects.varbinds);
  });

  it('a checked answer fails exactly as a decoded one does', () => {
    const bad = response(1, 'c', 9, [
      ['1.3.6.1.2.1.4.20.1.1.1', { type: 'raw', value: Buffer.from([0x40, 3, 10, 0, 0]) }],
    ]);
    expect(() => decodeCommunityMessage(bad)).toThrow(/IpAddress not 4 octets/);
    expect(() => decodeCommunityMessage(bad, () => true)).toThrow(/IpAddress not 4 octets/);
    const badOid = response(1, 'c', 9, [
      ['1.3.6.1.2.1.1.2.0', { type: 'raw', value: Buffer.from([0x06, 2, 0x2b, 0x86]) }],
    ]);
    expect(() => decodeCommunityMessage(badOid)).toThrow(/bad OID value/);
    expect(() => decodeCommunityMessage(badOid, () => true)).toThrow(/bad OID value/);
  });
});
