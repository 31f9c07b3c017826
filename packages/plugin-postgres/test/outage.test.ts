/**
 * PostgreSQL stopped in the middle of a run while every device is polled 60 times (a real minute
 * at 1 s intervals on a quiet machine: no fake time here), then started again: every sample
 * produced meanwhile is stored exactly once, through core's sink buffer and retries
 * (createMonitor) and this plugin's idempotent writes. Each phase ends on a state (rows stored,
 * polls counted), not on a sleep; the deadlines only catch a hung run.
 */
import { createMonitor, type Sample } from '@ispmonitor/core';
import { createFakeLogger, driverPlugin } from '@ispmonitor/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { openPg } from '../src/db/pg.js';
import { postgres } from '../src/index.js';
import { pgForBlock, pgMissing } from './support/pg-server.js';

/** Polls of every device while the database is down. */
const OUTAGE_POLLS = 60;
const DEVICES = 20;
/** Samples each poll of the counter driver produces (two, and core's `device_up`). */
const SAMPLES_PER_POLL = 3;
/** Only a hung phase reaches it. */
const HANG_GUARD = { timeout: 120_000, interval: 250 };
const missing = pgMissing();
if (missing) console.warn(`skipping the outage test: ${missing}`);

/** A driver whose counters climb from 2^63 by 10^6 a poll (exact 64-bit values), plus a CPU reading. */
function counterDriver() {
  const counters = new Map<string, bigint>();
  return driverPlugin({
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
}

/** Rows in the samples table, through a connection of its own (closed again). */
async function storedRows(url: string): Promise<number> {
  const db = await openPg({ url });
  try {
    const res = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM ispm_samples');
    return Number(res.rows[0]?.n ?? 0);
  } finally {
    await db.close();
  }
}

describe.skipIf(missing)('PostgreSQL outage of 60 s (real time)', () => {
  const pg = pgForBlock('outage');

  it('loses zero samples and stores each exactly once', async () => {
    const produced = new Set<string>();
    const monitor = await createMonitor({
      plugins: [counterDriver(), postgres({ url: pg.url, pool: { max: 4, connectTimeout: '2s' } })],
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
    let outage = false;
    const pollsDuringOutage = new Map<string, number>();
    monitor.bus.on('poll:success', ({ device }) => {
      if (outage) pollsDuringOutage.set(device.id, (pollsDuringOutage.get(device.id) ?? 0) + 1);
    });
    await monitor.start();
    // Before: writes reach the database (two polls of every device stored).
    await vi.waitFor(async () => {
      expect(await storedRows(pg.url)).toBeGreaterThanOrEqual(DEVICES * SAMPLES_PER_POLL * 2);
    }, HANG_GUARD);

    await pg.server.stopServer();
    outage = true;
    const producedBeforeOutage = produced.size;
    const during = await monitor.health();
    expect(during.checks['postgres:database']?.status).toBe('fail');
    await vi.waitFor(
      () => {
        expect(pollsDuringOutage.size).toBe(DEVICES);
        expect(Math.min(...pollsDuringOutage.values())).toBeGreaterThanOrEqual(OUTAGE_POLLS);
      },
      { ...HANG_GUARD, timeout: OUTAGE_POLLS * 1000 * 4 },
    );
    const producedBeforeRestart = produced.size;
    await pg.server.startServer();
    outage = false;
    // After: the backlog of the outage is replayed — everything produced until the restart is
    // stored, though every write tried while the server was away failed.
    await vi.waitFor(async () => {
      expect(await storedRows(pg.url)).toBeGreaterThanOrEqual(producedBeforeRestart);
    }, HANG_GUARD);
    await monitor.stop(); // flushes what is still buffered
    expect(sinkErrors).toBeGreaterThan(0);

    const db = await openPg({ url: pg.url });
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
      // The outage's own samples are among them: at least OUTAGE_POLLS polls of every device.
      expect(producedBeforeRestart - producedBeforeOutage).toBeGreaterThanOrEqual(
        DEVICES * SAMPLES_PER_POLL * OUTAGE_POLLS,
      );
      const exact = await db.query<{ raw: string }>(
        `SELECT max(ispm_u64(raw))::text AS raw FROM ispm_samples x JOIN ispm_series s ON s.id = x.series_id
          WHERE s.name = 'interface_in_octets_total'`,
      );
      expect(BigInt(exact.rows[0]?.raw ?? '0')).toBeGreaterThan(2n ** 63n);
    } finally {
      await db.close();
    }
  }, 600_000);
});
