/**
 * The subscriber recorder's behaviour on one engine (run on PGlite and on PostgreSQL 15): each
 * test uses its own routers and users, on fake time (timestamps are passed in), so they share one
 * database per file.
 */
import type { Device, InventoryFacts, PppoeSessionFact } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import type { Db, Queryable } from '../../src/db/types.js';
import { maintainSubscribers } from '../../src/maintenance/subscribers.js';
import { InventoryReader } from '../../src/query/inventory.js';
import { SubscriberRecorder } from '../../src/subscribers/record.js';
import { createRecorderMetrics } from '../../src/subscribers/record-metrics.js';
import { listPartitionNames, SUBSCRIBER_PARTITIONS } from '../../src/subscribers/schema-partitions.js';
import { DAY, MIN, T0 } from './harness.js';

/** A Db that counts statements and affected rows, and can be made unreachable. */
export class CountingDb {
  statements = 0;
  rows = 0;
  down = false;
  constructor(readonly db: Db) {}
  #wrap(q: Queryable): Queryable {
    return {
      query: async <R>(sql: string, params?: readonly unknown[]) => {
        if (this.down)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' });
        this.statements++;
        const res = await q.query<R>(sql, params);
        if (!/^\s*SELECT/i.test(sql)) this.rows += res.rowCount;
        return res;
      },
    };
  }
  get value(): Db {
    const inner = this.db;
    return {
      ...inner,
      engine: inner.engine,
      query: (sql, params) => this.#wrap(inner).query(sql, params),
      transaction: (fn) => {
        if (this.down)
          return Promise.reject(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }));
        return inner.transaction((tx) => fn({ ...this.#wrap(tx), copy: tx.copy }));
      },
      copy: inner.copy,
      poolStats: inner.poolStats,
      close: inner.close,
    };
  }
  reset(): void {
    this.statements = 0;
    this.rows = 0;
  }
}

export function makeRecorder(db: Db, options: { window?: number; checkpoint?: number } = {}) {
  const counting = new CountingDb(db);
  const wrapped = counting.value;
  const registry = new Registry();
  const recorder: SubscriberRecorder = new SubscriberRecorder(
    () => wrapped,
    {
      reconnectWindowMs: options.window ?? 5 * MIN,
      checkpointMs: options.checkpoint ?? 15 * MIN,
      maxPending: 100_000,
    },
    createRecorderMetrics(registry, () => recorder.pending),
    createFakeLogger(),
    () => T0,
  );
  return { recorder, registry, counting };
}

const router = (id: string): Device => ({ id, host: '127.0.0.1', driver: 'x', interval: '1m' });
const s = (user: string, id: string, extra: Partial<PppoeSessionFact> = {}): PppoeSessionFact => ({
  id,
  user,
  callerId: `AA:BB:CC:00:00:${id.slice(1).padStart(2, '0')}`,
  address: `100.64.0.${Number(id.slice(1))}`,
  service: 'pppoe',
  interface: `<pppoe-${user}>`,
  uptimeSeconds: 60,
  ...extra,
});
const pppoe = (...list: PppoeSessionFact[]): InventoryFacts => ({ pppoeSessions: list });

/** A stored session as the tests read it (times in ms, byte counts as numbers). */
interface StoredSession {
  id: string;
  username: string;
  rid: string | null;
  end_reason: string | null;
  reconnect: boolean;
  mac: string | null;
  address: string | null;
  st: number;
  e: number | null;
  bin: number | null;
  bout: number | null;
  pin: number | null;
  pout: number | null;
}

async function sessions(db: Db, device: string): Promise<StoredSession[]> {
  const res = await db.query<StoredSession>(
    `SELECT id::text AS id, username, router_session_id AS rid, end_reason, reconnect, mac, host(address) AS address,
            (extract(epoch FROM started_at) * 1000)::float8 AS st, (extract(epoch FROM ended_at) * 1000)::float8 AS e,
            bytes_in::float8 AS bin, bytes_out::float8 AS bout, peak_in_bps AS pin, peak_out_bps AS pout
       FROM ispm_pppoe_sessions WHERE device = $1 ORDER BY started_at, id`,
    [device],
  );
  return res.rows.map((r) => ({
    ...r,
    st: Number(r.st),
    e: r.e === null ? null : Number(r.e),
    bin: r.bin === null ? null : Number(r.bin),
    bout: r.bout === null ? null : Number(r.bout),
  }));
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return Number(v?.value ?? 0);
}

/** The suite; `getDb` returns the file's migrated database. */
export function recorderSuite(getDb: () => Promise<Db>): void {
  it('appear → insert, vanish → end (vanished, at the poll that saw it gone); leases, wireless, ARP too', async () => {
    const db = await getDb();
    const { recorder } = makeRecorder(db);
    const r = router('av-1');
    recorder.facts(
      r,
      {
        pppoeSessions: [s('alice', '*1'), s('bob', '*2')],
        dhcpLeases: [
          { address: '192.0.2.10', mac: 'AA-BB-CC-00-00-09', hostName: 'cam', expiresAfterSeconds: 600 },
        ],
        wirelessClients: [{ mac: 'aabb.cc00.0010', interface: 'wlan1', ssid: 'home', signalDbm: -61 }],
        arp: [
          { address: '192.0.2.10', mac: 'aa:bb:cc:00:00:09', interface: 'bridge' },
          { address: '192.0.2.99', mac: '' },
        ],
      },
      T0,
    );
    expect(await recorder.flush()).toMatchObject({ loaded: 1 });
    recorder.facts(
      r,
      { pppoeSessions: [s('alice', '*1')], dhcpLeases: [], wirelessClients: [], arp: [] },
      T0 + MIN,
    );
    await recorder.flush();
    const rows = await sessions(db, 'av-1');
    expect(rows).toMatchObject([
      {
        username: 'alice',
        rid: '*1',
        e: null,
        end_reason: null,
        mac: 'aabbcc000001',
        address: '100.64.0.1',
        st: T0 - MIN,
      },
      { username: 'bob', rid: '*2', e: T0 + MIN, end_reason: 'vanished' },
    ]);
    const reader = new InventoryReader(db);
    expect(await reader.dhcpLeases({ device: 'av-1' })).toMatchObject([
      { mac: 'aa:bb:cc:00:00:09', address: '192.0.2.10', hostName: 'cam', endedAt: T0 + MIN },
    ]);
    expect(await reader.pppoeSessions({ device: 'av-1', current: true })).toMatchObject([
      { user: 'alice', lastSeen: T0 + MIN, endedAt: null },
    ]);
    const w = await db.query<{ mac: string; ssid: string; e: string }>(
      'SELECT mac, ssid, end_reason AS e FROM ispm_wireless_clients WHERE device = $1',
      ['av-1'],
    );
    expect(w.rows).toEqual([{ mac: 'aabbcc000010', ssid: 'home', e: 'vanished' }]);
    const a = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ispm_arp_bindings WHERE device = $1',
      ['av-1'],
    );
    expect(a.rows[0]?.n).toBe(1);
  });

  it('a monitor restart in the middle of a session keeps it ONE row; what is gone ends as `monitor restart` at the last poll', async () => {
    const db = await getDb();
    const r = router('rs-1');
    const first = makeRecorder(db);
    first.recorder.facts(r, pppoe(s('carl', '*1'), s('dora', '*2')), T0);
    await first.recorder.flush();
    first.recorder.facts(r, pppoe(s('carl', '*1', { uptimeSeconds: 120 }), s('dora', '*2')), T0 + MIN);
    await first.recorder.flush();
    const before = await sessions(db, 'rs-1');

    // A new process: nothing in memory. Same facts for carl, dora gone.
    const second = makeRecorder(db);
    second.recorder.facts(r, pppoe(s('carl', '*1', { uptimeSeconds: 600 })), T0 + 10 * MIN);
    expect(await second.recorder.flush()).toMatchObject({ loaded: 1 });
    const after = await sessions(db, 'rs-1');
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ id: before[0]?.id, username: 'carl', e: null });
    expect(after[1]).toMatchObject({
      id: before[1]?.id,
      username: 'dora',
      end_reason: 'monitor restart',
      e: T0 + MIN,
    });
  });

  it('router offline: rows end as `router unreachable` at its last poll; the same session back reopens the same row', async () => {
    const db = await getDb();
    const r = router('off-1');
    const { recorder } = makeRecorder(db);
    recorder.facts(r, pppoe(s('erin', '*1'), s('fred', '*2')), T0);
    recorder.facts(r, pppoe(s('erin', '*1'), s('fred', '*2')), T0 + MIN);
    await recorder.flush();
    recorder.offline('off-1', T0 + 5 * MIN);
    await recorder.flush();
    expect(await sessions(db, 'off-1')).toMatchObject([
      { username: 'erin', end_reason: 'router unreachable', e: T0 + MIN },
      { username: 'fred', end_reason: 'router unreachable', e: T0 + MIN },
    ]);
    const ids = (await sessions(db, 'off-1')).map((x) => x.id);
    // Back 8 minutes later: erin's session survived the outage (same .id, started before), fred's did not.
    recorder.facts(r, pppoe(s('erin', '*1', { uptimeSeconds: 9 * 60 + 60 }), s('fred', '*7')), T0 + 9 * MIN);
    await recorder.flush();
    const rows = await sessions(db, 'off-1');
    expect(rows).toHaveLength(3);
    expect(rows.find((x) => x.id === ids[0])).toMatchObject({ username: 'erin', e: null, end_reason: null });
    expect(rows.find((x) => x.id === ids[1])).toMatchObject({
      username: 'fred',
      end_reason: 'router unreachable',
    });

    // The same after a restart: a new process reads the unreachable rows and reopens them.
    recorder.offline('off-1', T0 + 20 * MIN);
    await recorder.flush();
    const other = makeRecorder(db);
    other.recorder.facts(r, pppoe(s('erin', '*1', { uptimeSeconds: 30 * 60 })), T0 + 29 * MIN);
    await other.recorder.flush();
    const last = await sessions(db, 'off-1');
    expect(last.find((x) => x.id === ids[0])).toMatchObject({ e: null, end_reason: null });
    expect(last.filter((x) => x.e === null)).toHaveLength(1);
  });

  it('reconnects: flagged in SQL across routers (either order of the polls), counted per router', async () => {
    const db = await getDb();
    const { recorder, registry } = makeRecorder(db);
    const a = router('rc-a');
    const b = router('rc-b');
    recorder.facts(a, pppoe(s('gina', '*1', { uptimeSeconds: 3600 })), T0);
    recorder.facts(b, pppoe(), T0);
    await recorder.flush();
    // gina's session ends on a; 2 minutes later she is on b.
    recorder.facts(a, pppoe(), T0 + MIN);
    await recorder.flush();
    recorder.facts(b, pppoe(s('gina', '*5', { uptimeSeconds: 0 })), T0 + 3 * MIN);
    await recorder.flush();
    // hank appears on b before a (polled later) sees his old session gone: flagged when it ends.
    recorder.facts(a, pppoe(s('hank', '*2', { uptimeSeconds: 3600 })), T0 + 4 * MIN);
    await recorder.flush();
    recorder.facts(
      b,
      pppoe(s('gina', '*5', { uptimeSeconds: 120 }), s('hank', '*6', { uptimeSeconds: 10 })),
      T0 + 5 * MIN,
    );
    await recorder.flush();
    recorder.facts(a, pppoe(), T0 + 5 * MIN + 20_000);
    await recorder.flush();
    // ivan comes back after 20 minutes: not a reconnect.
    recorder.facts(a, pppoe(s('ivan', '*3', { uptimeSeconds: 3600 })), T0 + 6 * MIN);
    recorder.facts(a, pppoe(), T0 + 7 * MIN);
    recorder.facts(a, pppoe(s('ivan', '*4', { uptimeSeconds: 0 })), T0 + 27 * MIN);
    await recorder.flush();
    const onB = await sessions(db, 'rc-b');
    expect(onB.map((x) => [x.username, x.reconnect])).toEqual([
      ['gina', true],
      ['hank', true],
    ]);
    expect((await sessions(db, 'rc-a')).find((x) => x.rid === '*4')).toMatchObject({ reconnect: false });
    expect(await metric(registry, 'ispmonitor_subscriber_reconnects_total', { router: 'rc-b' })).toBe(2);
    expect(await metric(registry, 'ispmonitor_subscriber_reconnects_total', { router: 'rc-a' })).toBe(0);
    expect(recorder.reconnects('rc-b')).toBe(2);
  });

  it('a garbage row is skipped and counted; the rest is stored', async () => {
    const db = await getDb();
    const { recorder, registry } = makeRecorder(db);
    const junk = [
      null,
      42,
      { user: 12345 },
      { user: 'x'.repeat(10_000) },
      { user: 'nul\u0000byte' },
      { user: 'ok-but', service: { evil: true } },
      { id: '*9' },
    ] as unknown as PppoeSessionFact[];
    recorder.facts(
      router('gb-1'),
      pppoe(s('jane', '*1'), ...junk, s('kate', '*2', { address: 'not an ip' })),
      T0,
    );
    expect((await recorder.flush()).error).toBeUndefined();
    const rows = await sessions(db, 'gb-1');
    expect(rows.map((x) => [x.username, x.address])).toEqual([
      ['jane', '100.64.0.1'],
      ['kate', null],
    ]);
    expect(
      await metric(registry, 'ispmonitor_db_subscriber_rows_skipped_total', {
        kind: 'pppoe',
        reason: 'invalid',
      }),
    ).toBe(6);
    expect(
      await metric(registry, 'ispmonitor_db_subscriber_rows_skipped_total', {
        kind: 'pppoe',
        reason: 'incomplete',
      }),
    ).toBe(1);
  });

  it('database down: changes wait; an end that happened meanwhile is stored with its time', async () => {
    const db = await getDb();
    const { recorder, counting } = makeRecorder(db);
    const r = router('dn-1');
    recorder.facts(r, pppoe(s('lena', '*1'), s('mona', '*2')), T0);
    await recorder.flush();
    counting.down = true;
    recorder.facts(r, pppoe(s('lena', '*1')), T0 + MIN);
    recorder.facts(r, pppoe(s('lena', '*1'), s('nina', '*3')), T0 + 2 * MIN);
    recorder.facts(r, pppoe(s('lena', '*1')), T0 + 3 * MIN);
    expect((await recorder.flush()).error).toMatch(/refused/i);
    expect(recorder.pending).toBeGreaterThan(0);
    counting.down = false;
    expect((await recorder.flush()).error).toBeUndefined();
    expect(await sessions(db, 'dn-1')).toMatchObject([
      { username: 'lena', e: null },
      { username: 'mona', e: T0 + MIN, end_reason: 'vanished' },
      { username: 'nina', e: T0 + 3 * MIN, end_reason: 'vanished', st: T0 + MIN },
    ]);
  });

  it('bytes and peak rates: written at the end and at checkpoints, across a counter reset', async () => {
    const db = await getDb();
    const { recorder } = makeRecorder(db, { checkpoint: 10 * MIN });
    const r = router('by-1');
    const at = (m: number, bin: number, bout: number) =>
      recorder.facts(r, pppoe(s('olga', '*1', { bytesIn: bin, bytesOut: BigInt(bout) })), T0 + m * MIN);
    at(0, 1_000, 10_000);
    await recorder.flush(); // the router's rows are loaded: from here on every poll is diffed
    at(1, 61_000, 610_000); // 8,000 / 80,000 bit/s
    at(2, 500, 1_210_000); // bytes in restarted
    await recorder.flush();
    at(3, 7_500, 1_810_000);
    recorder.facts(r, pppoe(), T0 + 4 * MIN);
    await recorder.flush();
    expect(await sessions(db, 'by-1')).toMatchObject([
      { bin: 61_000 + 7_500, bout: 1_810_000, pin: 8_000, pout: 80_000, end_reason: 'vanished' },
    ]);
  });

  it('a poll that changes nothing writes one router row, whatever the number of sessions', async () => {
    const db = await getDb();
    const { recorder, counting } = makeRecorder(db, { checkpoint: 60 * MIN });
    const r = router('zc-1');
    const list = [...Array(500).keys()].map((i) => s(`zc-user-${i}`, `*${i + 1}`));
    recorder.facts(r, pppoe(...list), T0);
    await recorder.flush();
    recorder.facts(r, pppoe(...list), T0 + MIN);
    await recorder.flush();
    counting.reset();
    recorder.facts(r, pppoe(...list), T0 + 2 * MIN);
    await recorder.flush();
    expect(counting.statements).toBe(1);
    expect(counting.rows).toBe(1);
  });

  it('retention drops whole weeks of ended rows; active rows stay', async () => {
    const db = await getDb();
    const { recorder } = makeRecorder(db);
    const r = router('rt-1');
    recorder.facts(r, pppoe(s('paul', '*1'), s('quin', '*2')), T0);
    recorder.facts(r, pppoe(s('paul', '*1')), T0 + MIN);
    await recorder.flush();
    const week = SUBSCRIBER_PARTITIONS[0];
    if (!week) throw new Error('no partitions');
    const before = await listPartitionNames(db, week);
    expect(before).toContain('ispm_pppoe_sessions_p20291231');
    const out = await maintainSubscribers(db, 90 * DAY, T0 + 100 * DAY);
    expect(out.dropped).toContain('ispm_pppoe_sessions_p20291231');
    expect((await sessions(db, 'rt-1')).map((x) => x.username)).toEqual(['paul']);
  });
}
