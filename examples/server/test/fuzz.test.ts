import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ devices: [{ id: 'cfg-1', host: '127.0.0.1', driver: 'lab' }] });
});
afterAll(() => h.close());

const HOSTILE = [
  "' OR 1=1 --",
  "'; DROP TABLE ispm_devices; --",
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '\u0000\u0001\uFFFF',
  '<script>alert(1)</script>',
  'a'.repeat(5000),
  '${jndi:ldap://127.0.0.1/x}',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
];

describe('hostile input', () => {
  it('answers malformed JSON, wrong types and unknown fields with 4xx and a message, never 5xx', async () => {
    const bodies: Array<{ payload: string; type?: string }> = [
      { payload: '{"id": "x", "host": ' },
      { payload: 'not json at all' },
      { payload: '[]' },
      { payload: 'null' },
      { payload: '{"id": 5, "host": true, "driver": []}' },
      { payload: '{"id": 5, "host": "127.0.0.1", "driver": "lab"}' },
      { payload: '{"id": "t1", "host": "127.0.0.1", "driver": "lab", "port": "161"}' },
      { payload: '{"id": "t2", "host": "127.0.0.1", "driver": "lab", "enabled": 1}' },
      { payload: '{"id": "t3", "host": "127.0.0.1", "driver": "lab", "location": {"lat": "33", "lon": 35}}' },
      { payload: '{"id": "ok", "host": "127.0.0.1", "driver": "lab", "labels": {"a": {"b": 1}}}' },
      { payload: '{"id": "ok", "host": "127.0.0.1", "driver": "lab", "location": {"lat": 91, "lon": 0}}' },
      {
        payload:
          '{"__proto__": {"admin": true}, "id": "p", "host": "127.0.0.1", "driver": "lab", "lab": {"x": 1}}',
      },
      { payload: 'id=x', type: 'application/x-www-form-urlencoded' },
      { payload: '<xml/>', type: 'application/xml' },
    ];
    for (const b of bodies) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/v1/routers',
        headers: { ...h.admin, 'content-type': b.type ?? 'application/json' },
        payload: b.payload,
      });
      expect(r.statusCode, `${b.payload} → ${r.body}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, b.payload).toBeLessThan(500);
      expect(typeof r.json().message, b.payload).toBe('string');
    }
  });

  it('does not coerce JSON body types: a string port or a numeric flag is named in the error', async () => {
    const port = await h.app.inject({
      method: 'POST',
      url: '/api/v1/routers',
      headers: h.admin,
      payload: { id: 'c1', host: '127.0.0.1', driver: 'lab', port: '161' },
    });
    expect(port.statusCode).toBe(400);
    expect(port.json().message).toBe('body/port must be integer, not string');
    const lat = await h.app.inject({
      method: 'POST',
      url: '/api/v1/routers',
      headers: h.admin,
      payload: { id: 'c2', host: '127.0.0.1', driver: 'lab', location: { lat: '33', lon: 35 } },
    });
    expect(lat.json().message).toBe('body/location/lat must be number, not string');
  });

  it('refuses huge bodies with 413', async () => {
    const huge = JSON.stringify({
      id: 'big',
      host: '127.0.0.1',
      driver: 'lab',
      name: 'x'.repeat(2 * 1024 * 1024),
    });
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/routers',
      headers: { ...h.admin, 'content-type': 'application/json' },
      payload: huge,
    });
    expect(r.statusCode).toBe(413);
  });

  it('treats injection and traversal strings as plain data on every read route', async () => {
    const routes = [
      '/api/v1/routers/{}',
      '/api/v1/routers/{}/interfaces',
      '/api/v1/metrics/routers/{}',
      '/api/v1/metrics/interfaces/{}',
      '/api/v1/routers?search={}',
      '/api/v1/routers?site={}',
      '/api/v1/sessions/pppoe?q={}',
      '/api/v1/sessions/dhcp?q={}&router={}',
      '/api/v1/interfaces?search={}',
      '/api/v1/metrics/routers/cfg-1?from={}&to={}&step={}',
      '/api/v1/alerts?status={}',
      '/api/v1/audit?page={}',
    ];
    for (const route of routes) {
      for (const s of HOSTILE) {
        const url = route.replaceAll('{}', encodeURIComponent(s));
        const r = await h.app.inject({ url, headers: h.admin });
        expect(r.statusCode, `${url} → ${r.body.slice(0, 200)}`).toBeLessThan(500);
        if (r.statusCode >= 400) expect(typeof r.json().message).toBe('string');
      }
    }
    // Nothing was created or broken by the strings above.
    expect((await h.app.inject({ url: '/api/v1/routers', headers: h.admin })).json().total).toBe(1);
  });

  it('creates nothing from hostile ids and keeps prototype pollution out', async () => {
    for (const s of HOSTILE) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/v1/routers',
        headers: h.admin,
        payload: { id: s, host: '127.0.0.1', driver: 'lab' },
      });
      if (/^[A-Za-z0-9._-]+$/.test(s) && s.length <= 128) {
        // `constructor` and `__proto__` match the id pattern: core may refuse them, but if it
        // stores one, it must come back as plain data.
        expect([201, 400], s).toContain(r.statusCode);
        if (r.statusCode === 400) continue;
        const back = await h.app.inject({ url: `/api/v1/routers/${s}`, headers: h.admin });
        expect(back.json().id).toBe(s);
      } else {
        expect(r.statusCode, s.slice(0, 40)).toBe(400);
        expect(r.json().message).toMatch(/id/);
      }
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('survives hostile headers and cookies', async () => {
    for (const s of HOSTILE) {
      const safe = s.replace(/[^\x20-\x7e]/g, '?');
      const r = await h.app.inject({
        url: '/api/v1/routers',
        headers: { authorization: `Bearer ${safe}`, cookie: `ispm_session=${encodeURIComponent(s)}` },
      });
      expect(r.statusCode).toBe(401);
    }
  });
});
