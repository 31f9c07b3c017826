import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor, definePlugin, type Monitor, type Sample, tokens } from '@ispmonitor/core';
import { createFakeLogger, FakeClock, testPlugin } from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { postgres, postgresStore } from '../src/index.js';
import { Storage } from '../src/store.js';
import { latch } from './support/latch.js';
import { freePort } from './support/pg-server.js';

// A fresh PGlite takes ~5 s to start, much more on a loaded machine: room for the suite's tests.
vi.setConfig({ testTimeout: 120_000 });

// The shared suite every plugin runs; the failing peer is a PostgreSQL that is not there.
testPlugin('postgres', {
  plugin: () => postgres({ memory: true }),
  failures: [
    {
      name: 'database unreachable (nothing listens on the port)',
      plugin: async () =>
        postgres({ url: `postgres://ispm:secret@127.0.0.1:${await freePort()}/none`, startup: 'background' }),
    },
  ],
  timeoutMs: 15_000,
});

/** A driver that answers every poll with a counter, a gauge and inventory facts. */
const fakeDriver = definePlugin({
  name: 'fake-driver',
  version: '0.0.0',
  setup(ctx) {
    let n = 0;
    ctx.provide(tokens.Driver, {
      kind: 'fake',
      poll: async (device) => {
        n++;
        const ts = Date.now();
        return {
          samples: <Sample[]>[
            {
              name: 'interface_in_octets_total',
              labels: { device: device.id, ifName: 'ether1' },
              value: 2n ** 63n + BigInt(n),
              ts,
            },
            { name: 'device_up', labels: { device: device.id }, value: 1, ts },
          ],
          facts: {
            system: { name: `${device.id}.lab`, vendor: 'Fake' },
            interfaces: [{ index: 1, name: 'ether1', operUp: true }],
            pppoeSessions: [{ user: `user-${device.id}`, address: '100.64.0.1' }],
          },
        };
      },
    });
  },
});

describe('an unreachable PostgreSQL', () => {
  it('fails health and writes without leaking the password; start in `wait` mode fails clearly', async () => {
    const logger = createFakeLogger();
    const url = `postgres://mon:hunter2@127.0.0.1:${await freePort()}/x`;
    const bg = await createMonitor({ plugins: [postgres({ url, startup: 'background' })], logger });
    await bg.start();
    const health = await bg.health();
    expect(health.checks['postgres:database']?.status).toBe('fail');
    const sink = bg.resolveAll(tokens.Sink).find((s) => s.name === 'postgres');
    await expect(
      sink?.write([{ name: 'device_up', labels: { device: 'a' }, value: 1, ts: Date.now() }]),
    ).rejects.toThrow(/not ready/);
    await bg.stop();
    const waiting = await createMonitor({ plugins: [postgres({ url, startTimeout: '1s' })], logger });
    const err = await waiting.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/cannot open database postgres:\/\/mon:\*\*\*@127\.0\.0\.1/);
    expect(JSON.stringify([health, err?.message, logger.records])).not.toContain('hunter2');
  }, 30_000);
});

describe('end to end on real time, with createMonitor and a PGlite folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ispm-pglite-e2e-'));
  const monitors: Monitor[] = [];
  afterAll(async () => {
    await Promise.all(monitors.map((m) => m.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const build = async () => {
    const m = await createMonitor({
      plugins: [fakeDriver(), postgres({ dataDir: join(dir, 'db') })],
      poller: { interval: '1s' },
      sinks: { flushInterval: 100 },
      logger: createFakeLogger(),
    });
    monitors.push(m);
    return m;
  };

  it('stores samples, facts and status; devices added through the API survive a restart', async () => {
    const first = await build();
    await first.start();
    expect((await first.health()).checks['postgres:database']).toMatchObject({
      status: 'pass',
      details: { engine: 'pglite', schemaVersion: 8, expected: 8 },
    });
    await first.devices.add({ id: 'api-1', host: '127.0.0.1', driver: 'fake', interval: '1s' });
    await first.bus.next('samples', (e) => e.device.id === 'api-1');
    expect(await first.metrics.metrics()).toMatch(/ispmonitor_db_pool_connections\{state="total"\} 1/);
    await first.stop(); // flushes the sink
    const scrape = await first.metrics.metrics();
    expect(scrape).toMatch(/ispmonitor_db_samples_written_total\{engine="pglite"\} [1-9]/);
    expect(scrape).toMatch(/ispmonitor_db_write_batches_total\{result="ok"\} [1-9]/);

    const second = await build();
    await second.start();
    expect(second.devices.get('api-1')).toMatchObject({
      origin: 'store',
      device: { id: 'api-1', driver: 'fake' },
    });
    const store = second.resolve(postgresStore);
    const [latest] = await store.latest('interface_in_octets_total', { device: 'api-1' });
    expect(typeof latest?.value).toBe('bigint');
    expect((latest?.value as bigint) > 2n ** 63n).toBe(true);
    expect((await store.interfaces('api-1')).map((i) => i.name)).toEqual(['ether1']);
    expect(await store.pppoeSessions({ user: 'user-api-1', current: true })).toHaveLength(1);
    const history = await store.statusHistory('api-1', 0, Date.now() + 1000);
    expect(history[0]).toMatchObject({ previous: 'unknown', status: 'online' });
    await second.devices.remove('api-1');
    await second.stop();
  }, 60_000);

  it('a second monitor on the same folder in this process is refused, not corrupting it', async () => {
    const a = await build();
    await a.start();
    const b = await build();
    await expect(b.start()).rejects.toThrow(/in use by process \d+ \(this process\)/);
    await a.stop();
  }, 60_000);
});

describe('stopping while a maintenance round runs', () => {
  it('neither crashes nor leaves the round writing to a closed database', async () => {
    const clock = new FakeClock(Date.now());
    const logger = createFakeLogger();
    const m = await createMonitor({
      plugins: [postgres({ memory: true, maintenance: { interval: '1m' } })],
      clock,
      logger,
    });
    await m.start();
    // Hold the next maintenance round until the monitor is stopping.
    const gate = latch();
    const real = Storage.prototype.maintain;
    const inRound = latch();
    // The round settles (resolved or rejected) only after the gate opens.
    let roundSettled: Promise<unknown> = Promise.resolve();
    const order: string[] = [];
    const spy = vi.spyOn(Storage.prototype, 'maintain').mockImplementation(function (this: Storage, now) {
      const round = (async () => {
        inRound.open();
        await gate.reached;
        order.push('round resumed');
        return real.call(this, now);
      })();
      roundSettled = round.catch(() => undefined);
      return round;
    });
    // The round resumes only once the stopping monitor has closed the database: the worst moment.
    const realClose = Storage.prototype.close;
    const closeSpy = vi.spyOn(Storage.prototype, 'close').mockImplementation(async function (this: Storage) {
      await realClose.call(this);
      order.push('database closed');
      gate.open();
    });
    try {
      const ticking = clock.advance(60_000);
      await inRound.reached;
      await m.stop();
      await ticking;
      await roundSettled;
    } finally {
      spy.mockRestore();
      closeSpy.mockRestore();
    }
    // The round's continuation after `maintain` is promise callbacks only: one macrotask turn
    // runs them all. Before the fix it threw here (storage gone).
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['database closed', 'round resumed']);
    expect(logger.records.filter((r) => r.level === 'error')).toEqual([]);
  });
});
