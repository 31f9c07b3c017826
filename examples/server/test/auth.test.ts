import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../src/auth/accounts.js';
import { memoryStateStore } from '../src/state-store.js';
import { ADMIN_KEY, ADMIN_PASSWORD, createKey, type Harness, startHarness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ devices: [{ id: 'cfg-1', host: '127.0.0.1', driver: 'lab' }] });
});
afterAll(() => h.close());

const PUBLIC = new Set([
  'GET /health',
  'GET /ready',
  'GET /live',
  'HEAD /health',
  'HEAD /ready',
  'HEAD /live',
  'POST /api/v1/auth/login',
  // The web UI (its own login page); unknown /api paths under it still need credentials.
  'GET /',
  'HEAD /',
  'GET /*',
  'HEAD /*',
]);

describe('authentication', () => {
  it('answers 401 without credentials on every registered route except health, ready, live and login', async () => {
    const routes = h.app.ispmRoutes;
    expect(routes.length).toBeGreaterThan(25);
    const checked: string[] = [];
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      expect(r.public, key).toBe(PUBLIC.has(key));
      if (r.public) continue;
      const url = r.url.replace(/:(\w+)/g, 'x1');
      const res = await h.app.inject({
        method: r.method as 'GET',
        url,
        payload: r.method === 'GET' || r.method === 'HEAD' || r.method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, key).toBe(401);
      checked.push(key);
    }
    expect(checked).toContain('GET /api/v1/routers');
    expect(checked).toContain('GET /api/openapi.json');
    expect(checked).toContain('GET /api/v1/events');
  });

  it('rejects a wrong API key and an unknown route without credentials alike', async () => {
    expect(
      (await h.app.inject({ url: '/api/v1/routers', headers: { authorization: 'Bearer ispm_nope' } }))
        .statusCode,
    ).toBe(401);
    expect((await h.app.inject({ url: '/api/v1/nothing-here' })).statusCode).toBe(401);
  });

  it('serves health, ready and live without credentials', async () => {
    const health = await h.app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    // Anonymous: the overall status only; the checks' messages name internals.
    expect(health.json()).toEqual({ status: expect.stringMatching(/^(pass|warn)$/) });
    const detailed = await h.app.inject({
      url: '/health',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(detailed.json().checks.poller.status).toBe('pass');
    const badKey = await h.app.inject({ url: '/health', headers: { authorization: 'Bearer ispm_nope' } });
    expect(Object.keys(badKey.json())).toEqual(['status']);
    expect((await h.app.inject({ url: '/ready' })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/live' })).json()).toEqual({ live: true });
  });

  it('logs in with a session cookie that is httpOnly and SameSite, and logs out', async () => {
    const login = (password: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password } });
    expect((await login('wrong')).statusCode).toBe(401);
    const res = await login(ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/ispm_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0] as string;
    const me = await h.app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ id: 'user:admin', role: 'admin' });
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect((await h.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it("ends a user's sessions when the password or role changes, and purges expired sessions", async () => {
    const put = (password: string, role: string) =>
      h.app.inject({
        method: 'PUT',
        url: '/api/v1/users/noc1',
        headers: h.admin,
        payload: { password, role },
      });
    expect((await put('first-password', 'operator')).statusCode).toBe(200);
    const login = async (password: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'noc1', password },
      });
      expect(res.statusCode).toBe(200);
      return String(res.headers['set-cookie']).split(';')[0] as string;
    };
    const me = async (cookie: string) =>
      (await h.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode;
    const laptop = await login('first-password');
    const phone = await login('first-password');
    expect(await me(laptop)).toBe(200);
    // A colleague resets noc1's password (a stolen laptop): both sessions end at once.
    expect((await put('second-password', 'operator')).statusCode).toBe(200);
    expect(await me(laptop)).toBe(401);
    expect(await me(phone)).toBe(401);
    const fresh = await login('second-password');
    expect(await me(fresh)).toBe(200);
    // A demotion ends the session too (the new role needs a new login).
    expect((await put('second-password', 'viewer')).statusCode).toBe(200);
    expect(await me(fresh)).toBe(401);
  });

  it('purges sessions that expired or whose user changed, and keeps the live ones', async () => {
    let now = 1_000_000;
    const accounts = new Accounts(memoryStateStore(), () => now);
    await accounts.putUser('a', 'password-a', 'viewer');
    await accounts.putUser('b', 'password-b', 'viewer');
    const a = (await accounts.getUser('a'))!;
    const short = await accounts.openSession(a, 60_000);
    now += 1;
    const long = await accounts.openSession(a, 3_600_000);
    const b = await accounts.openSession((await accounts.getUser('b'))!, 3_600_000);
    now += 120_000; // `short` has expired
    await accounts.deleteUser('b');
    expect(await accounts.purgeSessions()).toBe(2);
    expect(await accounts.principalForSession(short.token)).toBeUndefined();
    expect(await accounts.principalForSession(b.token)).toBeUndefined();
    expect(await accounts.principalForSession(long.token)).toMatchObject({ id: 'user:a' });
    expect(await accounts.purgeSessions()).toBe(0);
  });

  it('enforces roles: a viewer key reads but cannot write; an operator cannot manage keys', async () => {
    const viewer = (await createKey(h, 'viewer')).headers;
    // The operator's key in the other header the API accepts.
    const operator = { 'x-api-key': (await createKey(h, 'operator')).key };
    expect((await h.app.inject({ url: '/api/v1/routers', headers: viewer })).statusCode).toBe(200);
    const denied = await h.app.inject({
      method: 'POST',
      url: '/api/v1/routers',
      headers: viewer,
      payload: { id: 'v1', host: '127.0.0.2', driver: 'lab' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toMatch(/operator/);
    expect((await h.app.inject({ url: '/api/v1/keys', headers: operator })).statusCode).toBe(403);
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/routers',
          headers: operator,
          payload: { id: 'op1', host: '127.0.0.3', driver: 'lab' },
        })
      ).statusCode,
    ).toBe(201);
  });

  it('stores API keys only as hashes and never lists the key itself', async () => {
    const created = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/keys',
        headers: h.admin,
        payload: { name: 'ci', role: 'viewer' },
      })
    ).json();
    const store = (
      h.ctx.accounts as unknown as {
        store: { list(ns: string): Promise<Array<{ key: string; value: unknown }>> };
      }
    ).store;
    const rows = JSON.stringify(await store.list('server.apikeys'));
    expect(rows).not.toContain(created.key);
    const listed = JSON.stringify((await h.app.inject({ url: '/api/v1/keys', headers: h.admin })).json());
    expect(listed).not.toContain(created.key);
    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/keys/${created.id}`,
      headers: h.admin,
    });
    expect(revoked.statusCode).toBe(204);
    expect(
      (await h.app.inject({ url: '/api/v1/routers', headers: { authorization: `Bearer ${created.key}` } }))
        .statusCode,
    ).toBe(401);
  });

  it('rate-limits logins', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '127.0.0.9',
        payload: { username: 'admin', password: `guess${i}` },
      });
      codes.push(r.statusCode);
    }
    expect(codes).toContain(429);
    expect(codes.slice(0, 5).every((c) => c === 401)).toBe(true);
  });

  it('keeps an audit log of changes: who, what, when', async () => {
    const log = (await h.app.inject({ url: '/api/v1/audit', headers: h.admin })).json();
    const create = log.items.find((e: { action: string }) => e.action === 'router.create');
    expect(create).toMatchObject({ actor: expect.stringMatching(/^key:/), target: 'op1' });
    expect(typeof create.at).toBe('number');
    expect(log.items.some((e: { action: string }) => e.action === 'apikey.revoke')).toBe(true);
  });
});
