/**
 * The recorder through the plugin and createMonitor, on real time (polls every second): a monitor
 * restart in the middle of a session (PGlite folder) and a replica hand-over (two monitors on one
 * PostgreSQL) keep the session ONE row; the reconnect count reaches the bus as a device sample.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor, type Driver, type Monitor, type PppoeSessionFact } from '@ispmonitor/core';
import { createFakeLogger, driverPlugin } from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type PostgresOptionsInput, postgres, postgresStore } from '../src/index.js';
import { pgForBlock, pgMissing } from './support/pg-server.js';

vi.setConfig({ testTimeout: 120_000 });

/** What the fake BNG reports: shared by every monitor in the file, like one real router. */
let active: PppoeSessionFact[] = [];
const bng: Driver = { kind: 'bng', poll: async () => ({ samples: [], facts: { pppoeSessions: active } }) };
const device = { id: 'bng-1', host: '127.0.0.1', driver: 'bng', interval: '1s' };
const session = (uptime: number): PppoeSessionFact => ({
  id: '*1a',
  user: 'rita',
  callerId: 'aa:bb:cc:dd:ee:01',
  address: '100.64.1.1',
  uptimeSeconds: uptime,
});

async function build(options: PostgresOptionsInput, withDevice: boolean): Promise<Monitor> {
  return createMonitor({
    plugins: [driverPlugin(bng), postgres({ ...options, subscribers: { flushInterval: '200ms' } })],
    devices: withDevice ? [device] : [],
    logger: createFakeLogger(),
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rows = (m: Monitor) => m.resolve(postgresStore).pppoeSessions({ user: 'rita' });
const oneOpen = (m: Monitor) => async () => {
  const r = await rows(m);
  return r.length === 1 && r[0]?.endedAt === null ? r[0] : undefined;
};

describe('a monitor restart (PGlite folder)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ispm-sub-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a session that spans the restart as one row', async () => {
    active = [session(100)];
    const first = await build({ dataDir: join(dir, 'db') }, true);
    const samples: number[] = [];
    first.bus.on('samples', (e) => {
      for (const s of e.samples)
        if (s.name === 'subscriber_reconnects_total') samples.push(s.value as number);
    });
    let polls = 0;
    first.bus.on('poll:success', () => void polls++);
    await first.start();
    const before = await until('the session stored', oneOpen(first));
    await until('a second poll', async () => (polls >= 2 ? true : undefined));
    // One point for the first poll; the next comes 2 minutes later, not at every poll (the alert
    // engine's 32-point ring must span SubscriberFlapping's hour).
    expect(samples).toEqual([0]);
    await first.stop();

    active = [session(200)];
    const second = await build({ dataDir: join(dir, 'db') }, true);
    await second.start();
    try {
      // Polls of the new monitor have been recorded (the router's last poll moved on).
      const after = await until('a poll after the restart', async () => {
        const r = await oneOpen(second)();
        return r && r.lastSeen > before.lastSeen ? r : undefined;
      });
      expect(after.id).toBe(before.id);
      expect(after.startedAt).toBe(before.startedAt);
    } finally {
      await second.stop();
    }
  });
});

const missing = pgMissing();
describe.skipIf(missing)('a replica hand-over (two monitors on one PostgreSQL)', () => {
  const pg = pgForBlock('handover');

  it('the replica that takes the router over goes on with the same row', async () => {
    active = [session(100)];
    const a = await build({ url: pg.url }, true);
    const b = await build({ url: pg.url }, false);
    await a.start();
    await b.start();
    try {
      const before = await until('the session stored by a', oneOpen(a));
      await a.stop();
      // b takes the router over (as plugin-cluster does when a's buckets are free).
      await b.devices.add(device);
      const after = await until('a poll by b', async () => {
        const r = await oneOpen(b)();
        return r && r.lastSeen > before.lastSeen ? r : undefined;
      });
      expect(after.id).toBe(before.id);
      expect(await rows(b)).toHaveLength(1);
    } finally {
      await b.stop();
    }
  });
});
