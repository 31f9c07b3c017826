import type { Monitor } from '@ispmonitor/core';
import { postgresStore } from '@ispmonitor/plugin-postgres';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, readConfig } from '../src/assemble.js';
import { groupAvailability, routerAvailability, type Transition } from '../src/reports/availability.js';
import { csv, csvField, percent } from '../src/reports/csv.js';
import {
  formatAvailability,
  type ReportRouter,
  readState,
  sortRouters,
  stateQuery,
} from '../ui/src/pages/reports-data.js';
import { ADMIN_KEY, apiFor, closeApiAndMonitor } from './support/harness.js';
import { labDriver } from './support/lab-driver.js';

const H = 3_600_000;
const t = (ts: number, status: Transition['status'], reason: string | null = null): Transition => ({
  ts,
  status,
  reason,
});
const unknownAtStart = { status: 'unknown', since: null, reason: null } as const;

describe('availability arithmetic (hand-computed)', () => {
  it('counts time before the first record as unknown, not as covered', () => {
    // Period 0..10 h; first seen online at 6 h, unreachable 7 h..7.5 h, online again.
    const a = routerAvailability(0, 10 * H, unknownAtStart, [
      t(6 * H, 'online'),
      t(7 * H, 'unreachable', 'request timed out'),
      t(7.5 * H, 'online'),
    ]);
    expect(a.ms).toEqual({ unknown: 6 * H, online: 3.5 * H, unreachable: 0.5 * H, offline: 0 });
    expect(a.coveredMs).toBe(4 * H);
    expect(a.coveredFrom).toBe(6 * H);
    expect(a.coveredTo).toBe(10 * H);
    expect(a.availability).toBe(3.5 / 4); // 87.5 %, over the 4 covered hours, not 35 % of 10
    expect(a.outages).toEqual([
      {
        start: 7 * H,
        end: 7.5 * H,
        durationMs: 0.5 * H,
        cause: 'unreachable',
        reason: 'request timed out',
        startedBefore: false,
        since: 7 * H,
      },
    ]);
  });

  it('a router seen for 17 minutes of 30 days covers 17 minutes', () => {
    const to = 30 * 24 * H;
    const a = routerAvailability(0, to, unknownAtStart, [t(to - 17 * 60_000, 'online')]);
    expect(a.coveredMs).toBe(17 * 60_000);
    expect(a.availability).toBe(1);
    expect(a.ms.unknown).toBe(to - 17 * 60_000);
  });

  it('an outage open at the end is ongoing, measured to the end of the period', () => {
    const a = routerAvailability(0, 4 * H, { status: 'online', since: -H, reason: null }, [
      t(1 * H, 'unreachable', 'timeout'),
      t(2 * H, 'offline', 'down after 60s'),
    ]);
    expect(a.ms).toEqual({ unknown: 0, online: H, unreachable: H, offline: 2 * H });
    expect(a.availability).toBe(0.25);
    expect(a.downtimeMs).toBe(3 * H);
    expect(a.outages.map((o) => [o.start, o.end, o.durationMs, o.cause, o.reason])).toEqual([
      [H, 2 * H, H, 'unreachable', 'timeout'],
      [2 * H, null, 2 * H, 'down', 'down after 60s'],
    ]);
  });

  it('a period starting inside an outage clips it and says it started before', () => {
    const a = routerAvailability(10 * H, 20 * H, { status: 'offline', since: 8 * H, reason: 'power' }, [
      t(12 * H, 'online'),
    ]);
    expect(a.ms.offline).toBe(2 * H);
    expect(a.availability).toBe(0.8);
    expect(a.outages).toEqual([
      {
        start: 10 * H,
        end: 12 * H,
        durationMs: 2 * H,
        cause: 'down',
        reason: 'power',
        startedBefore: true,
        since: 8 * H,
      },
    ]);
    // Start unknown (beyond the storage's lookback): still flagged as started before.
    const b = routerAvailability(10 * H, 20 * H, { status: 'offline', since: null, reason: null }, []);
    expect(b.outages[0]).toMatchObject({ startedBefore: true, since: null, end: null, durationMs: 10 * H });
  });

  it('ignores transitions outside the period and repeats of the status in force (a restart)', () => {
    const a = routerAvailability(10 * H, 20 * H, { status: 'online', since: 0, reason: null }, [
      t(5 * H, 'offline'), // before: already folded into the initial status
      t(15 * H, 'online'), // a restart re-announcing online: no split
      t(18 * H, 'unreachable'),
      t(25 * H, 'online'), // after the period
    ]);
    expect(a.ms).toEqual({ unknown: 0, online: 8 * H, unreachable: 2 * H, offline: 0 });
    expect(a.outages).toHaveLength(1);
    expect(a.outages[0]).toMatchObject({ start: 18 * H, end: null, durationMs: 2 * H });
  });

  it('counts unknown time inside the period (status lost) as not covered', () => {
    const a = routerAvailability(0, 10 * H, { status: 'online', since: -H, reason: null }, [
      t(2 * H, 'unknown'),
      t(5 * H, 'online'),
    ]);
    expect(a.coveredMs).toBe(7 * H);
    expect(a.ms.unknown).toBe(3 * H);
    expect(a.availability).toBe(1);
  });

  it('overlapping periods agree on their common part, and adjacent periods add up', () => {
    const changes = [t(1 * H, 'online'), t(3 * H, 'offline'), t(4 * H, 'online'), t(7 * H, 'unreachable')];
    const at = (from: number) => {
      // Status in force at `from`, as the storage reads it: the last transition before it.
      const last = changes.filter((c) => c.ts < from).at(-1);
      return last ? { status: last.status, since: last.ts, reason: last.reason } : unknownAtStart;
    };
    const whole = routerAvailability(0, 10 * H, at(0), changes);
    const first = routerAvailability(0, 5 * H, at(0), changes);
    const second = routerAvailability(5 * H, 10 * H, at(5 * H), changes);
    const overlap = routerAvailability(2 * H, 8 * H, at(2 * H), changes);
    for (const k of ['unknown', 'online', 'unreachable', 'offline'] as const)
      expect(first.ms[k] + second.ms[k]).toBe(whole.ms[k]);
    expect(whole.ms).toEqual({ unknown: H, online: 5 * H, unreachable: 3 * H, offline: H });
    // 2..8 h: online 2..3 and 4..7 (4 h), down 3..4 (1 h), unreachable 7..8 (1 h).
    expect(overlap.ms).toEqual({ unknown: 0, online: 4 * H, unreachable: H, offline: H });
    expect(overlap.availability).toBeCloseTo(4 / 6, 12);
    expect(second.outages[0]).toMatchObject({ start: 7 * H, cause: 'unreachable', end: null });
  });

  it('sums a site over router-time, not as a mean of percentages', () => {
    const day = 24 * H;
    const longOne = routerAvailability(0, 30 * day, { status: 'online', since: -1, reason: null }, [
      t(10 * day, 'offline'),
      t(10 * day + 3 * H, 'online'),
    ]);
    const newOne = routerAvailability(0, 30 * day, unknownAtStart, [t(30 * day - H, 'offline')]);
    const site = groupAvailability([longOne, newOne]);
    expect(site.coveredMs).toBe(30 * day + H);
    expect(site.availability).toBe((30 * day - 3 * H) / (30 * day + H));
    expect(site).toMatchObject({ routers: 2, coveredRouters: 2, outages: 2, downtimeMs: 4 * H });
    expect(groupAvailability([]).availability).toBeNull();
  });

  it('an empty period covers nothing', () => {
    const a = routerAvailability(5, 5, unknownAtStart, []);
    expect(a).toMatchObject({ coveredMs: 0, availability: null, coveredFrom: null, outages: [] });
  });
});

describe('report figures in the UI', () => {
  it('shows availability cut, never rounded up', () => {
    expect(formatAvailability(0.9999999)).toBe('99.999%');
    expect(formatAvailability(166 / 168)).toBe('98.80%');
    expect(formatAvailability(718 / 720)).toBe('99.722%');
    expect(formatAvailability(0.05)).toBe('5.0%');
    expect(formatAvailability(1)).toBe('100%');
    expect(formatAvailability(null)).toBe('–');
    expect(percent(0.9999999)).toBe(99.9999);
    expect(percent(11 / 14)).toBe(78.5714);
  });

  it('keeps the period, router, site and sorts in the URL, defaults left out', () => {
    const s = readState(new URLSearchParams('period=7d&sort=name&desc=1&site=&ssort=outages'));
    expect(s).toMatchObject({
      period: '7d',
      sort: 'name',
      desc: true,
      site: '',
      siteSort: 'outages',
      siteDesc: false,
    });
    expect(readState(new URLSearchParams(stateQuery(s)))).toEqual(s);
    expect(stateQuery(readState(new URLSearchParams('period=1y&sort=evil')))).toBe('');
  });

  it('sorts routers worst first, routers never covered last', () => {
    const row = (id: string, availability: number | null) =>
      ({ id, name: id, availability }) as unknown as ReportRouter;
    const sorted = sortRouters([row('a', 1), row('b', null), row('c', 0.5)], 'availability', false);
    expect(sorted.map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(sortRouters(sorted, 'availability', true).map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });
});

describe('CSV', () => {
  it('quotes, doubles quotes and neutralises formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    expect(csv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });
});

describe('report API over stored status history (embedded PGlite)', () => {
  let monitor: Monitor;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  // A past period of 10 hours on whole hours, clear of the live polls' own transitions.
  const base = Math.floor(Date.now() / H) * H - 48 * H;
  const period = `from=${base}&to=${base + 10 * H}`;
  const get = async (url: string) => {
    const r = await app.inject({ url, headers });
    expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
    return r;
  };

  beforeAll(async () => {
    const { config, secrets } = (await readConfig(undefined, { LOG_LEVEL: 'warn' })).loaded;
    config.devices = [
      { id: 'r1', host: '127.0.0.1', driver: 'lab', interval: '1h', labels: { site: 'north' } },
      { id: 'r2', host: '127.0.0.2', driver: 'lab', interval: '1h', labels: { site: 'north' } },
      { id: 'r3', name: '=cmd|calc', host: '127.0.0.3', driver: 'lab', interval: '1h' },
    ];
    monitor = await assemble(config, secrets, { memoryDb: true, plugins: [labDriver()] });
    await monitor.start();
    await monitor.resolve(postgresStore).importHistory({
      statusChanges: [
        // r1: online from before the period; unreachable 2..3 h; down from 8 h to the end.
        { router: 'r1', ts: base - 5 * H, previous: 'unknown', status: 'online' },
        {
          router: 'r1',
          ts: base + 2 * H,
          previous: 'online',
          status: 'unreachable',
          reason: 'timed out, "twice"',
        },
        { router: 'r1', ts: base + 3 * H, previous: 'unreachable', status: 'online' },
        { router: 'r1', ts: base + 8 * H, previous: 'online', status: 'offline', reason: '=1+1' },
        // r2: first seen at 6 h (6 h unknown), online since.
        { router: 'r2', ts: base + 6 * H, previous: 'unknown', status: 'online' },
        // r3: down since before the period, back at 1 h.
        { router: 'r3', ts: base - 2 * H, previous: 'online', status: 'offline', reason: 'power' },
        { router: 'r3', ts: base + 1 * H, previous: 'offline', status: 'online' },
      ],
    });
    ({ app, close } = await apiFor(monitor));
  }, 180_000);
  afterAll(() => closeApiAndMonitor(close, monitor));

  it('reports every router and site with the covered time', async () => {
    const r = (await get(`/api/v1/reports/availability?${period}`)).json();
    expect(r.from).toBe(base);
    expect(r.to).toBe(base + 10 * H);
    const byId = Object.fromEntries(r.routers.map((x: { id: string }) => [x.id, x]));
    expect(byId.r1).toMatchObject({
      site: 'north',
      coveredMs: 10 * H,
      availability: 0.7,
      outages: 2,
      ms: { online: 7 * H, unreachable: H, offline: 2 * H, unknown: 0 },
    });
    expect(byId.r2).toMatchObject({
      coveredMs: 4 * H,
      coveredFrom: base + 6 * H,
      availability: 1,
      outages: 0,
    });
    expect(byId.r3).toMatchObject({ name: '=cmd|calc', site: null, availability: 0.9, outages: 1 });
    const north = r.sites.find((s: { site: string | null }) => s.site === 'north');
    // (7 + 4) online of (10 + 4) covered router-hours.
    expect(north).toMatchObject({ routers: 2, coveredMs: 14 * H, outages: 2 });
    expect(north.availability).toBeCloseTo(11 / 14, 12);
    expect(r.sites.at(-1).site).toBeNull();
    expect(r.total.routers).toBe(3);
    // Filtered to a site.
    const onlyNorth = (await get(`/api/v1/reports/availability?${period}&site=north`)).json();
    expect(onlyNorth.routers.map((x: { id: string }) => x.id)).toEqual(['r1', 'r2']);
  });

  it('drills down to one router with its outages, causes and reasons', async () => {
    const r = (await get(`/api/v1/reports/availability/routers/r1?${period}`)).json();
    expect(r.router.outages).toEqual([
      expect.objectContaining({
        start: base + 2 * H,
        end: base + 3 * H,
        cause: 'unreachable',
        reason: 'timed out, "twice"',
      }),
      expect.objectContaining({
        start: base + 8 * H,
        end: null,
        durationMs: 2 * H,
        cause: 'down',
        reason: '=1+1',
      }),
    ]);
    const r3 = (await get(`/api/v1/reports/availability/routers/r3?${period}`)).json();
    expect(r3.router.outages[0]).toMatchObject({ startedBefore: true, since: base - 2 * H, reason: 'power' });
    expect(
      (await app.inject({ url: `/api/v1/reports/availability/routers/nope?${period}`, headers })).statusCode,
    ).toBe(404);
  });

  it('lists outages newest first and exports both as safe CSV downloads', async () => {
    const list = (await get(`/api/v1/reports/outages?${period}`)).json();
    expect(list.outages.map((o: { router: string; start: number }) => [o.router, o.start - base])).toEqual([
      ['r1', 8 * H],
      ['r1', 2 * H],
      ['r3', 0],
    ]);
    const routersCsv = await get(`/api/v1/reports/availability.csv?${period}`);
    expect(routersCsv.headers['content-type']).toMatch(/^text\/csv/);
    expect(routersCsv.headers['content-disposition']).toMatch(
      /^attachment; filename="availability-routers_[\w-]+\.csv"$/,
    );
    const lines = routersCsv.body.split('\r\n');
    expect(lines[0]).toBe(
      'router,name,site,covered_from,covered_to,covered_seconds,availability_percent,online_seconds,unreachable_seconds,down_seconds,unknown_seconds,outages',
    );
    expect(lines).toContain(
      `r2,r2,north,${new Date(base + 6 * H).toISOString()},${new Date(base + 10 * H).toISOString()},14400,100,14400,0,0,21600,0`,
    );
    expect(lines.find((l) => l.startsWith('r3,'))).toMatch(/^r3,'=cmd\|calc,,/);
    const sitesCsv = await get(`/api/v1/reports/availability.csv?${period}&by=site`);
    expect(sitesCsv.body.split('\r\n')[1]).toMatch(/^north,2,2,.*,78\.5714,/);
    const outagesCsv = await get(`/api/v1/reports/outages.csv?${period}&router=r1`);
    expect(outagesCsv.headers['content-disposition']).toMatch(/filename="outages-r1_/);
    expect(outagesCsv.body).toContain(',"timed out, ""twice""",');
    expect(outagesCsv.body).toContain(",down,'=1+1,no,");
    expect(outagesCsv.body).toContain(',ongoing,');
  });

  it('rejects bad periods and needs credentials', async () => {
    const bad = async (q: string) =>
      (await app.inject({ url: `/api/v1/reports/availability?${q}`, headers })).statusCode;
    expect(await bad(`from=${base + H}&to=${base}`)).toBe(400);
    expect(await bad('from=-500d')).toBe(400);
    expect(await bad('from=yesterday')).toBe(400);
    expect(await bad('colour=red')).toBe(400);
    expect((await app.inject({ url: '/api/v1/reports/availability' })).statusCode).toBe(401);
    // The default period is the last 30 days.
    const def = (await get('/api/v1/reports/availability')).json();
    expect(def.to - def.from).toBe(30 * 24 * H);
  });
});
