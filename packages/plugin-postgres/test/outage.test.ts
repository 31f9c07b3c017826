/**
 * PostgreSQL stopped for 60 s in the middle of a run (the REAL 60 s: no fake time here), then
 * started again: every sample produced meanwhile is stored exactly once, through core's sink
 * buffer and retries (createMonitor) and this plugin's idempotent writes.
 */
import { createMonitor, definePlugin, type Sample, tokens } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPg } from '../src/db/pg.js';
import { postgres } from '../src/index.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';

const OUTAGE_MS = 60_000;
const DEVICES = 20;
const missing = pgMissing();
if (missing) console.warn(`skipping the outage test: ${missing}`);

const counterDriver = definePlugin({
  name: 'counter-driver',
  version: '0.0.0',
  setup(ctx) {
    const counters = new Map<string, bigint>();
    ctx.provide(tokens.Driver, {
      kind: 'counter',
      poll: async (device) => {
        const v = (counters.get(device.id) ?? 2n ** 63n) + 1_000_000n;
        counters.set(device.id, v);
        const ts = Date.now();
        return {
          samples: <Sample[]>[
            { name: 'interface_in_octets_total', labels: { ifName: 'ether1' }, value: v, ts },
            { name: 'device_cpu_load_ratio', labels: {}, value: Math.random(), ts },
          ],
        };
      },
    });
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing)('PostgreSQL outage of 60 s (real time)', () => {
  let server: PgServer;
  let url: string;
  beforeAll(async () => {
    server = await startPgServer();
    url = await server.createDatabase('outage');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('loses zero samples and stores each exactly once', async () => {
    const produced = new Set<string>();
    const monitor = await createMonitor({
      plugins: [counterDriver(), postgres({ url, pool: { max: 4, connectTimeout: '2s' } })],
      devices: [...Array(DEVICES).keys()].map((i) => ({
        id: `dev-${i}`,
        host: '127.0.0.1',
        driver: 'counter',
        interval: '1s',
      })),
      sinks: { flushInterval: 200, minBackoff: 200, maxBackoff: 2000 },
      logger: createFakeLogger(),
    });
    monitor.bus.on('samples', (e) => {
      for (const s of e.samples) produced.add(`${s.name}|${s.labels.device}|${s.ts}`);
    });
    let sinkErrors = 0;
    monitor.bus.on('sink:error', () => void sinkErrors++);
    await monitor.start();
    await sleep(5000);

    await server.stopServer();
    const during = await monitor.health();
    expect(during.checks['postgres:database']?.status).toBe('fail');
    await sleep(OUTAGE_MS);
    const producedDuringOutage = produced.size;
    await server.startServer();
    await sleep(5000);
    await monitor.stop(); // flushes what is still buffered
    expect(sinkErrors).toBeGreaterThan(0);

    const db = await openPg({ url });
    try {
      const res = await db.query<{ name: string; device: string; ts: string }>(
        `SELECT s.name, s.device, (extract(epoch FROM x.ts) * 1000)::bigint::text AS ts
           FROM ispm_samples x JOIN ispm_series s ON s.id = x.series_id`,
      );
      const stored = res.rows.map((r) => `${r.name}|${r.device}|${r.ts}`);
      expect(new Set(stored).size).toBe(stored.length); // exactly once
      const storedSet = new Set(stored);
      const lost = [...produced].filter((k) => !storedSet.has(k));
      expect(lost).toEqual([]);
      expect(stored.length).toBe(produced.size);
      // ~3 samples per device per second over the whole run, most of them during the outage.
      expect(producedDuringOutage).toBeGreaterThan(DEVICES * 3 * 50);
      const exact = await db.query<{ raw: string }>(
        `SELECT max(ispm_u64(raw))::text AS raw FROM ispm_samples x JOIN ispm_series s ON s.id = x.series_id
          WHERE s.name = 'interface_in_octets_total'`,
      );
      expect(BigInt(exact.rows[0]?.raw ?? '0')).toBeGreaterThan(2n ** 63n);
    } finally {
      await db.close();
    }
  }, 180_000);
});
