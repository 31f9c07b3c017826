import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, type Harness, labRouter, startHarness } from './support/harness.js';

/**
 * The search and subscriber routes on a server without subscriber storage (no Postgres plugin):
 * input checks (400, never 500), auth, router hits from the registry, 503 for the history.
 */
let h: Harness;
let viewer: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({
    devices: [
      labRouter('bey-bng-1', '10.0.0.1', 'BEY', 'bng', { name: 'BEY-BNG-1' }),
      labRouter('bey-acc-1', '10.0.0.2', 'BEY', 'access'),
      labRouter('trp-bng-1', '10.0.1.1', 'TRP', 'bng'),
    ],
    start: false,
  });
  viewer = (await createKey(h, 'viewer', 'helpdesk')).headers;
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const get = (url: string, headers: Record<string, string> = viewer) => h.app.inject({ url, headers });

describe('search and subscriber routes without subscriber storage', () => {
  it('need credentials: anonymous 401, a viewer may read', async () => {
    for (const url of [
      '/api/v1/search?q=bey',
      '/api/v1/subscribers/alice',
      '/api/v1/subscribers/alice/sessions',
      '/api/v1/ips/10.0.0.1/history',
      '/api/v1/macs/aa:bb:cc:dd:ee:ff/history',
    ]) {
      expect((await get(url, {})).statusCode, url).toBe(401);
    }
    expect((await get('/api/v1/search?q=bey')).statusCode).toBe(200);
  });

  it('refuse bad search text with a 400 that says why, never a 500', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/v1/search', /q/],
      ['/api/v1/search?q=', /empty/],
      ['/api/v1/search?q=%20%20%20', /empty/],
      [`/api/v1/search?q=${'x'.repeat(201)}`, /200/],
      [`/api/v1/search?q=${'x'.repeat(10_240)}`, /q/],
      ['/api/v1/search?q=a%00b', /control/],
      ['/api/v1/search?q=bey&limit=0', /limit/],
      ['/api/v1/search?q=bey&limit=1000', /limit/],
      ['/api/v1/search?q=bey&limit=ten', /limit/],
      ['/api/v1/search?q=bey&extra=1', /additional/],
    ];
    for (const [url, message] of cases) {
      const r = await get(url);
      expect(r.statusCode, `${url.slice(0, 60)}: ${r.body.slice(0, 200)}`).toBe(400);
      expect(r.json().message).toMatch(message);
    }
  });

  it('searches SQL and pattern text as plain text', async () => {
    for (const q of ["' OR 1=1 --", '%', '_', '.*', '(', '\\', 'bey%']) {
      const r = await get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      expect(r.statusCode, q).toBe(200);
      expect(r.json().hits, q).toEqual([]);
    }
  });

  it('finds routers by id, name, address and label, exact before prefix before substring', async () => {
    const r = (await get('/api/v1/search?q=BEY-BNG-1')).json();
    expect(r.query).toBe('BEY-BNG-1');
    expect(r.hits[0]).toMatchObject({ kind: 'router', id: 'bey-bng-1', name: 'BEY-BNG-1', match: 'exact' });
    const bng = (await get('/api/v1/search?q=bng')).json();
    expect(bng.hits.map((x: { id: string; match: string }) => `${x.id}:${x.match}`)).toEqual([
      'bey-bng-1:exact', // its role label is exactly "bng"
      'trp-bng-1:exact',
    ]);
    const site = (await get('/api/v1/search?q=bey&limit=1')).json();
    expect(site.hits).toHaveLength(1);
    const host = (await get('/api/v1/search?q=10.0.1.')).json();
    expect(host.hits.map((x: { id: string }) => x.id)).toEqual(['trp-bng-1']);
    const sub = (await get('/api/v1/search?q=-acc')).json();
    expect(sub.hits).toEqual([
      expect.objectContaining({ id: 'bey-acc-1', match: 'substring', status: 'unknown' }),
    ]);
    // Without subscriber storage the answer says what was not searched.
    expect(sub.note).toMatch(/only routers/);
  });

  it('checks IPs and MACs before anything else (400), then says the history is not kept (503)', async () => {
    for (const url of [
      '/api/v1/ips/not-an-ip/history',
      '/api/v1/ips/10.0.0.256/history',
      '/api/v1/ips/10.0.0.0%2F8/history',
      "/api/v1/ips/1'%20OR%201=1/history",
      '/api/v1/macs/aa:bb:cc/history',
      '/api/v1/macs/zz:bb:cc:dd:ee:ff/history',
      '/api/v1/macs/aa:bb-cc:dd:ee:ff/history',
      `/api/v1/macs/${'a'.repeat(100)}/history`,
      '/api/v1/subscribers/alice/sessions?from=yesterday',
      '/api/v1/subscribers/alice/sessions?from=-1h&to=-2h',
      '/api/v1/subscribers/alice/sessions?limit=100000',
      `/api/v1/subscribers/${'u'.repeat(300)}`,
    ]) {
      const r = await get(url);
      expect(r.statusCode, `${url}: ${r.body.slice(0, 200)}`).toBe(400);
    }
    for (const url of [
      '/api/v1/subscribers/alice',
      '/api/v1/subscribers/alice/sessions',
      '/api/v1/ips/2001:db8::1/history',
      '/api/v1/macs/AABB.CCDD.EEFF/history',
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(503);
      expect(r.json()).toMatchObject({
        error: 'ISPM_NO_SUBSCRIBER_STORE',
        message: expect.stringMatching(/postgres/),
      });
    }
  });

  it('are in the API description', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/search',
        '/api/v1/subscribers/{user}',
        '/api/v1/subscribers/{user}/sessions',
        '/api/v1/ips/{ip}/history',
        '/api/v1/macs/{mac}/history',
      ]),
    );
  });
});
