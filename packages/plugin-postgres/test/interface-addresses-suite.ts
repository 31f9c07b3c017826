/**
 * Interface addresses through `recordFacts` and the reads (search, IP history), on PostgreSQL
 * and PGlite: history (first seen, ended when gone, kept when not collected), exact, block and
 * prefix matches, one hit per router and interface, current first.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { recordFacts } from '../src/inventory/facts.js';
import { applyMigrations } from '../src/schema/migrate.js';
import type { IpHit } from '../src/subscribers/query-types.js';
import { count, MIN, makeStorage, SetClock, T0 } from './support/harness.js';

const r1 = { id: 'r1', host: '127.0.0.1', driver: 'x' };
const r2 = { id: 'r2', host: '127.0.0.1', driver: 'x' };

const ipHits = (hits: Awaited<ReturnType<ReturnType<typeof makeStorage>['storage']['search']>>) =>
  hits.filter((h): h is IpHit => h.kind === 'ip');

export function interfaceAddressSuite(getDb: () => Promise<Db>): void {
  describe('interface addresses', () => {
    it('keeps them with history, ends the gone ones, keeps those not collected', async () => {
      const db = await getDb();
      await applyMigrations(db);
      await recordFacts(
        db,
        r1,
        {
          interfaces: [
            {
              index: '*1',
              name: 'ether1',
              addresses: ['172.16.0.1/30', '2001:DB8:0:1::1/64', 'junk', '10.0.0.1/33'],
            },
            { index: '*2', name: 'ether2', addresses: ['172.16.0.5/30'] },
            { index: '*3', name: 'ether3', addresses: ['172.16.0.9/30'] },
          ],
        },
        T0,
      );
      expect(await count(db, 'ispm_interface_addresses', 'ended_at IS NULL')).toBe(4);
      // ether1 changes its /30, ether2 is not collected this time, ether3 is gone.
      await recordFacts(
        db,
        r1,
        {
          interfaces: [
            { index: '*1', name: 'ether1', addresses: ['172.16.0.13/30', '2001:db8:0:1:0::1/64'] },
            { index: '*2', name: 'ether2' },
          ],
        },
        T0 + MIN,
      );
      const rows = await db.query<{ if_index: string; a: string; prefix_len: number; ended: boolean }>(
        `SELECT if_index, host(address) AS a, prefix_len, ended_at IS NOT NULL AS ended
           FROM ispm_interface_addresses ORDER BY if_index, address`,
      );
      expect(rows.rows.map((r) => [r.if_index, r.a, Number(r.prefix_len), r.ended])).toEqual([
        ['*1', '172.16.0.1', 30, true],
        ['*1', '172.16.0.13', 30, false],
        ['*1', '2001:db8:0:1::1', 64, false],
        ['*2', '172.16.0.5', 30, false],
        ['*3', '172.16.0.9', 30, true],
      ]);
      // An empty list means none.
      await recordFacts(
        db,
        r1,
        { interfaces: [{ index: '*2', name: 'ether2', addresses: [] }] },
        T0 + 2 * MIN,
      );
      expect(await count(db, 'ispm_interface_addresses', 'ended_at IS NULL')).toBe(0);
    });

    it('search: exact, block and prefix, one hit per router and interface, current first; IP history', async () => {
      const db = await getDb();
      await applyMigrations(db);
      const { storage } = makeStorage(db, new SetClock(T0 + 10 * MIN));
      await recordFacts(
        db,
        r1,
        {
          interfaces: [
            { index: '*1', name: 'ether1', addresses: ['172.16.0.1/30'] },
            { index: '*5', name: 'bridge', addresses: ['192.168.88.1/24'] },
          ],
        },
        T0,
      );
      await recordFacts(
        db,
        r2,
        { interfaces: [{ index: '7', name: 'bridge-lan', addresses: ['192.168.88.1/24', '10.9.0.1/24'] }] },
        T0,
      );
      // r2 moves 10.9.0.1 off its bridge: the old binding ends.
      await recordFacts(
        db,
        r2,
        { interfaces: [{ index: '7', name: 'bridge-lan', addresses: ['192.168.88.1/24'] }] },
        T0 + MIN,
      );

      const exact = ipHits(await storage.search('172.16.0.1'));
      expect(exact).toEqual([
        {
          kind: 'ip',
          ip: '172.16.0.1',
          source: 'interface',
          router: 'r1',
          user: null,
          mac: null,
          hostName: null,
          interface: 'ether1',
          active: true,
          since: T0,
          lastSeen: T0,
          match: 'exact',
        },
      ]);
      const shared = ipHits(await storage.search('192.168.88.1'));
      expect(shared.map((h) => [h.router, h.interface])).toEqual(
        expect.arrayContaining([
          ['r1', 'bridge'],
          ['r2', 'bridge-lan'],
        ]),
      );
      expect(shared).toHaveLength(2);
      const block = ipHits(await storage.search('172.16.0.0/24'));
      expect(block.map((h) => [h.ip, h.match])).toEqual([['172.16.0.1', 'prefix']]);
      const prefix = ipHits(await storage.search('10.9.'));
      expect(prefix.map((h) => [h.ip, h.router, h.active])).toEqual([['10.9.0.1', 'r2', false]]);
      const mixed = ipHits(await storage.search('1'));
      // 172.16.0.1 and 192.168.88.1 on two routers now, 10.9.0.1 in the past: current first.
      expect(mixed.map((h) => h.active)).toEqual([true, true, true, false]);

      const history = await storage.ipHistory('10.9.0.1');
      expect(history).toEqual([
        {
          source: 'interface',
          router: 'r2',
          ip: '10.9.0.1',
          mac: null,
          user: null,
          hostName: null,
          interface: 'bridge-lan',
          from: T0,
          to: T0 + MIN,
        },
      ]);
    });
  });
}
