import { describe, expect, it } from 'vitest';
import { formatTime } from '../ui/src/lib/format.js';
import {
  checkQuery,
  groupHits,
  hitHref,
  hitWhere,
  isSearchShortcut,
  MAX_QUERY,
} from '../ui/src/lib/search.js';
import { gapsBefore, reconnectTone, sessionDuration, sessionTraffic } from '../ui/src/lib/sessions.js';
import type { SearchHit } from '../ui/src/lib/subscriber-types.js';

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const sub = (over: Partial<Extract<SearchHit, { kind: 'subscriber' }>> = {}): SearchHit => ({
  kind: 'subscriber',
  user: 'alice',
  active: true,
  router: 'bng-1',
  interface: '<pppoe-alice>',
  address: '10.1.0.7',
  mac: 'aa:bb:cc:00:11:22',
  since: NOW - 3 * 3_600_000 - 5 * 60_000,
  lastSeen: NOW,
  match: 'exact',
  ...over,
});

describe('global search logic', () => {
  it('sends nothing for empty, blank, over-long or control-character input', () => {
    expect(checkQuery('')).toEqual({ skip: 'empty' });
    expect(checkQuery('   \t ')).toEqual({ skip: 'empty' });
    expect(checkQuery('x'.repeat(MAX_QUERY + 1))).toEqual({ skip: 'too long' });
    expect(checkQuery(`  ${'x'.repeat(MAX_QUERY)}  `)).toEqual({ q: 'x'.repeat(MAX_QUERY) });
    expect(checkQuery('ab\u0000c')).toEqual({ skip: 'invalid' });
    expect(checkQuery(" ' OR 1=1 -- ")).toEqual({ q: "' OR 1=1 --" });
  });

  it('groups hits by kind in a fixed order, keeping the server order inside a group', () => {
    const hits: SearchHit[] = [
      sub({ user: 'b' }),
      {
        kind: 'router',
        id: 'r1',
        name: 'R1',
        host: '10.0.0.1',
        labels: {},
        status: 'online',
        match: 'prefix',
      },
      sub({ user: 'a' }),
    ];
    const g = groupHits(hits);
    expect(g.map((x) => x.kind)).toEqual(['router', 'subscriber']);
    expect(g[1]?.hits.map((x) => (x.kind === 'subscriber' ? x.user : ''))).toEqual(['b', 'a']);
  });

  it('opens each hit on its page, encoding the path', () => {
    expect(hitHref(sub({ user: 'a/b c' }))).toBe('/subscribers/a%2Fb%20c');
    expect(
      hitHref({
        kind: 'ip',
        ip: '2001:db8::1',
        source: 'dhcp',
        router: 'r',
        user: null,
        mac: null,
        hostName: null,
        active: false,
        since: 0,
        lastSeen: 0,
        match: 'exact',
      }),
    ).toBe('/ips/2001%3Adb8%3A%3A1');
  });

  it('says where a subscriber is now, or when it was last seen', () => {
    // RouterOS's `<pppoe-USER>` only repeats the user: left out; another interface is shown.
    expect(hitWhere(sub(), NOW)).toBe('on bng-1 for 3h 5m · 10.1.0.7 · aa:bb:cc:00:11:22');
    expect(hitWhere(sub({ interface: 'vlan100' }), NOW)).toBe(
      'on bng-1 for 3h 5m · vlan100 · 10.1.0.7 · aa:bb:cc:00:11:22',
    );
    expect(hitWhere(sub({ active: false, lastSeen: NOW - 2 * 86_400_000 }), NOW)).toBe(
      'last seen 2d ago on bng-1 · 10.1.0.7 · aa:bb:cc:00:11:22',
    );
  });

  it("names the interface that holds a router's own address", () => {
    const hit = {
      kind: 'ip' as const,
      ip: '172.16.0.1',
      source: 'interface' as const,
      router: 'bng-1',
      user: null,
      mac: null,
      hostName: null,
      interface: 'ether1',
      active: true,
      since: NOW - 3600_000,
      lastSeen: NOW,
      match: 'exact' as const,
    };
    expect(hitWhere(hit, NOW)).toBe('interface · ether1 · on bng-1 for 1h');
  });

  it('focuses on / outside text fields and on Ctrl+K / Cmd+K anywhere', () => {
    const k = (key: string, m: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
      key,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      ...m,
    });
    expect(isSearchShortcut(k('/'), false)).toBe(true);
    expect(isSearchShortcut(k('/'), true)).toBe(false);
    expect(isSearchShortcut(k('k', { ctrlKey: true }), true)).toBe(true);
    expect(isSearchShortcut(k('K', { metaKey: true }), false)).toBe(true);
    expect(isSearchShortcut(k('k'), false)).toBe(false);
  });
});

describe('session words', () => {
  it('durations run to now while a session is active', () => {
    expect(sessionDuration({ start: NOW - 90_000, end: null }, NOW)).toBe('1m 30s');
    expect(sessionDuration({ start: NOW - 2 * 86_400_000, end: NOW - 86_400_000 + 3_600_000 }, NOW)).toBe(
      '1d 1h',
    );
  });
  it('traffic is down then up, and a dash when not reported', () => {
    expect(sessionTraffic({ bytesIn: 1024, bytesOut: 3 * 1024 ** 3 })).toBe('↓ 3.0 GiB ↑ 1.0 KiB');
    expect(sessionTraffic({ bytesIn: null, bytesOut: null })).toBe('–');
  });
  it('the offline gap before each session comes from the next older one (none when they overlap)', () => {
    const m = 60_000;
    const rows = [
      { start: 100 * m, end: null },
      { start: 50 * m, end: 97 * m },
      { start: 10 * m, end: 60 * m },
      { start: 0, end: 5 * m },
    ];
    expect(gapsBefore(rows)).toEqual([180, undefined, 300, undefined]);
  });
  it('reconnect counts turn warn, then bad', () => {
    expect([0, 3, 9].map((n) => reconnectTone(n, 3))).toEqual(['ok', 'warn', 'bad']);
  });
  it('times are as short as stays unambiguous', () => {
    const local = new Date(2026, 11, 5, 14, 5).getTime();
    expect(formatTime(local, local + 60_000)).toBe('14:05');
    expect(formatTime(local, new Date(2026, 11, 9).getTime())).toBe('5 Dec 14:05');
    expect(formatTime(local, new Date(2027, 0, 2).getTime())).toBe('5 Dec 2026 14:05');
    expect(formatTime(null)).toBe('–');
  });
});
