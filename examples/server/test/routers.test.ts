import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, labRouter, startHarness, waitFor } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    devices: [
      labRouter('bey-core-1', '127.0.0.1', 'BEY', 'core', { lab: { interfaces: 3 } }),
      labRouter('trp-edge-1', '127.0.0.2', 'TRP', 'edge', { parent: 'bey-core-1' }),
    ],
    interval: '1s',
  });
  // Config devices get their first poll at their phase within the interval.
  await waitFor(() => h.monitor.devices.counts().online === 2, 5000, 'config devices online');
});
afterAll(() => h.close());

const req = (method: string, url: string, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url,
    headers: h.admin,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe('/api/v1/routers', () => {
  it('lists with filters and pages', async () => {
    for (let i = 0; i < 12; i++) {
      const r = await req('POST', '/api/v1/routers', {
        id: `api-${String(i).padStart(2, '0')}`,
        host: `127.0.1.${i}`,
        driver: 'lab',
        labels: { site: i % 2 ? 'BEY' : 'SID', role: 'cpe' },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const all = (await req('GET', '/api/v1/routers?pageSize=5&page=2')).json();
    expect(all.total).toBe(14);
    expect(all.items.map((r: { id: string }) => r.id)).toEqual([
      'api-05',
      'api-06',
      'api-07',
      'api-08',
      'api-09',
    ]);
    const bey = (await req('GET', '/api/v1/routers?site=BEY&pageSize=100')).json();
    expect(bey.total).toBe(7);
    expect(
      (await req('GET', '/api/v1/routers?role=core')).json().items.map((r: { id: string }) => r.id),
    ).toEqual(['bey-core-1']);
    expect((await req('GET', '/api/v1/routers?search=127.0.0.2')).json().items[0].id).toBe('trp-edge-1');
    expect((await req('GET', '/api/v1/routers?origin=config')).json().total).toBe(2);
    expect((await req('GET', '/api/v1/routers?driver=snmp')).json().total).toBe(0);
    const online = (await req('GET', '/api/v1/routers?status=online&pageSize=100')).json();
    expect(online.total).toBe(h.monitor.devices.counts().online);
    expect(online.items.every((r: { status: string }) => r.status === 'online')).toBe(true);
    expect((await req('GET', '/api/v1/routers?status=offline')).json().total).toBe(0);
  });

  it('a status filter follows status changes, which come without an inventory event', async () => {
    const total = async (status: string) =>
      (await req('GET', `/api/v1/routers?status=${status}&site=TRP`)).json().total as number;
    expect(await total('online')).toBe(1);
    expect(await total('unreachable')).toBe(0);
    // The router stops answering (the lab driver reads its settings at each poll) and turns
    // unreachable at its next poll: a device:status event, no device:changed.
    const lab = h.monitor.devices.get('trp-edge-1')?.device as { lab?: { fail?: boolean } };
    lab.lab = { fail: true };
    try {
      await waitFor(() => h.monitor.devices.get('trp-edge-1')?.status === 'unreachable', 5000, 'unreachable');
      expect(await total('unreachable')).toBe(1);
      expect(await total('online')).toBe(0);
    } finally {
      lab.lab = undefined;
    }
    await waitFor(() => h.monitor.devices.get('trp-edge-1')?.status === 'online', 5000, 'online again');
    expect(await total('online')).toBe(1);
  });

  it('the event stream follows a status change with a whole counts snapshot', async () => {
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    const stream = await fetch(`${address}/api/v1/events`, { headers: h.admin, signal: abort.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp, what: string) => {
      const until = Date.now() + 8000;
      while (!pattern.test(text)) {
        if (Date.now() > until) throw new Error(`no ${what} in the stream:\n${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${what}`);
        text += new TextDecoder().decode(value);
      }
    };
    const lab = h.monitor.devices.get('trp-edge-1')?.device as { lab?: { fail?: boolean } };
    try {
      await readUntil(/event: hello\ndata: \{"counts":\{[^\n]*"online":\d+/, 'hello');
      const before = h.monitor.devices.counts();
      lab.lab = { fail: true };
      await readUntil(
        /event: device:status\ndata: \{"device":"trp-edge-1"[^\n]*"status":"unreachable"/,
        'status',
      );
      await readUntil(/event: counts\ndata: .*\n\n/, 'counts');
      const line = /event: counts\ndata: (.*)\n/.exec(text)?.[1] ?? '{}';
      const snapshot = (JSON.parse(line) as { counts: Record<string, number> }).counts;
      expect(snapshot.unreachable).toBe(before.unreachable + 1);
      expect(snapshot.online).toBe(before.online - 1);
      const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
      expect(total(snapshot)).toBe(total(before));
    } finally {
      lab.lab = undefined;
      abort.abort();
    }
    await waitFor(() => h.monitor.devices.get('trp-edge-1')?.status === 'online', 5000, 'online again');
  });

  it('reads, updates and deletes an API router, and never shows driver settings', async () => {
    const created = await req('POST', '/api/v1/routers', {
      id: 'secretive',
      host: '127.0.2.1',
      driver: 'lab',
      lab: { interfaces: 1 },
    });
    expect(created.statusCode).toBe(201);
    const got = (await req('GET', '/api/v1/routers/secretive')).json();
    expect(got).toMatchObject({ id: 'secretive', origin: 'store', settings: ['lab'] });
    expect(got.lab).toBeUndefined();
    const patched = await req('PATCH', '/api/v1/routers/secretive', { labels: { site: 'ZAH' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().labels).toEqual({ site: 'ZAH' });
    expect((await req('DELETE', '/api/v1/routers/secretive')).statusCode).toBe(204);
    expect((await req('GET', '/api/v1/routers/secretive')).statusCode).toBe(404);
  });

  it('refuses to change or delete config devices with 409 and a message', async () => {
    const patch = await req('PATCH', '/api/v1/routers/bey-core-1', { name: 'x' });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().message).toMatch(/config file/);
    expect((await req('DELETE', '/api/v1/routers/bey-core-1')).statusCode).toBe(409);
  });

  const invalid: Array<[string, Record<string, unknown>, number, RegExp | undefined]> = [
    ['a duplicate id', { id: 'bey-core-1', host: '127.0.0.5', driver: 'lab' }, 409, undefined],
    ['an unknown driver', { id: 'x1', host: '127.0.0.5', driver: 'nope' }, 400, /nope/],
    [
      'bad driver settings',
      { id: 'x2', host: '127.0.0.5', driver: 'lab', lab: { interfaces: 'many' } },
      400,
      /interfaces/,
    ],
    ['a port out of range', { id: 'x3', host: '127.0.0.5', driver: 'lab', port: 70000 }, 400, /port/],
  ];
  it.each(invalid)('validates: %s answers %i naming the field', async (_what, payload, status, message) => {
    const res = await req('POST', '/api/v1/routers', payload);
    expect(res.statusCode).toBe(status);
    if (message) expect(res.json().message).toMatch(message);
  });

  it('serves interfaces, sessions, topology and events data from the polls', async () => {
    const ifs = (await req('GET', '/api/v1/routers/bey-core-1/interfaces')).json();
    expect(ifs.total).toBe(3);
    expect(ifs.items[0]).toMatchObject({ id: 'bey-core-1:1', name: 'ether1', device: 'bey-core-1' });
    expect(
      (await req('GET', '/api/v1/interfaces?operUp=false&pageSize=1000'))
        .json()
        .items.every((i: { operUp: boolean }) => !i.operUp),
    ).toBe(true);
    expect((await req('GET', '/api/v1/routers/none/interfaces')).statusCode).toBe(404);
    const pppoe = (await req('GET', '/api/v1/sessions/pppoe?q=sub-trp')).json();
    expect(pppoe.items).toEqual([expect.objectContaining({ user: 'sub-trp-edge-1', device: 'trp-edge-1' })]);
    const dhcp = (await req('GET', '/api/v1/sessions/dhcp?q=AA:BB:CC:00:00:02&router=bey-core-1')).json();
    expect(dhcp.total).toBe(1);
    const topo = (await req('GET', '/api/v1/topology')).json();
    expect(topo.links).toContainEqual({ source: 'bey-core-1', target: 'trp-edge-1', kind: 'parent' });
    await req('POST', '/api/v1/routers', {
      id: 'geo-a',
      host: '127.0.3.1',
      driver: 'lab',
      location: { lat: 33.9, lon: 35.5 },
    });
    await req('POST', '/api/v1/routers', {
      id: 'geo-b',
      host: '127.0.3.2',
      driver: 'lab',
      parent: 'geo-a',
      location: { lat: 34.4, lon: 35.8 },
    });
    const geo = (await req('GET', '/api/v1/topology?format=geojson')).json();
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.features).toContainEqual(
      expect.objectContaining({ geometry: { type: 'Point', coordinates: [35.5, 33.9] } }),
    );
    expect(geo.features).toContainEqual(
      expect.objectContaining({
        geometry: {
          type: 'LineString',
          coordinates: [
            [35.5, 33.9],
            [35.8, 34.4],
          ],
        },
      }),
    );
    await req('DELETE', '/api/v1/routers/geo-b');
    await req('DELETE', '/api/v1/routers/geo-a');
  });

  it('answers the time-series routes with 501 when no storage plugin keeps samples', async () => {
    const r = await req('GET', '/api/v1/metrics/routers/bey-core-1?from=-1h&step=60s');
    expect(r.statusCode).toBe(501);
    expect(r.json().message).toMatch(/storage/);
    expect((await req('GET', '/api/v1/metrics/routers/bey-core-1?from=yesterday')).statusCode).toBe(400);
  });

  it('serves diagnostics to admins without any secret', async () => {
    const d = (await req('GET', '/api/v1/diagnostics')).json();
    expect(d.devices.total).toBeGreaterThanOrEqual(2);
    expect(d.plugins.map((p: { name: string }) => p.name)).toContain('lab-driver');
    expect(JSON.stringify(d)).not.toContain('correct horse');
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const doc = (await req('GET', '/api/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/routers',
        '/api/v1/routers/{id}',
        '/api/v1/topology',
        '/api/v1/sessions/pppoe',
      ]),
    );
    expect(doc.paths['/api/v1/routers'].get.parameters.map((p: { name: string }) => p.name)).toContain(
      'status',
    );
  });
});
