/**
 * A cluster of poller replicas (CLUSTER=postgres) each writing by remote write (REMOTE_WRITE_URL):
 * every replica sends the devices it polls: no sample reaches the receiver twice, both replicas
 * write, and once the buckets are shared each device's series has exactly one writer.
 */
import { type Monitor, tokens } from '@ispmonitor/core';
import { clusterStatus } from '@ispmonitor/plugin-cluster';
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
    let watcher: ReturnType<typeof setInterval> | undefined;
    try {
      // Who held each device, by each replica's own word (`owns`, what its scheduler asks before a
      // poll): read as each poll ends and every 10 ms over the window, so a bucket that changed
      // hands between two snapshots (a lease lapsed on a starved machine) still shows.
      const held = new Map(devices.map((d) => [d.id, new Set<string>()]));
      let watching = false;
      const noteOwners = () => {
        if (!watching) return;
        for (const m of monitors) {
          const s = m.resolve(clusterStatus);
          for (const d of devices) if (s.owns(d.id)) held.get(d.id)?.add(s.replica);
        }
      };
      for (const replica of ['replica-a', 'replica-b']) {
        const env = { DATABASE_URL: url, CLUSTER: 'postgres', LOG_LEVEL: 'silent', REMOTE_WRITE_URL: rx.url };
        const { config, secrets } = (await readConfig(undefined, env)).loaded;
        config.plugins.cluster = { replica, heartbeatInterval: '200ms', rebalanceDelay: '500ms' };
        // Only so the test can tell who sent what: a deployment adds no replica label.
        (config.plugins.remoteWrite as Record<string, unknown>).externalLabels = { sender: replica };
        const monitor = await assemble(config, secrets, { plugins: [labDriver()], devices });
        monitors.push(monitor);
        monitor.resolve(tokens.Bus).on('poll:success', noteOwners);
        await monitor.start();
      }
      const senders = () => new Set(rx.accepted().map((s) => s.labels.sender));
      const until = async (what: string, done: () => boolean) => {
        for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
        if (!done()) throw new Error(`still waiting: ${what}`);
      };
      await until('both replicas writing', () => senders().size === 2);
      // Once both hold their share (a rebalance moves buckets once), each device has one writer.
      const status = monitors.map((m) => m.resolve(clusterStatus));
      const half = Math.max(...status.map((s) => s.buckets)) / 2;
      await until('buckets shared evenly', () => status.every((s) => s.ownedBuckets().length === half));
      const ownersAt = () => new Map(devices.map((d) => [d.id, status.map((s) => s.ownerOf(d.id))]));
      const ownersBefore = ownersAt();
      watching = true;
      noteOwners();
      watcher = setInterval(noteOwners, 10);
      const steady = Date.now();
      // The window ends before the replicas stop: a stopping replica hands its buckets over, and
      // the other polls them at once (orphans), which is right and is not steady state.
      let end = Number.POSITIVE_INFINITY;
      const writers = () => {
        const out = new Map<string, string[]>();
        for (const s of rx.accepted().filter((x) => x.ts >= steady && x.ts <= end)) {
          const device = s.labels.device ?? '';
          out.set(device, [...(out.get(device) ?? []), s.labels.sender ?? '']);
        }
        return out;
      };
      // Three rounds of every device after the split: enough to see a second writer if there is one.
      await until('three rounds of every device after the split', () => {
        const w = writers();
        return devices.every((d) => (w.get(d.id)?.length ?? 0) >= 3 * 2);
      });
      const ownersAfter = ownersAt();
      noteOwners();
      watching = false;
      end = Date.now();
      clearInterval(watcher);
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
      // Both replicas agree on each device's owner, and only a replica that held the device in the
      // window wrote it: one writer, unless its bucket changed hands meanwhile, and then only the
      // replicas that held it.
      const w = writers();
      expect([...w.keys()].sort()).toEqual(devices.map((d) => d.id));
      for (const [device, list] of w) {
        const before = ownersBefore.get(device) ?? [];
        const after = ownersAfter.get(device) ?? [];
        expect(new Set(before).size, `${device}: replicas disagree on its owner`).toBe(1);
        const holders = new Set([...before, ...after, ...(held.get(device) ?? [])]);
        for (const sender of new Set(list))
          expect([...holders], `${device} written by ${sender}`).toContain(sender);
        if (holders.size === 1) expect(new Set(list).size, `${device}: writers`).toBe(1);
      }
      const devicesSeen = new Set(rx.accepted().map((s) => s.labels.device));
      expect([...devicesSeen].sort()).toEqual(devices.map((d) => d.id));
    } finally {
      clearInterval(watcher);
      for (const m of monitors) await m.stop();
    }
  }, 120_000);
});
