/**
 * A cluster of poller replicas (CLUSTER=postgres) each writing by remote write (REMOTE_WRITE_URL):
 * every replica sends the devices it polls: no sample reaches the receiver twice, both replicas
 * write, and once the buckets are shared each device's series has exactly one writer.
 */
import type { Monitor } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeReceiver,
  startFakeReceiver,
} from '../../../packages/plugin-remote-write/test/support/fake-receiver.js';
import { assemble, readConfig } from '../src/assemble.js';
import { labDriver } from './support/lab-driver.js';
import { type PgServer, pgUnavailable, startPgServer } from './support/pg.js';

const missing = pgUnavailable();

describe.skipIf(missing)(`replicas writing by remote write${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pg: PgServer;
  let rx: FakeReceiver;
  beforeAll(async () => {
    pg = await startPgServer();
    rx = await startFakeReceiver();
  }, 120_000);
  afterAll(async () => {
    await rx?.close();
    await pg?.stop();
  });

  it('each replica writes its own devices: no sample twice, both replicas write', async () => {
    const url = await pg.createDatabase('ispm_rw_replicas');
    const devices = [1, 2, 3, 4, 5, 6].map((i) => ({
      id: `r${i}`,
      host: '127.0.0.1',
      driver: 'lab',
      interval: '1s',
    }));
    const monitors: Monitor[] = [];
    try {
      for (const replica of ['replica-a', 'replica-b']) {
        const env = { DATABASE_URL: url, CLUSTER: 'postgres', LOG_LEVEL: 'silent', REMOTE_WRITE_URL: rx.url };
        const { config, secrets } = (await readConfig(undefined, env)).loaded;
        config.plugins.cluster = { replica, heartbeatInterval: '200ms', rebalanceDelay: '500ms' };
        // Only so the test can tell who sent what: a deployment adds no replica label.
        (config.plugins.remoteWrite as Record<string, unknown>).externalLabels = { sender: replica };
        const monitor = await assemble(config, secrets, { plugins: [labDriver()], devices });
        monitors.push(monitor);
        await monitor.start();
      }
      const senders = () => new Set(rx.accepted().map((s) => s.labels.sender));
      for (let i = 0; i < 150 && senders().size < 2; i++) await new Promise((r) => setTimeout(r, 200));
      // Once both hold their share (a rebalance moves buckets once), each device has one writer.
      await new Promise((r) => setTimeout(r, 3000));
      const steady = Date.now();
      await new Promise((r) => setTimeout(r, 3000));
      for (const m of monitors) await m.stop();
      const seen = new Map<string, string>();
      const twice: string[] = [];
      for (const s of rx.accepted()) {
        const { sender, ...labels } = s.labels;
        const key = `${s.name}${JSON.stringify(labels)}@${s.ts}`;
        if (seen.has(key)) twice.push(`${key} from ${seen.get(key)} and ${sender}`);
        seen.set(key, sender ?? '');
      }
      expect(twice).toEqual([]);
      expect([...senders()].sort()).toEqual(['replica-a', 'replica-b']);
      const writers = new Map<string, Set<string>>();
      for (const s of rx.accepted().filter((x) => x.ts >= steady)) {
        const set = writers.get(s.labels.device ?? '') ?? new Set<string>();
        set.add(s.labels.sender ?? '');
        writers.set(s.labels.device ?? '', set);
      }
      expect([...writers.keys()].sort()).toEqual(devices.map((d) => d.id));
      for (const [device, set] of writers) expect([...set], device).toHaveLength(1);
      const devicesSeen = new Set(rx.accepted().map((s) => s.labels.device));
      expect([...devicesSeen].sort()).toEqual(devices.map((d) => d.id));
    } finally {
      for (const m of monitors) await m.stop();
    }
  }, 120_000);
});
