import type { Monitor } from '@ispmonitor/core';
import { driverPlugin } from '@ispmonitor/core/testing';
import { type HistoryImport, postgresStore } from '@ispmonitor/plugin-postgres';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, readConfig } from '../src/assemble.js';
import { ADMIN_KEY, apiFor, closeApiAndMonitor, createKey, waitFor } from './support/harness.js';

/** A router kind whose one DHCP lease says when it expires (the lab driver's do not). */
const leaseDriver = driverPlugin({
  kind: 'leases',
  async poll() {
    return {
      samples: [],
      facts: {
        interfaces: [
          { index: 1, name: 'ether1', operUp: true, addresses: ['172.16.9.1/30', '2001:db8:9::1/64'] },
        ],
        dhcpLeases: [
          { address: '192.0.2.77', mac: 'aa:bb:cc:00:00:77', hostName: 'tv', expiresAfterSeconds: 1500 },
        ],
      },
    };
  },
});

const H = 3_600_000;
const NOW = Date.now();
/** One imported session: alice's first one, with the given fields changed. */
type SessionImport = NonNullable<HistoryImport['sessions']>[number];
const session = (over: Partial<SessionImport>): SessionImport => ({
  router: 'bng-1',
  user: 'alice',
  service: 'pppoe',
  callerId: 'aa:bb:cc:00:11:22',
  address: '100.64.0.7',
  interface: '<pppoe-alice>',
  routerSessionId: null,
  start: NOW - 10 * H,
  end: NOW - 9 * H,
  endReason: 'vanished',
  reconnect: false,
  bytesIn: 1000,
  bytesOut: 5000,
  peakInBps: null,
  peakOutBps: null,
  ...over,
});

let monitor: Monitor;
let app: FastifyInstance;
let close: () => Promise<void>;
let viewer: Record<string, string>;
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const get = async (url: string) => {
  const r = await app.inject({ url, headers: viewer });
  expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
  return r.json();
};

beforeAll(async () => {
  const { config, secrets } = (await readConfig(undefined, { LOG_LEVEL: 'warn' })).loaded;
  config.devices = [
    {
      id: 'bng-1',
      host: '127.0.0.1',
      driver: 'leases',
      interval: '1s',
      labels: { site: 'BEY', role: 'bng' },
    },
    {
      id: 'bng-2',
      host: '127.0.0.2',
      driver: 'leases',
      interval: '1h',
      labels: { site: 'TRP', role: 'bng' },
    },
  ];
  monitor = await assemble(config, secrets, { memoryDb: true, plugins: [leaseDriver] });
  await monitor.start();
  // Alice: an old session, a reconnect 2 minutes later on another router, and a session now.
  await monitor.resolve(postgresStore).importHistory({
    sessions: [
      session({}),
      session({
        router: 'bng-2',
        start: NOW - 9 * H + 120_000,
        end: NOW - 2 * H,
        reconnect: true,
        address: '100.64.0.8',
      }),
      session({ start: NOW - H, end: null, endReason: null, address: '100.64.0.9' }),
      session({
        user: 'alina',
        callerId: 'aa:bb:cc:00:99:99',
        address: '100.64.1.1',
        start: NOW - 30 * H,
        end: NOW - 29 * H,
      }),
    ],
    leases: [
      {
        router: 'bng-1',
        mac: 'aa:bb:cc:00:11:22',
        address: '192.168.88.10',
        hostName: 'alice-pc',
        from: NOW - 5 * H,
        to: NOW - 4 * H,
      },
    ],
  });
  ({ app, close } = await apiFor(monitor, { storage: true }));
  viewer = (await createKey({ app, admin }, 'viewer', 'desk')).headers;
}, 90_000);
afterAll(() => closeApiAndMonitor(close, monitor));

describe('search and subscriber routes over stored history (PGlite)', () => {
  it('search merges routers from the registry with stored subscribers, exact first', async () => {
    const r = await get('/api/v1/search?q=alice');
    expect(r.note).toBeUndefined();
    expect(r.hits[0]).toMatchObject({
      kind: 'subscriber',
      user: 'alice',
      active: true,
      router: 'bng-1',
      match: 'exact',
    });
    const prefix = await get('/api/v1/search?q=ali');
    expect(
      prefix.hits
        .filter((h: { kind: string }) => h.kind === 'subscriber')
        .map((h: { user: string }) => h.user),
    ).toEqual(expect.arrayContaining(['alice', 'alina']));
    const both = await get('/api/v1/search?q=bng');
    expect(both.hits.slice(0, 2).map((h: { kind: string; id: string }) => `${h.kind}:${h.id}`)).toEqual([
      'router:bng-1',
      'router:bng-2',
    ]);
    const mac = await get(`/api/v1/search?q=${encodeURIComponent('AABB.CC00.1122')}`);
    expect(
      mac.hits.some((h: { kind: string; mac?: string }) => h.kind === 'mac' && h.mac === 'aa:bb:cc:00:11:22'),
    ).toBe(true);
    for (const q of ["alice' OR '1'='1", 'alice%', '100.64.0.0/33']) {
      const x = await app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}`, headers: viewer });
      expect([200, 400], `${q}: ${x.body.slice(0, 200)}`).toContain(x.statusCode);
    }
  });

  it('a subscriber: current session, routers seen on, reconnects; 404 for a stranger', async () => {
    const s = await get('/api/v1/subscribers/alice');
    expect(s.active).toEqual([
      expect.objectContaining({ router: 'bng-1', address: '100.64.0.9', end: null }),
    ]);
    expect(s.routers.map((r: { router: string }) => r.router).sort()).toEqual(['bng-1', 'bng-2']);
    expect(s.reconnects.last24h).toBe(1);
    const none = await app.inject({ url: '/api/v1/subscribers/nobody', headers: viewer });
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/nobody/);
  });

  it("a subscriber's sessions newest first, paged by the before cursor, within from/to", async () => {
    const first = await get('/api/v1/subscribers/alice/sessions?limit=2');
    expect(first.items.map((x: { address: string }) => x.address)).toEqual(['100.64.0.9', '100.64.0.8']);
    expect(first.items[1].reconnect).toBe(true);
    expect(first.next).toEqual(expect.any(String));
    const rest = await get(
      `/api/v1/subscribers/alice/sessions?limit=2&before=${encodeURIComponent(first.next)}`,
    );
    expect(rest.items.map((x: { address: string }) => x.address)).toEqual(['100.64.0.7']);
    expect(rest.next).toBeNull();
    const window = await get('/api/v1/subscribers/alice/sessions?from=-3h');
    expect(window.items.map((x: { address: string }) => x.address)).toEqual(['100.64.0.9', '100.64.0.8']);
    const bad = await app.inject({
      url: '/api/v1/subscribers/alice/sessions?before=garbage',
      headers: viewer,
    });
    expect(bad.statusCode, bad.body).toBe(400);
  });

  it('who held an IP, where a MAC was seen', async () => {
    const ip = await get('/api/v1/ips/100.64.0.8/history');
    expect(ip).toMatchObject({
      ip: '100.64.0.8',
      items: [expect.objectContaining({ user: 'alice', router: 'bng-2', source: 'pppoe' })],
    });
    const mac = await get('/api/v1/macs/AA-BB-CC-00-11-22/history');
    expect(mac.mac).toBe('aa:bb:cc:00:11:22');
    expect(new Set(mac.items.map((b: { source: string }) => b.source))).toEqual(new Set(['pppoe', 'dhcp']));
    expect(mac.items.find((b: { source: string }) => b.source === 'dhcp')).toMatchObject({
      hostName: 'alice-pc',
      ip: '192.168.88.10',
    });
  });

  it("a router's interface address is found, with its interface, and in the IP's history", async () => {
    const find = async () =>
      (await get('/api/v1/search?q=172.16.9.1')).hits.filter(
        (h: { kind: string; source?: string }) => h.kind === 'ip' && h.source === 'interface',
      );
    await waitFor(async () => (await find()).length > 0, 20_000, 'interface addresses stored');
    expect(await find()).toEqual([
      expect.objectContaining({
        kind: 'ip',
        ip: '172.16.9.1',
        source: 'interface',
        router: 'bng-1',
        interface: 'ether1',
        active: true,
        match: 'exact',
      }),
    ]);
    const block = await get(`/api/v1/search?q=${encodeURIComponent('2001:db8:9::/48')}`);
    expect(block.hits).toContainEqual(expect.objectContaining({ ip: '2001:db8:9::1', interface: 'ether1' }));
    const history = await get('/api/v1/ips/172.16.9.1/history');
    expect(history.items).toEqual([
      expect.objectContaining({ source: 'interface', router: 'bng-1', interface: 'ether1', to: null }),
    ]);
  });

  it('DHCP leases read from storage say when they expire', async () => {
    await waitFor(
      async () => (await get('/api/v1/sessions/dhcp?router=bng-1')).items.length > 0,
      20_000,
      'leases stored',
    );
    const leases = await get('/api/v1/sessions/dhcp?router=bng-1');
    expect(leases.items[0]).toMatchObject({ address: '192.0.2.77' });
    expect(leases.items[0].expiresAfterSeconds).toBeGreaterThan(0);
    expect(leases.items[0].expiresAfterSeconds).toBeLessThanOrEqual(1500);
  });
});
