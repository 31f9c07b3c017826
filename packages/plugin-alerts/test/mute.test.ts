import type { Device } from '@ispmonitor/core';
import { FakeClock } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertRecord, fingerprint } from '../src/alert.js';
import { createApi } from '../src/api.js';
import { memoryStateStore } from '../src/index.js';
import { compileMatchers } from '../src/matchers.js';
import { Suppressor } from '../src/suppress.js';
import { baseOptions, type Harness, harness, recorder } from './support/harness.js';

const cpuRule = {
  name: 'HighCpu',
  metric: 'device_cpu_load_ratio',
  op: '>' as const,
  threshold: 0.9,
  severity: 'warning',
};
const downRule = {
  name: 'DeviceDown',
  kind: 'device_status' as const,
  severity: 'critical',
  deviceDown: true,
};

let hs: Harness[] = [];
afterEach(async () => {
  for (const h of hs) await h.stop();
  hs = [];
});
async function start(...args: Parameters<typeof harness>) {
  const h = await harness(...args);
  hs.push(h);
  return h;
}
const cpu = (h: Harness, device: string, value: number) =>
  h.samples(device, [{ name: 'device_cpu_load_ratio', value }]);

describe('silences and acknowledgements', () => {
  it('silences matching alerts, and still sends the resolve of an alert notified before the silence', async () => {
    const h = await start(baseOptions({ rules: [cpuRule] }));
    cpu(h, 'r1', 0.99);
    await h.advance(10_000);
    expect(h.sent).toHaveLength(1);
    const s = await h.api.silences.create({
      matchers: '{alertname="HighCpu", device=~"r[0-9]+"}',
      endsAt: h.clock.now() + 3_600_000,
      createdBy: 'ana',
      comment: 'maintenance',
    });
    expect(h.api.silences.list()).toEqual([s]);
    cpu(h, 'r2', 0.99);
    await h.advance(5 * 60_000);
    expect(h.sent).toHaveLength(1);
    expect(h.api.get(h.api.list({ state: 'firing' })[1]?.fingerprint ?? '')?.muted).toEqual({
      kind: 'silence',
      id: s.id,
    });
    cpu(h, 'r1', 0.1);
    cpu(h, 'r2', 0.1);
    await h.advance(60_000);
    // r1 was notified firing before the silence: its resolve goes out. r2 never was: nothing.
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1]?.status).toBe('resolved');
    expect(h.sent[1]?.alerts.map((a) => a.labels.device)).toEqual(['r1']);
    await expect(
      h.api.silences.create({ matchers: [], endsAt: h.clock.now() + 1, createdBy: 'x' }),
    ).rejects.toThrow(/matcher/);
    await expect(
      h.api.silences.create({ matchers: '{a="b"}', endsAt: h.clock.now() - 1, createdBy: 'x' }),
    ).rejects.toThrow(/end after/);
    const updated = await h.api.silences.update(s.id, {
      matchers: [{ name: 'device', value: 'r1' }],
      endsAt: new Date(h.clock.now() + 60_000).toISOString(),
      createdBy: 'bob',
      comment: 'shorter',
    });
    expect(updated).toMatchObject({
      id: s.id,
      createdBy: 'bob',
      matchers: [{ name: 'device', value: 'r1', type: '=' }],
    });
    await expect(
      h.api.silences.update('nope', { matchers: '{a="b"}', endsAt: h.clock.now() + 1, createdBy: 'x' }),
    ).rejects.toThrow(/no silence/);
    expect(await h.api.silences.expire(s.id)).toBe(true);
    expect(h.api.silences.list()).toEqual([]);
    expect(h.api.silences.list({ includeExpired: true })).toHaveLength(1);
    expect(await h.api.silences.delete(s.id)).toBe(true);
    expect(h.api.silences.list({ includeExpired: true })).toHaveLength(0);
  });

  it('an acknowledgement mutes repeats until it expires', async () => {
    const h = await start(
      baseOptions({
        rules: [cpuRule],
        route: { receiver: 'noc', group_wait: '0s', group_interval: '1m', repeat_interval: '5m' },
      }),
    );
    cpu(h, 'r1', 0.99);
    await h.advance(1000);
    expect(h.sent).toHaveLength(1);
    const fp = h.api.list()[0]?.fingerprint as string;
    const ack = await h.api.acknowledge(fp, { by: 'ana', for: '10m', comment: 'on it' });
    expect(h.api.get(fp)?.ack).toEqual(ack);
    await h.advance(9 * 60_000);
    expect(h.sent).toHaveLength(1);
    await h.advance(2 * 60_000);
    expect(h.sent).toHaveLength(2);
    await expect(h.api.acknowledge('nope', { by: 'x' })).rejects.toThrow(/no active alert/);
  });
});

/** Two CPU levels; a critical one inhibits the warning of the same device. */
const warnUnderCrit = () =>
  baseOptions({
    rules: [
      { ...cpuRule, name: 'CpuWarn' },
      { ...cpuRule, name: 'CpuCrit', threshold: 0.95, severity: 'critical' },
    ],
    inhibitRules: [{ source: '{severity="critical"}', target: '{severity="warning"}', equal: ['device'] }],
  });

describe('inhibition', () => {
  it('a firing source mutes targets with equal labels only', async () => {
    const h = await start(warnUnderCrit());
    cpu(h, 'r1', 0.99);
    cpu(h, 'r2', 0.92);
    await h.advance(10_000);
    const names = h.sent
      .flatMap((n) => n.alerts.map((a) => `${a.labels.alertname}@${a.labels.device}`))
      .sort();
    expect(names).toEqual(['CpuCrit@r1', 'CpuWarn@r2']);
    // The critical level clears, the warning stays: now the warning of r1 is notified.
    await h.advance(1000);
    cpu(h, 'r1', 0.93);
    await h.advance(60_000);
    const later = h.sent
      .slice(2)
      .flatMap((n) => n.alerts.map((a) => `${a.status}:${a.labels.alertname}@${a.labels.device}`));
    expect(later.sort()).toEqual(['firing:CpuWarn@r1', 'resolved:CpuCrit@r1']);
  });
});

describe('topology suppression', () => {
  it('a parent with 50 children going down gives exactly one notification', async () => {
    const devices: Device[] = [{ id: 'core', host: '127.0.0.1', driver: 'test' }];
    for (let i = 0; i < 50; i++)
      devices.push({ id: `cpe-${i}`, host: '127.0.0.1', driver: 'test', parent: i < 25 ? 'core' : 'agg' });
    devices.push({ id: 'agg', host: '127.0.0.1', driver: 'test', parent: 'core' });
    const h = await start(
      baseOptions({
        rules: [downRule],
        route: { receiver: 'noc', group_by: ['alertname', 'device'], group_wait: '30s' },
      }),
      {
        devices,
      },
    );
    // Children notice first (their polls fail first), the parent a little later.
    for (let i = 0; i < 50; i++) h.status(`cpe-${i}`, 'unreachable');
    h.status('agg', 'unreachable');
    await h.advance(5_000);
    h.status('core', 'unreachable');
    await h.advance(10 * 60_000);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.alerts.map((a) => a.labels.device)).toEqual(['core']);
    expect(h.api.counts().firing).toBe(52);
    // The core comes back, the rest stay down: agg and core's direct children are notified now;
    // agg's children stay suppressed because agg is down.
    h.status('core', 'online');
    await h.advance(10 * 60_000);
    const later = h.sent.slice(1);
    expect(later.filter((n) => n.status === 'resolved').map((n) => n.alerts[0]?.labels.device)).toEqual([
      'core',
    ]);
    const firing = later.filter((n) => n.status === 'firing').map((n) => n.alerts[0]?.labels.device);
    expect(firing.sort()).toEqual(['agg', ...Array.from({ length: 25 }, (_, i) => `cpe-${i}`)].sort());
  });
});

describe('restart', () => {
  it('a restart while firing sends no duplicate firing notification, and the resolve still goes out', async () => {
    const store = memoryStateStore();
    const clock = new FakeClock();
    const first = await start(baseOptions({ rules: [{ ...cpuRule, for: '1m' }] }), { store, clock });
    cpu(first, 'r1', 0.99);
    cpu(first, 'r2', 0.99);
    await first.advance(30_000);
    // r2 is still pending at the restart: its pending time must survive too.
    cpu(first, 'r1', 0.99);
    await first.advance(40_000);
    cpu(first, 'r1', 0.99);
    await first.advance(15_000);
    expect(first.sent.map((n) => n.alerts[0]?.labels.device).sort()).toEqual(['r1', 'r2']);
    const silence = await first.api.silences.create({
      matchers: '{device="r9"}',
      endsAt: clock.now() + 3_600_000,
      createdBy: 'ana',
    });
    const r2 = first.api.list().find((a) => a.labels.device === 'r2')?.fingerprint as string;
    await first.api.acknowledge(r2, { by: 'ana', for: '1h' });
    await first.stop();
    hs = [];

    const rec = recorder();
    const second = await start(baseOptions({ rules: [{ ...cpuRule, for: '1m' }] }), { store, clock, rec });
    expect(second.api.counts().firing).toBe(2);
    // Silences and acknowledgements live in the StateStore too.
    expect(second.api.silences.get(silence.id)).toEqual(silence);
    expect(second.api.get(r2)?.ack?.by).toBe('ana');
    for (let i = 0; i < 10; i++) {
      cpu(second, 'r1', 0.99);
      cpu(second, 'r2', 0.99);
      await second.advance(60_000);
    }
    expect(rec.sent).toHaveLength(0);
    cpu(second, 'r1', 0.1);
    await second.advance(60_000);
    expect(rec.sent.map((n) => `${n.status}:${n.alerts[0]?.labels.device}`)).toEqual(['resolved:r1']);
  });

  it('resolves (and notifies the resolve of) a firing alert whose rule was removed across a restart', async () => {
    const store = memoryStateStore();
    const clock = new FakeClock();
    const first = await start(baseOptions({ rules: [cpuRule] }), { store, clock });
    cpu(first, 'r1', 0.99);
    await first.advance(15_000);
    expect(first.sent.map((n) => n.status)).toEqual(['firing']);
    await first.stop();
    hs = [];
    const rec = recorder();
    const second = await start(baseOptions({ rules: [{ ...cpuRule, name: 'OtherRule' }] }), {
      store,
      clock,
      rec,
    });
    await second.advance(60_000);
    expect(rec.sent.map((n) => `${n.status}:${n.alerts[0]?.labels.alertname}`)).toEqual(['resolved:HighCpu']);
  });

  it('keeps a pending alert pending across a restart (for counts from the first breach)', async () => {
    const store = memoryStateStore();
    const clock = new FakeClock();
    const first = await start(baseOptions({ rules: [{ ...cpuRule, for: '2m' }] }), { store, clock });
    cpu(first, 'r1', 0.99);
    await first.advance(60_000);
    await first.stop();
    hs = [];
    const second = await start(baseOptions({ rules: [{ ...cpuRule, for: '2m' }] }), { store, clock });
    expect(second.api.counts().pending).toBe(1);
    await second.advance(61_000);
    cpu(second, 'r1', 0.99);
    expect(second.api.counts().firing).toBe(1);
  });
});

/** A firing alert record, as the engine keeps it. */
const record = (labels: Record<string, string>): AlertRecord => ({
  fingerprint: fingerprint(labels),
  rule: labels.alertname ?? '',
  labels,
  annotations: {},
  state: 'firing',
  visible: true,
  activeAt: 0,
  lastTrueAt: 0,
  changes: [],
  flapping: false,
  device: labels.device,
});

describe('inhibition over many alerts', () => {
  const cpuAlert = (device: string, severity: string) =>
    record({ alertname: `Cpu-${severity}`, device, severity });
  /** The firing set, counting how many times it is read through. */
  const counted = (alerts: AlertRecord[]) => {
    const reads = { n: 0 };
    const iterable: Iterable<AlertRecord> = {
      [Symbol.iterator]() {
        reads.n++;
        return alerts[Symbol.iterator]();
      },
    };
    return { iterable, reads };
  };
  const rule = {
    source: compileMatchers('{severity="critical"}'),
    target: compileMatchers('{severity="warning"}'),
    equal: ['device'],
  };

  it('indexes the sources once per key: a listing of 2,000 alerts reads the set once, not per alert', () => {
    const alerts: AlertRecord[] = [];
    for (let i = 0; i < 1000; i++)
      alerts.push(cpuAlert(`r${i}`, 'warning'), cpuAlert(`r${i}`, i % 2 ? 'critical' : 'minor'));
    const s = new Suppressor(
      [rule],
      () => undefined,
      () => false,
    );
    const { iterable, reads } = counted(alerts);
    const listing = {};
    const muted = alerts.map((a) => s.muted(a, iterable, 0, listing)?.kind);
    expect(reads.n).toBe(1);
    // Warnings of odd routers (a critical beside them) are inhibited; nothing else is.
    const expected = alerts.map((a, i) =>
      a.labels.severity === 'warning' && Math.floor(i / 2) % 2 === 1 ? 'inhibited' : undefined,
    );
    expect(muted).toEqual(expected);
    // Another key (the next listing, or a flush's engine version) indexes again; no key: every call.
    s.muted(alerts[0] as AlertRecord, iterable, 0, {});
    s.muted(alerts[0] as AlertRecord, iterable, 0, 7);
    s.muted(alerts[0] as AlertRecord, iterable, 0, 7);
    expect(reads.n).toBe(3);
    s.muted(alerts[0] as AlertRecord, iterable, 0);
    s.muted(alerts[0] as AlertRecord, iterable, 0);
    expect(reads.n).toBe(5);
  });

  it("the API's listing shows the same mutes as asking alert by alert", async () => {
    const h = await start(warnUnderCrit());
    for (let i = 0; i < 20; i++) cpu(h, `r${i}`, i % 2 ? 0.99 : 0.92);
    await h.advance(10_000);
    const listed = h.api.list({ state: 'firing' });
    expect(listed).toHaveLength(30);
    const inhibited = listed.filter((v) => v.muted?.kind === 'inhibited');
    expect(inhibited.map((v) => `${v.labels.alertname}@${v.labels.device}`).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `CpuWarn@r${2 * i + 1}`).sort(),
    );
    for (const v of listed) expect(h.api.get(v.fingerprint)?.muted, v.fingerprint).toEqual(v.muted);
  });
});

describe('the API asks for mutes once per listing', () => {
  it('every alert of one list() is muted against the same listing key, the next list() against another', () => {
    const active = Array.from({ length: 5 }, (_, i) => record({ alertname: 'X', device: `r${i}` }));
    const keys: unknown[] = [];
    const api = createApi({
      now: () => 0,
      active: () => active,
      recent: () => [],
      mute: (_a, listing) => {
        keys.push(listing);
        return undefined;
      },
      acks: new Map(),
      putAck: () => undefined,
      silences: new Map(),
      makeSilence: () => {
        throw new Error('not used');
      },
      putSilence: () => undefined,
      deleteSilence: () => undefined,
    });
    api.list({ state: 'firing' });
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBeTypeOf('object');
    api.list();
    expect(keys).toHaveLength(10);
    expect(new Set(keys).size).toBe(2);
  });
});
