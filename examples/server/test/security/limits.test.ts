import type { RangeQuery } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/auth/audit.js';
import { memoryStateStore } from '../../src/state-store.js';
import { fakeStoragePlugin } from '../support/fake-storage.js';
import { createKey, waitFor } from '../support/harness.js';
import { type SecurityServer, startServer } from './support.js';

const ranges: RangeQuery[] = [];
const countingStorage = fakeStoragePlugin(
  {
    range: async (q: RangeQuery) => {
      ranges.push(q);
      return [];
    },
    latest: async () => [],
  },
  'counting-storage',
);

let s: SecurityServer;
let base: string;
let viewer: Record<string, string>;

beforeAll(async () => {
  s = await startServer({
    plugins: [countingStorage],
    devices: Array.from({ length: 3 }, (_, i) => ({ id: `r${i}`, host: `127.0.0.${i + 2}`, driver: 'lab' })),
    server: { limits: { eventStreamsPerUser: 2 }, auth: { loginAttemptsPerMinute: 1000 } },
  });
  base = await s.app.listen({ host: '127.0.0.1', port: 0 });
  viewer = (await createKey(s, 'viewer', 'wall')).headers;
});
afterAll(() => s.close());

describe('abuse limits (issue 21, finding 12)', () => {
  it('caps event streams per user with a 429 that says which setting, and frees a slot on disconnect', async () => {
    const aborts: AbortController[] = [];
    const open = async (headers: Record<string, string>) => {
      const abort = new AbortController();
      aborts.push(abort);
      return fetch(`${base}/api/v1/events`, { headers, signal: abort.signal });
    };
    try {
      expect((await open(s.admin)).status).toBe(200);
      expect((await open(s.admin)).status).toBe(200);
      const third = await open(s.admin);
      expect(third.status).toBe(429);
      expect(await third.json()).toMatchObject({
        error: 'ISPM_TOO_MANY_STREAMS',
        message: expect.stringContaining('server.limits.eventStreamsPerUser'),
      });
      // Another principal has its own allowance.
      expect((await open(viewer)).status).toBe(200);
      aborts[0]?.abort();
      let again = 0;
      await waitFor(
        async () => {
          const res = await open(s.admin);
          again = res.status;
          return again === 200;
        },
        5000,
        'a freed stream slot',
      );
      expect(again).toBe(200);
    } finally {
      for (const a of aborts) a.abort();
    }
  });

  it('caps the routers of one sparkline request with a 400 before any query runs', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`).join(',');
    ranges.length = 0;
    const tooMany = await s.app.inject({
      url: `/api/v1/metrics/sparklines?routers=${ids(61)}`,
      headers: s.admin,
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({
      error: 'ISPM_TOO_MANY_ROUTERS',
      message: 'routers: at most 60 ids per request (server.limits.sparklineRouters), got 61: split the list',
    });
    expect(ranges).toHaveLength(0);
    const ok = await s.app.inject({ url: `/api/v1/metrics/sparklines?routers=${ids(60)}`, headers: s.admin });
    expect(ok.statusCode).toBe(200);
    // Only the three known routers are read, two queries each.
    expect(ranges).toHaveLength(6);
  });

  it('records failed logins with unknown names once per address, and each one for a real user', async () => {
    const login = (username: string) =>
      s.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: 'nope-nope' },
      });
    for (let i = 0; i < 40; i++) expect((await login(`ghost-${i}`)).statusCode).toBe(401);
    expect((await login('admin')).statusCode).toBe(401);
    const { items } = (await s.app.inject({ url: '/api/v1/audit?limit=1000', headers: s.admin })).json();
    const unknown = items.filter((e: { action: string }) => e.action === 'auth.login.failed.unknown-user');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({
      actor: 'anonymous',
      target: '127.0.0.1',
      details: { username: 'ghost-0' },
    });
    expect(items.filter((e: { action: string }) => e.action === 'auth.login.failed')).toHaveLength(1);
  });

  it('pages the audit log by cursor through the API, newest first, without repeats', async () => {
    for (let i = 0; i < 7; i++) await s.ctx.audit.record('test', 'test.page', `t${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await s.app.inject({
        url: `/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        headers: s.admin,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        items: Array<{ id: string; target: string; action: string }>;
        nextCursor?: string;
      };
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((e) => e.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
    const bad = await s.app.inject({ url: '/api/v1/audit?cursor=../../x', headers: s.admin });
    expect(bad.statusCode).toBe(400);
  });
});

describe('audit retention', () => {
  it('keeps at most maxRows entries and none older than maxAgeDays', async () => {
    let now = Date.UTC(2026, 0, 1);
    const store = memoryStateStore();
    const log = new AuditLog(store, () => now, { maxRows: 100, maxAgeDays: 30 });
    for (let i = 0; i < 130; i++) {
      now += 60_000;
      await log.record('a', 'x', `t${i}`);
    }
    expect(await log.trim()).toBe(30);
    const kept = await log.page(1000);
    expect(kept.items).toHaveLength(100);
    expect(kept.items[0]?.target).toBe('t129');
    expect(kept.items.at(-1)?.target).toBe('t30');
    now += 30 * 86_400_000 + 1;
    await log.record('a', 'x', 'fresh');
    await log.trim();
    expect((await log.page(1000)).items.map((e) => e.target)).toEqual(['fresh']);
  });

  it('trims by itself after a burst of records', async () => {
    const store = memoryStateStore();
    const log = new AuditLog(store, Date.now, { maxRows: 100, maxAgeDays: 30 });
    for (let i = 0; i < 600; i++) await log.record('a', 'x', `t${i}`);
    await waitFor(async () => (await store.list('server.audit')).length <= 200, 5000, 'the automatic trim');
  });
});
