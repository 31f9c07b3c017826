// The overview's one request: routers per status, the alert totals and the newest firing alerts
// (most severe first), from one snapshot a second, without listing every firing alert.
import type { AlertInstance } from '@ispmonitor/plugin-alerts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_AGE_MS, newestFiring, snapshotEvery } from '../src/http/overview.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    devices: ['a', 'b', 'c'].map((id) => ({ id, host: '127.0.0.1', driver: 'lab', lab: { fail: true } })),
  });
});
afterAll(() => h.close());

const alert = (fp: string, severity: string, startsAt: number, status: AlertInstance['status'] = 'firing') =>
  ({
    fingerprint: fp,
    status,
    labels: { alertname: 'RouterDown', severity, device: fp },
    annotations: {},
    startsAt,
  }) satisfies AlertInstance;

const fire = (a: AlertInstance) =>
  h.monitor.bus.emit(a.status === 'firing' ? 'alert:firing' : 'alert:resolved', {
    alert: a,
    labels: a.labels,
  });

const overview = async () => {
  const res = await h.app.inject({ url: '/api/v1/overview', headers: h.admin });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    at: number;
    routers: { total: number; counts: Record<string, number> };
    alerts: { counts: { firing: number; bySeverity: Record<string, number> }; latest: AlertInstance[] };
  };
};

describe('the overview in one request', () => {
  it('answers routers per status, alert totals and the six newest firing alerts, most severe first', async () => {
    for (let i = 0; i < 10; i++) fire(alert(`w${i}`, 'warning', 1_000 + i));
    fire(alert('c1', 'critical', 500));
    fire(alert('c2', 'critical', 900));
    fire(alert('i1', 'info', 5_000));
    fire(alert('w3', 'warning', 1_003, 'resolved'));
    const o = await overview();
    expect(o.routers.total).toBe(3);
    expect(Object.values(o.routers.counts).reduce((a, b) => a + b, 0)).toBe(3);
    expect(o.alerts.counts.firing).toBe(12);
    expect(o.alerts.counts.bySeverity).toEqual({ warning: 9, critical: 2, info: 1 });
    expect(o.alerts.latest.map((a) => a.fingerprint)).toEqual(['c2', 'c1', 'w9', 'w8', 'w7', 'w6']);
  });

  it('takes a new snapshot once the last is a second old', async () => {
    const first = await overview();
    fire(alert('c3', 'critical', 2_000));
    await new Promise((r) => setTimeout(r, MAX_AGE_MS + 50));
    const later = await overview();
    expect(later.at).toBeGreaterThan(first.at);
    expect(later.alerts.latest[0]?.fingerprint).toBe('c3');
    expect(later.alerts.counts.firing).toBe(first.alerts.counts.firing + 1);
  });

  it('shares one snapshot between the requests of a second, and one being taken', async () => {
    let clock = 0;
    let taken = 0;
    let release = () => {};
    const get = snapshotEvery(
      () =>
        new Promise<{ at: number; n: number }>((resolve) => {
          taken++;
          release = () => resolve({ at: clock, n: taken });
        }),
      1000,
      () => clock,
    );
    const a = get();
    const b = get();
    release();
    expect(await a).toEqual({ at: 0, n: 1 });
    expect(await b).toBe(await a);
    clock = 999;
    expect(await get()).toEqual({ at: 0, n: 1 });
    clock = 1000;
    const c = get();
    release();
    expect(await c).toEqual({ at: 1000, n: 2 });
  });

  it('picks the same alerts as sorting all of them would', () => {
    const sevs = ['critical', 'error', 'warning', 'info', 'page'];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const all = Array.from({ length: Math.floor(rnd() * 40) }, (_, i) =>
        alert(`a${i}`, sevs[Math.floor(rnd() * sevs.length)] as string, Math.floor(rnd() * 20)),
      );
      const rank = (s: string) => (sevs.indexOf(s) === 4 ? 4 : sevs.indexOf(s));
      const sorted = [...all]
        .sort((a, b) => rank(a.labels.severity) - rank(b.labels.severity) || b.startsAt - a.startsAt)
        .slice(0, 6)
        .map((a) => [a.labels.severity, a.startsAt]);
      expect(
        newestFiring(all).map((a) => [(a as AlertInstance).labels.severity, (a as AlertInstance).startsAt]),
      ).toEqual(sorted);
    }
  });
});
