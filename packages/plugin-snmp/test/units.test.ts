/** Pure helpers: counter arithmetic, OID order, Counter64 decoding, settings validation, profiles. */
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../src/discover.js';
import {
  compareOids,
  counterDelta,
  counterRate,
  decodeCounter64,
  profileFor,
  settingsSchema,
} from '../src/index.js';

describe('counterDelta', () => {
  it('plain increase', () => {
    expect(counterDelta(100, 250, { bits: 32 })).toBe(150);
  });
  it('32-bit wrap: 2^32 − prev + cur', () => {
    expect(counterDelta(4_294_967_000, 200, { bits: 32 })).toBe(296 + 200);
  });
  it('32-bit drop from the lower half is a reset, not a wrap', () => {
    expect(counterDelta(1_000_000, 300, { bits: 32 })).toBe(300);
  });
  it('a reboot (uptime fell) counts from zero even when the new value is larger', () => {
    expect(counterDelta(100, 5000, { bits: 32, uptimeReset: true })).toBe(5000);
  });
  it('64-bit values beyond 2^53 stay exact', () => {
    expect(counterDelta(2n ** 60n, 2n ** 60n + 3n, { bits: 64 })).toBe(3n);
    expect(counterDelta(9_007_199_254_740_993n, 9_007_199_254_741_000n, { bits: 64 })).toBe(7n);
  });
  it('64-bit drop is a reset', () => {
    expect(counterDelta(2n ** 40n, 10n, { bits: 64 })).toBe(10n);
  });
  it('never negative', () => {
    for (const [a, b] of [
      [5, 1],
      [0, 0],
      [4_294_967_295, 0],
    ] as const) {
      expect(counterDelta(a, b, { bits: 32 })).toBeGreaterThanOrEqual(0);
    }
    expect(counterRate(4_294_967_000, 200, 10, { bits: 32 })).toBe(49.6);
    expect(counterRate(1, 2, 0, { bits: 32 })).toBe(0);
  });
});

describe('compareOids', () => {
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
  it('sysObjectID picks the profile', () => {
    expect(profileFor('1.3.6.1.4.1.14988.1')).toBe('mikrotik');
    expect(profileFor('1.3.6.1.4.1.9.1.359')).toBe('cisco');
    expect(profileFor('1.3.6.1.4.1.2636.1.1.1.2.41')).toBe('juniper');
    expect(profileFor('1.3.6.1.4.1.41112.1.4')).toBe('ubiquiti');
    expect(profileFor('1.3.6.1.4.1.10002.1')).toBe('ubiquiti');
    expect(profileFor('1.3.6.1.4.1.8072.3.2.10')).toBe('netsnmp');
    expect(profileFor('1.3.6.1.4.1.90')).toBe('generic');
    expect(profileFor(undefined)).toBe('generic');
  });
  it('parses CIDR ranges', () => {
    expect(parseCidr('127.0.0.5/30')).toEqual({ first: 0x7f000004, size: 4, prefix: 30 });
    expect(() => parseCidr('300.1.1.1/24')).toThrow(RangeError);
  });
});
