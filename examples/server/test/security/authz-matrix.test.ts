/**
 * Authorisation matrix: every route Fastify registered (not a hand list) × every kind of caller
 * → the status class the route's role allows. A route added later is in the matrix by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS } from '../../src/state-store.js';
import { createKey } from '../support/harness.js';
import { type SecurityServer, startServer } from './support.js';

type Caller = 'anonymous' | 'revoked key' | 'expired session' | 'viewer' | 'operator' | 'admin';
const RANK: Record<string, number> = { viewer: 1, operator: 2, admin: 3 };

/** Routes that must stay admin-only whatever their declarations say: users, keys, audit, internals. */
const ADMIN_ONLY = [
  'GET /api/v1/users',
  'PUT /api/v1/users/:username',
  'DELETE /api/v1/users/:username',
  'GET /api/v1/keys',
  'POST /api/v1/keys',
  'DELETE /api/v1/keys/:id',
  'GET /api/v1/audit',
  'GET /api/v1/diagnostics',
];
/**
 * Writes a viewer may make: only to its own account's things (its session, its saved map
 * positions). Any other write open to viewers fails the suite.
 */
const VIEWER_WRITES = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'PUT /api/v1/topology/positions',
  'DELETE /api/v1/topology/positions',
]);
/** Streams answer forever once allowed: only their refusals are asked. */
const STREAMING = new Set(['GET /api/v1/events', 'HEAD /api/v1/events']);

let s: SecurityServer;
const headers = {} as Record<Caller, Record<string, string>>;

beforeAll(async () => {
  // No storage: routes that need it answer 501, which is still "allowed" (the fuzz has storage).
  s = await startServer({ devices: [{ id: 'cfg-1', host: '127.0.0.1', driver: 'lab' }] });
  headers.anonymous = {};
  headers.viewer = (await createKey(s, 'viewer', 'matrix-viewer')).headers;
  headers.operator = (await createKey(s, 'operator', 'matrix-operator')).headers;
  headers.admin = s.admin;
  const doomed = await createKey(s, 'admin', 'doomed');
  const revoke = await s.app.inject({ method: 'DELETE', url: `/api/v1/keys/${doomed.id}`, headers: s.admin });
  expect(revoke.statusCode).toBe(204);
  headers['revoked key'] = doomed.headers;
  // A real login whose session then lies past its expiry.
  await s.app.inject({
    method: 'PUT',
    url: '/api/v1/users/matrix-admin',
    headers: s.admin,
    payload: { password: 'matrix-admin-password', role: 'admin' },
  });
  const login = await s.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'matrix-admin', password: 'matrix-admin-password' },
  });
  expect(login.statusCode).toBe(200);
  const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
  const store = s.ctx.accounts.stateStore;
  for (const { key: k, value } of await store.list<{ expiresAt: number }>(NS.sessions)) {
    await store.set(NS.sessions, k, { ...value, expiresAt: Date.now() - 1000 });
  }
  headers['expired session'] = { cookie };
});
afterAll(() => s.close());

const need = (r: { method: string; role?: string }) =>
  r.role ?? (r.method === 'GET' || r.method === 'HEAD' ? 'viewer' : 'operator');

function expected(
  caller: Caller,
  r: { public: boolean; method: string; role?: string },
): 'denied-401' | 'denied-403' | 'allowed' {
  if (r.public) return 'allowed';
  if (caller === 'anonymous' || caller === 'revoked key' || caller === 'expired session') return 'denied-401';
  return (RANK[caller] ?? 0) >= (RANK[need(r)] ?? 9) ? 'allowed' : 'denied-403';
}

describe('authorisation matrix over every registered route (issue 21)', () => {
  it('keeps the admin-only routes admin-only and no write route open to viewers', () => {
    const routes = s.app.ispmRoutes;
    expect(routes.length).toBeGreaterThan(40);
    const byKey = new Map(routes.map((r) => [`${r.method} ${r.url}`, r]));
    for (const k of ADMIN_ONLY)
      expect(need(byKey.get(k) ?? { method: 'GET', role: 'missing' }), k).toBe('admin');
    const viewerWrites = routes
      .filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && (r.public || need(r) === 'viewer'))
      .map((r) => `${r.method} ${r.url}`);
    expect(viewerWrites.filter((k) => !VIEWER_WRITES.has(k))).toEqual([]);
  });

  it('answers every route × caller with the status its role allows', async () => {
    const callers = Object.keys(headers) as Caller[];
    const wrong: string[] = [];
    let cells = 0;
    for (const r of s.app.ispmRoutes) {
      const k = `${r.method} ${r.url}`;
      // Never touch the callers' own keys and users through the path parameters.
      const url = r.url.replace(/\*$/, 'x1').replace(/:(\w+)/g, 'zz-matrix');
      for (const caller of callers) {
        const want = expected(caller, r);
        if (want === 'allowed' && STREAMING.has(k)) continue;
        // No time bound per cell: a route that hangs fails the test by its timeout, and how fast
        // routes answer is the benchmarks' business, not a wall-clock assertion here.
        const res = await s.app.inject({
          method: r.method as 'GET',
          url,
          headers: headers[caller],
          ...(r.method === 'GET' || r.method === 'HEAD' || r.method === 'DELETE' ? {} : { payload: {} }),
        });
        cells++;
        const forbidden = res.statusCode === 403 && (r.method === 'HEAD' || /ISPM_FORBIDDEN/.test(res.body));
        const got = res.statusCode === 401 ? 'denied-401' : forbidden ? 'denied-403' : 'allowed';
        if (got !== want || res.statusCode === 500)
          wrong.push(`${caller} ${k} → ${res.statusCode} (want ${want})`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cells).toBeGreaterThan(250);
  });
});
