/**
 * Subscriber reads (search, summary, sessions, IP and MAC history) on one fixture written through
 * `importHistory`, on PostgreSQL and PGlite. `getDb` returns a fresh database for the file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import type { Storage } from '../src/store.js';
import type { HistoryImport } from '../src/subscribers/query-types.js';
import { isBadQuery } from '../src/subscribers/search-terms.js';
import { DAY, HOUR, MIN, makeStorage, SetClock, T0 } from './support/harness.js';

const NOW = T0 + 60 * DAY;
const session = (user: string, router: string, start: number, end: number | null, extra: object = {}) => ({
  router,
  user,
  service: 'pppoe-in',
  callerId: null,
  address: null,
  interface: `<pppoe-${user}>`,
  routerSessionId: `*${Math.round(start / 1000).toString(16)}`,
  start,
  end,
  endReason: end === null ? null : ('vanished' as const),
  reconnect: false,
  bytesIn: null,
  bytesOut: null,
  peakInBps: null,
  peakOutBps: null,
  ...extra,
});

const lease = (
  router: string,
  mac: string,
  address: string,
  hostName: string,
  from: number,
  to: number | null,
) => ({
  router,
  mac,
  address,
  hostName,
  from,
  to,
});

const FIXTURE: HistoryImport = {
  sessions: [
    session('alice', 'r1', NOW - 2 * HOUR, null, {
      callerId: 'AA:BB:CC:00:00:01',
      address: '10.1.2.3',
      reconnect: true,
      bytesIn: 1_000_000,
      bytesOut: 2_000,
    }),
    session('alice', 'r1', NOW - 10 * HOUR, NOW - 2 * HOUR - MIN, {
      callerId: 'AA:BB:CC:00:00:01',
      address: '10.1.2.3',
    }),
    session('alice', 'r2', NOW - 3 * DAY, NOW - 2 * DAY, {
      callerId: 'aa-bb-cc-00-00-01',
      address: '10.1.2.50',
    }),
    session('alice.smith', 'r2', NOW - 2 * DAY, NOW - DAY, {
      callerId: 'aa:bb:cc:00:00:02',
      address: '10.1.3.4',
    }),
    session('malice', 'r3', NOW - HOUR, null, { callerId: 'aa:bb:cc:00:00:03', address: '10.2.0.1' }),
    session('bob', 'r1', NOW - 5 * HOUR, null, { callerId: 'aabb.cc00.0004', address: '2001:db8::5' }),
    session('100%_sure\\', 'r1', NOW - 5 * HOUR, null),
    session('100abc', 'r1', NOW - 5 * HOUR, null),
    // 25 ended sessions of `pager`, three pairs starting at the same moment.
    ...[...Array(25).keys()].map((i) =>
      session(
        'pager',
        'r2',
        NOW - 30 * DAY + Math.floor(i / 2) * 2 * HOUR,
        NOW - 30 * DAY + Math.floor(i / 2) * 2 * HOUR + HOUR,
        {
          routerSessionId: `*p${i}`,
        },
      ),
    ),
  ],
  leases: [
    lease('r1', 'aa:bb:cc:00:00:09', '10.1.9.9', 'printer', NOW - DAY, null),
    lease('r1', 'AA:BB:CC:00:00:07', '10.1.2.3', 'old-laptop', NOW - 20 * DAY, NOW - 19 * DAY),
  ],
  wireless: [
    {
      router: 'r4',
      mac: 'aabbcc000001',
      interface: 'wlan1',
      ssid: 'home',
      signalDbm: -61,
      from: NOW - HOUR,
      to: null,
    },
  ],
};

export function subscriberSuite(getDb: () => Promise<Db>): void {
  describe('subscriber reads', () => {
    let db: Db;
    let store: Storage;
    beforeAll(async () => {
      db = await getDb();
      await applyMigrations(db);
      // Imported current rows are last seen at the clock's now; the routers' polls come later.
      store = makeStorage(db, new SetClock(NOW - 10 * MIN)).storage;
      const out = await store.importHistory(FIXTURE);
      expect(out.rows).toBe(8 + 25 + 2 + 1);
      // What the recorder writes beside: an interface, an ARP binding, the routers' last polls.
      const iso = (ms: number) => new Date(ms).toISOString();
      await db.query(
        `INSERT INTO ispm_interfaces (device, if_index, name, alias, description, mac, oper_up, first_seen, last_seen)
         VALUES ('r1', '1', 'ether1', 'uplink-alice', 'to Alice tower', 'AA:BB:CC:FF:00:01', true, $1, $2)`,
        [iso(NOW - 30 * DAY), iso(NOW - MIN)],
      );
      await db.query(
        `INSERT INTO ispm_arp_bindings_open (device, address, mac, interface, first_seen, last_seen)
         VALUES ('r1', '10.1.2.3', 'aabbcc000001', 'bridge1', $1, $1)`,
        [iso(NOW - 2 * HOUR)],
      );
      await db.query(
        `INSERT INTO ispm_subscriber_routers (device, pppoe_at, arp_at, updated_at) VALUES ('r1', $1, $1, $1)`,
        [iso(NOW - MIN)],
      );
    });

    it('a second import of the same history writes nothing', async () => {
      const { statusChanges: _, series: __, ...subscribers } = FIXTURE;
      expect(await store.importHistory(subscribers)).toEqual({ rows: 0 });
    });

    it('ranks exact, prefix, substring; current before past', async () => {
      const hits = await store.search('Alice');
      expect(hits[0]).toEqual({
        kind: 'subscriber',
        user: 'alice',
        active: true,
        router: 'r1',
        interface: '<pppoe-alice>',
        address: '10.1.2.3',
        mac: 'aa:bb:cc:00:00:01',
        since: NOW - 2 * HOUR,
        lastSeen: NOW - MIN, // the router's last poll, not the row's checkpoint
        match: 'exact',
      });
      expect(hits[1]).toMatchObject({
        kind: 'subscriber',
        user: 'alice.smith',
        active: false,
        match: 'prefix',
        lastSeen: NOW - DAY,
      });
      expect(hits).toHaveLength(2);
      // Nothing starts with `lice`: substrings of current sessions and interfaces, current first.
      const sub = await store.search('LICE');
      expect(
        sub.map(
          (h) =>
            `${h.kind}:${h.match}:${h.kind === 'subscriber' ? h.user : h.kind === 'interface' ? h.name : ''}`,
        ),
      ).toEqual(['interface:substring:ether1', 'subscriber:substring:alice', 'subscriber:substring:malice']);
      // A caller with better matches of its own (the server's routers) skips the substring scan.
      expect(await store.search('LICE', { substring: false })).toEqual([]);
      expect((await store.search('alic', { substring: false })).map((h) => h.match)).toEqual([
        'prefix',
        'prefix',
      ]);
      expect(sub[0]).toMatchObject({
        router: 'r1',
        alias: 'uplink-alice',
        mac: 'aa:bb:cc:ff:00:01',
        operUp: true,
      });
      expect(await store.search('Ether1')).toMatchObject([
        { kind: 'interface', name: 'ether1', match: 'exact' },
      ]);
      expect(await store.search('uplink')).toMatchObject([
        { kind: 'interface', alias: 'uplink-alice', match: 'prefix' },
      ]);
      expect(await store.search('alice', { limit: 1 })).toHaveLength(1);
    });

    it('finds a MAC in every notation, from every source', async () => {
      for (const q of ['AA:BB:CC:00:00:01', 'aa-bb-cc-00-00-01', 'aabb.cc00.0001', 'AABBCC000001']) {
        const macs = (await store.search(q)).filter((h) => h.kind === 'mac');
        expect(macs.map((h) => [h.source, h.router, h.match, h.active]).sort(), q).toEqual([
          ['arp', 'r1', 'exact', true],
          ['pppoe', 'r1', 'exact', true],
          ['wireless', 'r4', 'exact', true],
        ]);
        expect(macs.find((h) => h.source === 'pppoe')).toMatchObject({ user: 'alice', address: '10.1.2.3' });
      }
      const prefix = (await store.search('aa:bb:cc', { limit: 100 })).filter((h) => h.kind === 'mac');
      expect(new Set(prefix.map((h) => h.mac))).toEqual(
        new Set([
          'aa:bb:cc:00:00:01',
          'aa:bb:cc:00:00:02',
          'aa:bb:cc:00:00:03',
          'aa:bb:cc:00:00:04',
          'aa:bb:cc:00:00:07',
          'aa:bb:cc:00:00:09',
          'aa:bb:cc:ff:00:01',
        ]),
      );
      expect(prefix.every((h) => h.match === 'prefix')).toBe(true);
      expect(prefix.find((h) => h.source === 'interface')).toMatchObject({
        router: 'r1',
        interface: 'ether1',
      });
    });

    it('finds IPv4 and IPv6 exactly, by CIDR and by textual prefix', async () => {
      const ips = async (q: string) =>
        (await store.search(q, { limit: 100 }))
          .filter((h) => h.kind === 'ip')
          .map((h) => h.kind === 'ip' && `${h.source} ${h.ip} ${h.active} ${h.match}`);
      expect((await ips('10.1.2.3')).sort()).toEqual([
        'arp 10.1.2.3 true exact',
        'dhcp 10.1.2.3 false exact',
        'pppoe 10.1.2.3 true exact',
      ]);
      const block = [
        'pppoe 10.1.2.3 true prefix',
        'pppoe 10.1.2.50 false prefix',
        'pppoe 10.1.3.4 false prefix',
      ];
      expect((await ips('10.1.0.0/16')).filter((s) => String(s).startsWith('pppoe')).sort()).toEqual(block);
      expect((await ips('10.1.')).filter((s) => String(s).startsWith('pppoe')).sort()).toEqual(block);
      expect(await ips('10.2')).toEqual(['pppoe 10.2.0.1 true prefix']);
      expect(await ips('2001:DB8::5')).toEqual(['pppoe 2001:db8::5 true exact']);
      expect(await ips('2001:db8::/32')).toEqual(['pppoe 2001:db8::5 true prefix']);
      expect(await ips('2001:db8:')).toEqual(['pppoe 2001:db8::5 true prefix']);
      expect(await ips('10.3.')).toEqual([]);
    });

    it('LIKE wildcards in the text match themselves', async () => {
      const users = async (q: string) =>
        (await store.search(q)).flatMap((h) => (h.kind === 'subscriber' ? [`${h.user} ${h.match}`] : []));
      expect(await users('100%')).toEqual(['100%_sure\\ prefix']);
      expect(await users('100_')).toEqual([]);
      expect(await users('100%_sure\\')).toEqual(['100%_sure\\ exact']);
      expect(await users('100')).toEqual(['100%_sure\\ prefix', '100abc prefix']);
    });

    it('pages through sessions newest first, without gaps or repeats', async () => {
      const seen: string[] = [];
      let before: string | undefined;
      let pages = 0;
      do {
        const page = await store.subscriberSessions('pager', { limit: 7, before });
        seen.push(...page.items.map((s) => s.routerSessionId ?? ''));
        const starts = page.items.map((s) => s.start);
        expect(starts).toEqual([...starts].sort((a, b) => b - a));
        before = page.next ?? undefined;
        pages++;
      } while (before);
      expect(pages).toBe(4);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      const all = await store.subscriberSessions('pager', { limit: 1000 });
      expect(all.items.map((s) => s.routerSessionId)).toEqual(seen);
      expect(all.next).toBeNull();
    });

    it('session history in a window, and the summary', async () => {
      const last12h = await store.subscriberSessions('alice', { from: NOW - 12 * HOUR, to: NOW });
      expect(last12h.items.map((s) => [s.router, s.end === null, s.reconnect])).toEqual([
        ['r1', true, true],
        ['r1', false, false],
      ]);
      expect(last12h.items[0]).toMatchObject({
        bytesIn: 1_000_000,
        bytesOut: 2000,
        peakInBps: null,
        lastSeen: NOW - MIN,
      });
      expect(
        (await store.subscriberSessions('alice', { from: NOW - 4 * DAY, to: NOW - 2 * DAY - HOUR })).items,
      ).toHaveLength(1);
      expect((await store.subscriberSessions('ALICE')).items).toEqual([]);
      const summary = await store.subscriber('alice');
      expect(summary).toMatchObject({
        user: 'alice',
        lastSeen: NOW - MIN,
        routers: [
          { router: 'r1', lastSeen: NOW - MIN, sessions: 2 },
          { router: 'r2', lastSeen: NOW - 2 * DAY, sessions: 1 },
        ],
        reconnects: { last24h: 1, last7d: 1 },
        sessions: { last24h: 2, last7d: 3 },
      });
      expect(summary?.active.map((s) => s.router)).toEqual(['r1']);
      expect(await store.subscriber('nobody')).toBeUndefined();
    });

    it('IP and MAC history: who, when, where', async () => {
      const ip = await store.ipHistory('10.1.2.3');
      expect(ip.map((b) => [b.source, b.user ?? b.hostName, b.to === null])).toEqual([
        ['arp', null, true],
        ['pppoe', 'alice', true],
        ['pppoe', 'alice', false],
        ['dhcp', 'old-laptop', false],
      ]);
      expect(await store.ipHistory('10.1.2.3', { from: NOW - 3 * HOUR })).toHaveLength(3);
      expect(await store.ipHistory('10.1.2.3', { limit: 1 })).toHaveLength(1);
      const mac = await store.macHistory('AABB.CC00.0001');
      expect(mac.map((b) => `${b.source} ${b.router} ${b.interface}`)).toEqual([
        'wireless r4 wlan1',
        'arp r1 bridge1',
        'pppoe r1 <pppoe-alice>',
        'pppoe r1 <pppoe-alice>',
        'pppoe r2 <pppoe-alice>',
      ]);
      expect(mac[0]).toMatchObject({ mac: 'aa:bb:cc:00:00:01', ip: null, to: null });
    });

    it('hostile input: a BAD_QUERY error or an empty result, never a SQL error', async () => {
      const texts = [
        '',
        ' ',
        'x'.repeat(10_000),
        'a\u0000b',
        "'; DROP TABLE ispm_pppoe_sessions; --",
        '.*',
        '(a+)+$',
        '%',
        '_',
        '\\',
        '\\\\%',
        'Zoë 🚀 中文',
        '\ud800',
        '10.1.2.3/99',
        '::ffff:10.1.2.3',
        'aa:bb:cc:dd:ee:ff:11:22',
        '$1',
      ];
      for (const q of texts) {
        const out = await store.search(q).catch((e: unknown) => e);
        if (!Array.isArray(out))
          expect(isBadQuery(out), `${JSON.stringify(q).slice(0, 40)}: ${String(out)}`).toBe(true);
      }
      for (const limit of [0, -1, 101, 1.5, Number.NaN]) {
        expect(isBadQuery(await store.search('alice', { limit }).catch((e: unknown) => e))).toBe(true);
      }
      const bad = [
        () => store.ipHistory('10.1.0.0/16'),
        () => store.ipHistory("1' OR '1'='1"),
        () => store.macHistory('aa:bb'),
        () => store.macHistory('x'.repeat(10_000)),
        () => store.subscriberSessions(''),
        () => store.subscriberSessions('a\u0000'),
        () => store.subscriberSessions('x'.repeat(10_000)),
        () => store.subscriberSessions('alice', { before: 'not-a-cursor' }),
        () => store.subscriberSessions('alice', { before: Buffer.from("1:2' OR 1=1").toString('base64url') }),
        () => store.subscriberSessions('alice', { from: 10, to: 5 }),
        () => store.subscriberSessions('alice', { limit: 0 }),
        () => store.subscriber(''),
      ];
      for (const f of bad) expect(isBadQuery(await f().catch((e: unknown) => e)), String(f)).toBe(true);
      expect(await store.ipHistory('192.0.2.200')).toEqual([]);
      expect(await store.subscriber("'; DROP TABLE x; --")).toBeUndefined();
      expect((await store.subscriberSessions('Zoë 🚀')).items).toEqual([]);
    });
  });
}
