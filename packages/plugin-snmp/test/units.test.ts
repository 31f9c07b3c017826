/** Pure helpers: counter arithmetic, OID order, Counter64 decoding, settings validation, profiles. */
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../src/discover.js';
import { compareOids, decodeCounter64, profileFor, settingsSchema } from '../src/index.js';
import { counter64Value } from '../src/values.js';

describe('compareOids', () => {
  it('compares only what follows a shared prefix when told where it ends', () => {
    const col = '1.3.6.1.2.1.31.1.1.1.6';
    const from = col.length + 1;
    expect(compareOids(`${col}.9`, `${col}.10`, from)).toBeLessThan(0);
    expect(compareOids(`${col}.10`, `${col}.9`, from)).toBeGreaterThan(0);
    expect(compareOids(`${col}.7.1`, `${col}.7`, from)).toBeGreaterThan(0);
    expect(compareOids(`${col}.4294967295`, `${col}.4294967295`, from)).toBe(0);
    for (const [a, b] of [
      ['5', '12'],
      ['12.3', '12.3.0'],
      ['3.2', '3.1'],
    ] as const) {
      expect(Math.sign(compareOids(`${col}.${a}`, `${col}.${b}`, from))).toBe(
        Math.sign(compareOids(`${col}.${a}`, `${col}.${b}`)),
      );
    }
  });

  it('orders numerically, arc by arc, prefixes first', () => {
    expect(compareOids('1.3.6.1.2', '1.3.6.1.10')).toBeLessThan(0);
    expect(compareOids('1.3.6.1.2.1', '1.3.6.1.2')).toBeGreaterThan(0);
    expect(compareOids('1.3.6', '1.3.6')).toBe(0);
    expect(compareOids('1.3.6.1.4294967295', '1.3.6.1.4294967294')).toBeGreaterThan(0);
  });
});

describe('decodeCounter64', () => {
  it('decodes big-endian buffers of any length exactly', () => {
    expect(decodeCounter64(Buffer.from([]))).toBe(0n);
    expect(decodeCounter64(Buffer.from([0x01, 0x00]))).toBe(256n);
    expect(decodeCounter64(Buffer.from('0027bd266fcad4da', 'hex'))).toBe(11185496873686234n);
    expect(decodeCounter64(Buffer.from('00ffffffffffffffff', 'hex'))).toBe(2n ** 64n - 1n);
  });
  it('rejects values wider than 64 bits', () => {
    expect(decodeCounter64(Buffer.from('01ffffffffffffffff', 'hex'))).toBeUndefined();
    expect(decodeCounter64(Buffer.alloc(20, 0xff))).toBeUndefined();
  });
  it('counter64Value (the number fast path) agrees with decodeCounter64 on every length', () => {
    const reference = (b: Buffer) => {
      const big = decodeCounter64(b);
      return big === undefined ? undefined : big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    };
    const samples: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('001fffffffffffff', 'hex'),
      Buffer.from('0020000000000000', 'hex'),
    ];
    let seed = 7;
    for (let n = 0; n < 5000; n++) {
      const len = n % 11;
      const b = Buffer.alloc(len);
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        // Leading zeros now and then, as BER encodes them.
        b[i] = i < (seed >> 8) % 4 ? 0 : seed & 0xff;
      }
      samples.push(b);
    }
    for (const b of samples) expect(counter64Value(b)).toStrictEqual(reference(b));
    expect(counter64Value(Buffer.from('0000ffffffffffff', 'hex'))).toBe(2 ** 48 - 1);
    expect(counter64Value(Buffer.from('00ffffffffffffffff', 'hex'))).toBe(2n ** 64n - 1n);
  });
});

describe('settings', () => {
  it('no version means v3, which needs credentials', () => {
    const r = settingsSchema.safeParse({ community: 'public' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join()).toMatch(/SNMPv3 needs a username/);
  });
  it('v2c needs a community: there is no public default', () => {
    expect(settingsSchema.safeParse({ version: '2c' }).success).toBe(false);
    expect(settingsSchema.parse({ version: '2c', community: 'c' }).timeout).toBe(2000);
  });
  it('DES is refused with advice', () => {
    const r = settingsSchema.safeParse({
      version: '3',
      username: 'u',
      authProtocol: 'sha256',
      authKey: 'authkey123',
      privProtocol: 'des',
      privKey: 'privkey123',
    });
    expect(r.error?.issues[0]?.message).toMatch(/OpenSSL 3.*AES.*--openssl-legacy-provider/);
  });
  it('custom metric names must follow Prometheus naming', () => {
    const bad = settingsSchema.safeParse({
      version: '2c',
      community: 'c',
      oids: [{ name: 'bad-name', oid: '1.3.6.1.2.1.1.3.0' }],
    });
    expect(bad.success).toBe(false);
    const ok = settingsSchema.parse({
      version: '2c',
      community: 'c',
      oids: [{ name: 'my_metric', oid: '.1.3.6.1.2.1.1.3.0' }],
    });
    expect(ok.oids[0]?.oid).toBe('1.3.6.1.2.1.1.3.0');
  });
});

describe('profiles and ranges', () => {
  it.each([
    ['1.3.6.1.4.1.14988.1', 'mikrotik'],
    ['1.3.6.1.4.1.9.1.359', 'cisco'],
    ['1.3.6.1.4.1.2636.1.1.1.2.41', 'juniper'],
    ['1.3.6.1.4.1.41112.1.4', 'ubiquiti'],
    ['1.3.6.1.4.1.10002.1', 'ubiquiti'],
    ['1.3.6.1.4.1.8072.3.2.10', 'netsnmp'],
    ['1.3.6.1.4.1.90', 'generic'],
    [undefined, 'generic'],
  ])('sysObjectID %s picks the %s profile', (sysObjectId, profile) => {
    expect(profileFor(sysObjectId)).toBe(profile);
  });
  it('parses CIDR ranges', () => {
    expect(parseCidr('127.0.0.5/30')).toEqual({ first: 0x7f000004, size: 4, prefix: 30 });
    expect(() => parseCidr('300.1.1.1/24')).toThrow(RangeError);
  });
});
