import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipTitle } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/shared-data.js';
import {
  parseBool,
  parseCounter,
  parseDuration,
  parseId,
  parseNumber,
  parsePair,
  parseRate,
  parseSignal,
  parseSize,
  parseVersion,
} from '../src/values.js';

const { path: dataDir, absent } = sharedData('routeros');
const load = (f: string) => JSON.parse(readFileSync(join(dataDir, f), 'utf8'));

describe('parseDuration', () => {
  it.each([
    ['1w1h10m14s', 7 * 86400 + 3600 + 600 + 14],
    ['21m57s', 21 * 60 + 57],
    ['8m3s', 483],
    ['45s', 45],
    ['2d', 172800],
    ['150ms', 0.15],
    ['10us', 0.00001],
    ['1s500ms', 1.5],
    ['00:05:10', 310],
    ['1d00:00:01', 86401],
    ['2w3d04:05:06', 2 * 604800 + 3 * 86400 + 4 * 3600 + 5 * 60 + 6],
  ])('%s → %d s', (text, seconds) => expect(parseDuration(text)).toBeCloseTo(seconds, 9));

  it.each(['', 'never', '5x', '1h1', '10:5', undefined])('rejects %s', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('scalar parsers', () => {
  it('booleans', () => {
    expect([parseBool('true'), parseBool('yes'), parseBool('false'), parseBool('no')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(parseBool('True')).toBeUndefined();
    expect(parseBool('')).toBeUndefined();
  });
  it('counters stay exact beyond 2^53', () => {
    expect(parseCounter('194632346152')).toBe(194632346152);
    expect(parseCounter('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseCounter('9007199254740993')).toBe(9007199254740993n);
    expect(parseCounter('1.5')).toBeUndefined();
  });
  it('pairs with , and /', () => {
    expect(parsePair('123,456')).toEqual([123, 456]);
    expect(parsePair('0/99999999999999999999')).toEqual([0, 99999999999999999999n]);
    expect(parsePair('1,2,3')).toBeUndefined();
    expect(parsePair('a,b')).toBeUndefined();
  });
  it('signals', () => {
    expect(parseSignal('-62@6Mbps')).toEqual({ dbm: -62, at: '6Mbps' });
    expect(parseSignal('-62@HT20-7')).toEqual({ dbm: -62, at: 'HT20-7' });
    expect(parseSignal('-71')).toEqual({ dbm: -71 });
    expect(parseSignal('strong')).toBeUndefined();
  });
  it('rates', () => {
    expect(parseRate('866.6Mbps-80MHz/2S/SGI')).toBe(866_600_000);
    expect(parseRate('6Mbps')).toBe(6_000_000);
    expect(parseRate('1.3Gbps')).toBe(1_300_000_000);
    expect(parseRate('54Mbps-20MHz/1S')).toBe(54_000_000);
    expect(parseRate('HT20-7')).toBeUndefined();
  });
  it('ids, sizes, numbers, versions', () => {
    expect(parseId('*1A')).toBe(26);
    expect(parseId('*1')).toBe(1);
    expect(parseId('1A')).toBeUndefined();
    expect(parseSize('64.0MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('1024KiB')).toBe(1024 * 1024);
    expect(parseSize('10M')).toBe(10_000_000);
    expect(parseSize('1.5k')).toBe(1500);
    expect(parseSize('1495040')).toBe(1495040);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseNumber('24.1')).toBe(24.1);
    expect(parseNumber('-3')).toBe(-3);
    expect(parseNumber('x')).toBeUndefined();
    expect(parseVersion('7.16 (stable)')).toEqual({ major: 7, minor: 16, patch: 0 });
    expect(parseVersion('6.49.10 (long-term)')).toEqual({ major: 6, minor: 49, patch: 10 });
  });
});

describe.skipIf(absent)(
  skipTitle('parsers against the RouterOS 7.16 captures in ../shared/data/routeros', absent),
  () => {
    it('every /interface value of the capture parses with the parser of its attribute', () => {
      const rows = load('telegraf_interface.json') as Array<Record<string, string>>;
      let checked = 0;
      for (const row of rows) {
        for (const [key, value] of Object.entries(row)) {
          if (/(byte|packet|drop|error|mtu|link-downs)$/.test(key)) {
            expect(parseCounter(value), `${key}=${value}`).not.toBeUndefined();
            checked++;
          } else if (key === 'running' || key === 'disabled' || key === 'slave') {
            expect(parseBool(value), `${key}=${value}`).not.toBeUndefined();
            checked++;
          } else if (key === '.id') {
            expect(parseId(value)).toBeGreaterThan(0);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(60);
      expect(parseCounter(rows[0]?.['rx-byte'])).toBe(194632346152);
    });

    it('lease durations, statuses and ids of the capture', () => {
      const rows = load('telegraf_ip_dhcp_server_lease.json') as Array<Record<string, string>>;
      expect(rows.map((r) => parseDuration(r['expires-after']))).toEqual([21 * 60 + 57, 28 * 60 + 58]);
      expect(rows.map((r) => parseDuration(r['last-seen']))).toEqual([483, 62]);
      expect(rows.map((r) => parseId(r['.id']))).toEqual([5, 9]);
      for (const r of rows)
        for (const k of ['blocked', 'disabled', 'dynamic', 'radius']) expect(parseBool(r[k])).toBe(false);
    });

    it('system resource values of the capture', () => {
      const r = load('telegraf_system_resource.json') as Record<string, string>;
      expect(parseDuration(r.uptime)).toBe(7 * 86400 + 3600 + 610 + 4);
      expect(parseVersion(r.version)).toEqual({ major: 7, minor: 16, patch: 0 });
      for (const k of [
        'cpu-load',
        'free-memory',
        'total-memory',
        'free-hdd-space',
        'total-hdd-space',
        'cpu-count',
      ]) {
        expect(parseNumber(r[k]), k).not.toBeUndefined();
      }
      expect(parseSize(r['total-memory'])).toBe(134217728);
    });
  },
);
