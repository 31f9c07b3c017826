import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../src/auth/throttle.js';
import { memoryStateStore } from '../src/state-store.js';
import { ADMIN_KEY, ADMIN_PASSWORD, type Harness, startHarness } from './support/harness.js';

describe('login throttling (state shared by replicas)', () => {
  it('locks a user name after the failures in a row, doubling up to 15 minutes, and a right password clears it', async () => {
    let now = 1_000_000;
    const store = memoryStateStore();
    // Two replicas: two throttles over one store count the same attempts.
    const a = new LoginThrottle(store, { perAddressPerMinute: 1000, userFailures: 3 }, () => now);
    const b = new LoginThrottle(store, { perAddressPerMinute: 1000, userFailures: 3 }, () => now);
    for (const t of [a, b, a]) {
      expect(await t.admit('192.0.2.1', 'noc')).toBeUndefined();
      await t.result('noc', false);
    }
    // Third failure: locked for 1 minute, on both replicas and from any address.
    expect(await b.admit('198.51.100.7', 'noc')).toEqual({ reason: 'user', retryAfterMs: 60_000 });
    expect(await a.admit('192.0.2.1', 'other')).toBeUndefined();
    now += 60_000;
    expect(await a.admit('192.0.2.1', 'noc')).toBeUndefined();
    await a.result('noc', false); // the 4th: 2 minutes
    expect(await a.admit('192.0.2.1', 'noc')).toEqual({ reason: 'user', retryAfterMs: 120_000 });
    for (let i = 0; i < 10; i++) await a.result('noc', false);
    expect((await a.admit('192.0.2.1', 'noc'))?.retryAfterMs).toBe(15 * 60_000);
    now += 15 * 60_000;
    await a.result('noc', true);
    expect(await a.admit('192.0.2.1', 'noc')).toBeUndefined();
  });

  it('limits attempts per address per minute and purges what is over', async () => {
    let now = 5_000_000;
    const store = memoryStateStore();
    const t = new LoginThrottle(store, { perAddressPerMinute: 3, userFailures: 5 }, () => now);
    for (let i = 0; i < 3; i++) expect(await t.admit('192.0.2.9', `u${i}`)).toBeUndefined();
    now += 20_000;
    expect(await t.admit('192.0.2.9', 'u9')).toEqual({ reason: 'address', retryAfterMs: 40_000 });
    expect(await t.admit('192.0.2.10', 'u9')).toBeUndefined();
    now += 40_000;
    expect(await t.admit('192.0.2.9', 'u9')).toBeUndefined();
    await t.result('ghost', false);
    now += 3_600_000;
    expect(await t.purge()).toBe(3); // both address windows and the made-up user name
    expect(await store.list('server.login-throttle')).toEqual([]);
  });
});

describe('login route', () => {
  let h: Harness;
  let proxied: Harness;
  beforeAll(async () => {
    const auth = { adminPassword: ADMIN_PASSWORD, adminApiKey: ADMIN_KEY };
    h = await startHarness({
      server: { auth: { ...auth, loginFailuresBeforeLock: 2, loginAttemptsPerMinute: 50 } },
    });
    proxied = await startHarness({
      server: { trustProxy: '127.0.0.1', auth: { ...auth, loginAttemptsPerMinute: 2 } },
    });
  });
  afterAll(async () => {
    await h?.close();
    await proxied?.close();
  });
  const login = (app: Harness['app'], password: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password },
      headers,
    });

  it('answers 429 with Retry-After once the user is locked, even with the right password', async () => {
    expect((await login(h.app, 'wrong-1')).statusCode).toBe(401);
    expect((await login(h.app, 'wrong-2')).statusCode).toBe(401);
    const locked = await login(h.app, ADMIN_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: 'ISPM_LOGIN_THROTTLED' });
    expect(Number(locked.headers['retry-after'])).toBe(60);
  });

  it('behind a trusted proxy, counts each client address apart and marks the cookie Secure over https', async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' });
    expect((await login(proxied.app, 'wrong', from('192.0.2.1'))).statusCode).toBe(401);
    expect((await login(proxied.app, 'wrong', from('192.0.2.1'))).statusCode).toBe(401);
    expect((await login(proxied.app, 'wrong', from('192.0.2.1'))).statusCode).toBe(429);
    // Another client behind the same proxy still gets in.
    const ok = await login(proxied.app, ADMIN_PASSWORD, from('192.0.2.2'));
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['set-cookie'])).toMatch(/;\s*Secure/i);
  });

  it('without trustProxy, a forged X-Forwarded-For is not the client and a plain-HTTP cookie is not Secure', async () => {
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/users/noc2',
      headers: h.admin,
      payload: { password: 'noc2-password', role: 'viewer' },
    });
    expect(put.statusCode).toBe(200);
    const forged = { 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https' };
    const as = (password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'noc2', password },
        headers: forged,
      });
    expect((await as('wrong')).statusCode).toBe(401);
    const audit = (await h.app.inject({ url: '/api/v1/audit', headers: h.admin })).json();
    const failed = audit.items.find(
      (e: { action: string; actor: string }) => e.action === 'auth.login.failed' && e.actor === 'user:noc2',
    );
    expect(failed.target).toBe('127.0.0.1');
    const ok = await as('noc2-password');
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['set-cookie'])).not.toMatch(/;\s*Secure/i);
  });
});
