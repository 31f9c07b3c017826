import type { Device } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const SITES = [
  { id: 'BEY', lat: 33.89, lon: 35.5 },
  { id: 'TRP', lat: 34.43, lon: 35.84 },
  { id: 'SDN', lat: 33.55, lon: 35.37 },
  { id: 'ZHL', lat: 33.84, lon: 35.9 },
];

/** 500 lab routers in four sites, as the demo lays them out (a core, then access routers). */
function fleet(): Device[] {
  const out: Device[] = [
    { id: 'core', host: '127.0.5.1', driver: 'lab', labels: { site: 'BEY' }, location: SITES[0] },
  ];
  for (let i = 1; i < 500; i++) {
    const site = SITES[i % 4] as (typeof SITES)[number];
    out.push({
      id: `r${i}`,
      host: `127.0.${6 + Math.floor(i / 250)}.${i % 250}`,
      driver: 'lab',
      parent: 'core',
      labels: { site: site.id, uplinks: 'ether1' },
      location: { lat: site.lat + (i % 7) * 0.001, lon: site.lon + (i % 5) * 0.001 },
    });
  }
  return out;
}

let h: Harness;
beforeAll(async () => {
  // Not started: nothing polls, so every figure below is the API's own work.
  h = await startHarness({ devices: fleet(), start: false });
});
afterAll(() => h.close());

const as = (headers: Record<string, string>) => (method: string, url: string, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function login(username: string, password: string): Promise<Record<string, string>> {
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  expect(r.statusCode, r.body).toBe(200);
  const cookie = r.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { cookie };
}

describe('/api/v1/topology at 500 routers', () => {
  it('answers from the cached layout: the second request does not lay out again', async () => {
    const admin = as(h.admin);
    const t0 = performance.now();
    const first = (await admin('GET', '/api/v1/topology')).json();
    const t1 = performance.now();
    const second = (await admin('GET', '/api/v1/topology')).json();
    const t2 = performance.now();
    console.info(
      `topology of 500 routers: first ${(t1 - t0).toFixed(0)} ms, cached ${(t2 - t1).toFixed(0)} ms`,
    );
    expect(first.nodes).toHaveLength(500);
    expect(first.links).toHaveLength(499);
    expect(first.sites.map((s: { id: string; count: number }) => [s.id, s.count]).sort()).toEqual([
      ['BEY', 125],
      ['SDN', 125],
      ['TRP', 125],
      ['ZHL', 125],
    ]);
    expect(second.layoutBuiltAt).toBe(first.layoutBuiltAt);
    // Every device has a place, and no two share one.
    const spots = new Set(first.nodes.map((n: { x: number; y: number }) => `${n.x},${n.y}`));
    expect(spots.size).toBe(500);
    // GeoJSON keeps its shape for map tools.
    const geo = (await admin('GET', '/api/v1/topology?format=geojson')).json();
    expect(
      geo.features.filter((f: { geometry: { type: string } }) => f.geometry.type === 'Point'),
    ).toHaveLength(500);
  });

  it('keeps dragged positions per account, across requests, and refuses bad ones', async () => {
    await as(h.admin)('PUT', '/api/v1/users/ops', { password: 'ops password 123', role: 'viewer' });
    const adminUser = as(await login('admin', 'correct horse battery staple'));
    const ops = as(await login('ops', 'ops password 123'));
    expect((await adminUser('GET', '/api/v1/topology/positions')).json().positions).toEqual({});
    const put = await adminUser('PUT', '/api/v1/topology/positions', {
      positions: { r7: { x: 10.04, y: -20 }, 'site:TRP': { x: 500, y: 600 } },
    });
    expect(put.statusCode, put.body).toBe(200);
    await adminUser('PUT', '/api/v1/topology/positions', { positions: { r8: { x: 1, y: 2 } } });
    expect((await adminUser('GET', '/api/v1/topology/positions')).json().positions).toEqual({
      r7: { x: 10, y: -20 },
      r8: { x: 1, y: 2 },
      'site:TRP': { x: 500, y: 600 },
    });
    // Another account sees its own (none), and a viewer may arrange its own map.
    expect((await ops('GET', '/api/v1/topology/positions')).json().positions).toEqual({});
    expect(
      (await ops('PUT', '/api/v1/topology/positions', { positions: { r1: { x: 0, y: 0 } } })).statusCode,
    ).toBe(200);
    expect(Object.keys((await adminUser('GET', '/api/v1/topology/positions')).json().positions)).toHaveLength(
      3,
    );
    // null forgets one; DELETE forgets all.
    await adminUser('PUT', '/api/v1/topology/positions', { positions: { r8: null } });
    expect(Object.keys((await adminUser('GET', '/api/v1/topology/positions')).json().positions)).toEqual([
      'r7',
      'site:TRP',
    ]);
    for (const bad of [
      { positions: { r1: { x: 'a', y: 1 } } },
      { positions: { r1: { x: 1e300, y: 1 } } },
      { positions: [] },
      {},
    ]) {
      const r = await adminUser('PUT', '/api/v1/topology/positions', bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await adminUser('DELETE', '/api/v1/topology/positions')).statusCode).toBe(204);
    expect((await adminUser('GET', '/api/v1/topology/positions')).json().positions).toEqual({});
    expect((await ops('GET', '/api/v1/topology/positions')).json().positions).toEqual({ r1: { x: 0, y: 0 } });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/topology/positions' })).statusCode).toBe(401);
  });

  it('serves the offline basemap of an area, and refuses a malformed one', async () => {
    const admin = as(h.admin);
    const r = await admin('GET', '/api/v1/topology/basemap?bbox=34.5,32.8,37,35');
    expect(r.statusCode, r.body).toBe(200);
    const map = r.json();
    expect(map.resolution).toBe('10m');
    expect(map.land.length).toBeGreaterThan(0);
    // The Levant's borders (Lebanon–Syria, Lebanon–Israel…) are in the box, every point inside it.
    expect(map.borders.length).toBeGreaterThan(0);
    const inside = ([lon, lat]: number[]) =>
      (lon as number) >= 34.5 && (lon as number) <= 37 && (lat as number) >= 32.8 && (lat as number) <= 35;
    // A border line keeps one point beyond the box at each end, so it runs to the edge.
    for (const line of map.borders) expect(line.some(inside)).toBe(true);
    for (const line of map.land) {
      for (const [lon, lat] of line) {
        expect(lon).toBeGreaterThanOrEqual(34.5 - 1e-6);
        expect(lon).toBeLessThanOrEqual(37 + 1e-6);
        expect(lat).toBeGreaterThanOrEqual(32.8 - 1e-6);
        expect(lat).toBeLessThanOrEqual(35 + 1e-6);
      }
    }
    expect((await admin('GET', '/api/v1/topology/basemap?bbox=-180,-90,180,90')).json().resolution).toBe(
      '110m',
    );
    for (const bad of ['1,2,3', '10,10,5,5', '0,0,200,10', 'a,b,c,d']) {
      expect((await admin('GET', `/api/v1/topology/basemap?bbox=${bad}`)).statusCode).toBe(400);
    }
  });
});
