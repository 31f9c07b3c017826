import {
  createMonitor,
  type DeviceStatus,
  definePlugin,
  type Monitor,
  type Plugin,
  tokens,
} from '@ispmonitor/core';
import type { PostgresStore } from '@ispmonitor/plugin-postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { routersByStatus } from '../src/exporter/routers-gauge.js';
import { type StatusChange, StoredStatuses } from '../src/replicas/sync.js';
import { labDriver } from './support/lab-driver.js';

/** A cluster replica that polls only the devices named. */
const owning = (ids: string[]) =>
  definePlugin({
    name: 'owns-some',
    version: '0.0.0',
    setup(ctx) {
      ctx.provide(tokens.Ownership, { replica: 'test', owns: (id: string) => ids.includes(id) });
    },
  })();

const devices = ['r1', 'r2', 'r3'].map((id) => ({ id, host: '127.0.0.1', driver: 'lab', interval: '1s' }));
const monitors: Monitor[] = [];
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.stop();
});

async function started(plugins: Plugin<unknown>[]): Promise<Monitor> {
  const monitor = await createMonitor({ plugins, devices, logLevel: 'silent' });
  monitors.push(monitor);
  await monitor.start();
  return monitor;
}

function gauge(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^ispmonitor_routers_total\{([^}]*)\} (\d+)$/gm))
    out[m[1] as string] = Number(m[2]);
  return out;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('ispmonitor_routers_total by role', () => {
  it('a replica of a cluster counts only the devices it polls, so the sum over replicas counts each once', async () => {
    const monitor = await started([labDriver(), owning(['r1', 'r2'])] as Plugin<unknown>[]);
    routersByStatus(monitor, 'poller');
    await until(() => ['r1', 'r2'].every((id) => monitor.devices.get(id)?.status === 'online'));
    // r3 is another replica's: this one shows it as unknown but does not count it.
    expect(monitor.devices.get('r3')?.status).toBe('unknown');
    expect(gauge(await monitor.metrics.metrics())).toEqual({
      'status="unknown"': 0,
      'status="online"': 2,
      'status="unreachable"': 0,
      'status="offline"': 0,
    });
  });

  it('a process without a cluster keeps the count of every device core makes', async () => {
    const monitor = await started([labDriver()] as Plugin<unknown>[]);
    routersByStatus(monitor, 'all');
    await until(() => monitor.devices.counts().online === 3);
    expect(gauge(await monitor.metrics.metrics())['status="online"']).toBe(3);
  });

  it('an API replica exports the recorded fleet with view="fleet", not its own unknowns', async () => {
    const monitor = await createMonitor({ plugins: [labDriver()], devices, logLevel: 'silent' });
    monitors.push(monitor);
    const fleet: Record<DeviceStatus, number> = { unknown: 0, online: 2, unreachable: 0, offline: 1 };
    routersByStatus(monitor, 'api', () => fleet);
    expect(gauge(await monitor.metrics.metrics())).toEqual({
      'status="unknown",view="fleet"': 0,
      'status="online",view="fleet"': 2,
      'status="unreachable",view="fleet"': 0,
      'status="offline",view="fleet"': 1,
    });
  });
});

describe('StoredStatuses', () => {
  it('tells its listeners the status changes between two reads of the recorded statuses', async () => {
    const monitor = await createMonitor({ plugins: [labDriver()], devices, logLevel: 'silent' });
    monitors.push(monitor);
    let recorded: Record<string, DeviceStatus> = { r1: 'online', r2: 'online' };
    const store = {
      availability: async () =>
        Object.entries(recorded).map(([device, status]) => ({ device, ms: { [status]: 1 } })),
    } as unknown as PostgresStore;
    let now = 1_000;
    const statuses = new StoredStatuses(
      monitor.devices,
      () => store,
      () => now,
    );
    const seen: StatusChange[] = [];
    const off = statuses.onStatusChange((c) => seen.push(c));
    // Before the first read every device showed this process's own status (unknown).
    await statuses.refresh();
    expect(seen).toEqual([
      { device: 'r1', previous: 'unknown', status: 'online', ts: 1_000, reason: 'recorded by a poller' },
      { device: 'r2', previous: 'unknown', status: 'online', ts: 1_000, reason: 'recorded by a poller' },
    ]);
    seen.length = 0;
    expect(statuses.counts()).toEqual({ unknown: 1, online: 2, unreachable: 0, offline: 0 });

    recorded = { r1: 'online', r2: 'unreachable', r3: 'online', gone: 'offline' };
    now = 2_000;
    await statuses.refresh();
    // r3 had no record (unknown); `gone` is not a device here.
    expect(seen).toEqual([
      { device: 'r2', previous: 'online', status: 'unreachable', ts: 2_000, reason: 'recorded by a poller' },
      { device: 'r3', previous: 'unknown', status: 'online', ts: 2_000, reason: 'recorded by a poller' },
    ]);
    await statuses.refresh();
    expect(seen).toHaveLength(2);
    off();
    recorded = { r1: 'offline' };
    await statuses.refresh();
    expect(seen).toHaveLength(2);
  });
});
