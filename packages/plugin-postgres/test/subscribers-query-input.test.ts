import { describe, expect, it } from 'vitest';
import {
  formatMac,
  normaliseIp,
  normaliseMac,
  parseIp,
  parseMac,
} from '../src/subscribers/search-address.js';
import {
  escapeLike,
  isBadQuery,
  parseSearch,
  parseWindow,
  requireIp,
  requireMac,
} from '../src/subscribers/search-terms.js';

/** The parse of a text that names several IPv4 ranges (a textual prefix matches each). */
const v4Ranges = (...ranges: Array<[string, string]>) => ({ kind: 'range', family: 4, ranges });

describe('MAC notations', () => {
  it.each([
    'AA:BB:CC:DD:EE:0F',
    'aa:bb:cc:dd:ee:0f',
    'aa-bb-cc-dd-ee-0f',
    'AA-BB-CC-DD-EE-0F',
    'aabb.ccdd.ee0f',
    'AABB.CCDD.EE0F',
    'aabbccddee0f',
    ' AABBCCDDEE0F ',
    'aa:bb:cc:dd:ee:f',
  ])('%s is aabbccddee0f', (s) => {
    expect(normaliseMac(s)).toBe('aabbccddee0f');
    expect(parseMac(s)).toEqual({ hex: 'aabbccddee0f', full: true });
  });

  it('single-digit groups as BSD prints them', () => {
    expect(normaliseMac('0:1b:63:4:45:e6')).toBe('001b630445e6');
  });

  it.each([
    ['aa:bb:cc', 'aabbcc'],
    ['aa:bb:c', 'aabbc'],
    ['aa:bb:', 'aabb'],
    ['aa-bb-cc-d', 'aabbccd'],
    ['aabb.cc', 'aabbcc'],
    ['aabb.ccdd.', 'aabbccdd'],
    ['aabb', 'aabb'],
    ['AABBCCD', 'aabbccd'],
  ])('prefix %s → %s', (s, hex) => {
    expect(parseMac(s)).toEqual({ hex, full: false });
    expect(normaliseMac(s)).toBeUndefined();
  });

  it('formats 12 hex digits with colons', () => {
    expect(formatMac('aabbccddeeff')).toBe('aa:bb:cc:dd:ee:ff');
    expect(formatMac('junk')).toBe('junk');
  });
});

describe('IP terms', () => {
  it('exact addresses', () => {
    expect(parseIp('10.1.2.3')).toEqual({ kind: 'exact', family: 4, address: '10.1.2.3' });
    expect(parseIp('2001:DB8::1')).toEqual({ kind: 'exact', family: 6, address: '2001:db8:0:0:0:0:0:1' });
    expect(parseIp('::ffff:10.0.0.1')).toEqual({
      kind: 'exact',
      family: 6,
      address: '0:0:0:0:0:ffff:a00:1',
    });
    expect(normaliseIp(' 192.0.2.1 ')).toBe('192.0.2.1');
  });

  it('CIDR blocks, host bits ignored', () => {
    expect(parseIp('10.1.0.0/16')).toEqual({
      kind: 'range',
      family: 4,
      ranges: [['10.1.0.0', '10.1.255.255']],
    });
    expect(parseIp('10.1.2.3/16')).toEqual({
      kind: 'range',
      family: 4,
      ranges: [['10.1.0.0', '10.1.255.255']],
    });
    expect(parseIp('0.0.0.0/0')).toEqual({
      kind: 'range',
      family: 4,
      ranges: [['0.0.0.0', '255.255.255.255']],
    });
    expect(parseIp('10.0.0.7/32')).toEqual({ kind: 'range', family: 4, ranges: [['10.0.0.7', '10.0.0.7']] });
    expect(parseIp('2001:db8::/32')).toEqual({
      kind: 'range',
      family: 6,
      ranges: [['2001:db8:0:0:0:0:0:0', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff']],
    });
  });

  it('textual prefixes', () => {
    expect(parseIp('10.1.')).toEqual({ kind: 'range', family: 4, ranges: [['10.1.0.0', '10.1.255.255']] });
    expect(parseIp('10.1')).toEqual(
      v4Ranges(
        ['10.1.0.0', '10.1.255.255'],
        ['10.10.0.0', '10.19.255.255'],
        ['10.100.0.0', '10.199.255.255'],
      ),
    );
    expect(parseIp('10.1.2.2')).toMatchObject({ kind: 'exact' });
    expect(parseIp('10.1.2.25')).toMatchObject({ kind: 'exact' });
    expect(parseIp('10.1.2.')).toEqual({ kind: 'range', family: 4, ranges: [['10.1.2.0', '10.1.2.255']] });
    expect(parseIp('25')).toEqual(v4Ranges(['25.0.0.0', '25.255.255.255'], ['250.0.0.0', '255.255.255.255']));
    expect(parseIp('10.0')).toEqual({ kind: 'range', family: 4, ranges: [['10.0.0.0', '10.0.255.255']] });
    expect(parseIp('2001:db8:')).toEqual({
      kind: 'range',
      family: 6,
      ranges: [['2001:db8:0:0:0:0:0:0', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff']],
    });
    expect(parseIp('2001:db8::')).toEqual(parseIp('2001:db8:'));
    expect((parseIp('2001:db8:a') as { ranges: unknown[] }).ranges).toEqual([
      ['2001:db8:a:0:0:0:0:0', '2001:db8:a:ffff:ffff:ffff:ffff:ffff'],
      ['2001:db8:a0:0:0:0:0:0', '2001:db8:af:ffff:ffff:ffff:ffff:ffff'],
      ['2001:db8:a00:0:0:0:0:0', '2001:db8:aff:ffff:ffff:ffff:ffff:ffff'],
      ['2001:db8:a000:0:0:0:0:0', '2001:db8:afff:ffff:ffff:ffff:ffff:ffff'],
    ]);
  });
});

/** Text each parser refuses: no MAC in any notation, no IP address or prefix. */
const NOT_TERMS: Array<['MAC' | 'IP term', string]> = [
  ['MAC', ''],
  ['MAC', 'abc'],
  ['MAC', 'aa:bb-cc'],
  ['MAC', 'a:b:c'],
  ['MAC', 'aa:bb:cc:dd:ee:ff:00'],
  ['MAC', 'aabbccddeeff00'],
  ['MAC', 'gg:bb:cc:dd:ee:ff'],
  ['MAC', '10.1.2.3'],
  ['MAC', 'aa.bb'],
  ['MAC', 'aabb.ccdd.eeff.0011'],
  ['MAC', 'john'],
  ['MAC', 'aa:bb:cc:dd:ee:ff\u0000'],
  ['IP term', ''],
  ['IP term', '256.1.1.1'],
  ['IP term', '10.1.2.3.4'],
  ['IP term', '10.1.0.0/33'],
  ['IP term', '2001:db8::/129'],
  ['IP term', '10..1'],
  ['IP term', '010.1.'],
  ['IP term', 'john'],
  ['IP term', '1.2.3.4/x'],
  ['IP term', '::'],
  ['IP term', 'x/8'],
];

describe('text that is no term', () => {
  it.each(NOT_TERMS)('is no %s: %j', (what, s) => {
    expect(what === 'MAC' ? parseMac(s) : parseIp(s)).toBeUndefined();
  });
});

describe('search text', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
    expect(parseSearch('  100%_Sure\\ ')).toMatchObject({
      text: '100%_sure\\',
      prefix: '100\\%\\_sure\\\\%',
      substring: '%100\\%\\_sure\\\\%',
    });
  });

  it('sees MACs and IPs in the text', () => {
    expect(parseSearch('AA-BB-CC-DD-EE-FF')).toMatchObject({ mac: { hex: 'aabbccddeeff', full: true } });
    expect(parseSearch('10.1.')).toMatchObject({ ip: { kind: 'range' } });
    expect(parseSearch('john.smith')).toMatchObject({ mac: undefined, ip: undefined });
    // MAC-shaped text is not also an IPv6 prefix; a real IPv6 prefix still is one.
    expect(parseSearch('aa:bb:cc')).toMatchObject({ mac: { hex: 'aabbcc' }, ip: undefined });
    expect(parseSearch('02:3a:4b:5c:6d:7e')).toMatchObject({ mac: { full: true }, ip: undefined });
    expect(parseSearch('2001:db8:')).toMatchObject({ mac: undefined, ip: { kind: 'range', family: 6 } });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['x'.repeat(201), /over 200/],
    ['a\u0000b', /control/],
    ['a\nb', /control/],
  ])('refuses %j', (s, msg) => {
    let err: unknown;
    try {
      parseSearch(s);
    } catch (e) {
      err = e;
    }
    expect(isBadQuery(err)).toBe(true);
    expect((err as Error).message).toMatch(msg);
  });

  it('accepts unicode and SQL as plain text', () => {
    expect(parseSearch("Zoë'; DROP TABLE x;--").text).toBe("zoë'; drop table x;--");
    expect(parseSearch('x'.repeat(200)).text).toHaveLength(200);
  });

  it('history arguments', () => {
    expect(requireMac('AABB.CCDD.EEFF')).toBe('aabbccddeeff');
    expect(() => requireMac('aabb')).toThrow(/not a MAC/);
    expect(() => requireMac(42)).toThrow(/not a MAC/);
    expect(requireIp('10.0.0.1')).toBe('10.0.0.1');
    expect(() => requireIp('10.0.0.0/8')).toThrow(/not an IP/);
    expect(parseWindow(undefined, 100, 1000)).toEqual({ from: null, to: null, limit: 100 });
    expect(parseWindow({ limit: 5000 }, 100, 1000).limit).toBe(1000);
    expect(() => parseWindow({ from: 2, to: 1 }, 100, 1000)).toThrow(/after/);
    expect(() => parseWindow({ limit: 0 }, 100, 1000)).toThrow(/limit/);
    expect(() => parseWindow({ from: Number.NaN }, 100, 1000)).toThrow(/not a time/);
  });
});
