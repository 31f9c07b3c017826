/**
 * Disk full under the sink spool (issue #18): the segment the spool opens next is a link to
 * /dev/full, where every write fails with ENOSPC as on a full disk. The failure is logged clearly,
 * counted as dropped with reason `spool_error`, and polling goes on.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodeRecord } from '../src/sinks/spool-format.js';
import { metric } from './support/metric.js';
import { sinkMonitor, smallBufferSpool } from './support/sink-monitor.js';

const root = mkdtempSync(join(tmpdir(), 'ispm-spool-full-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const noFull = existsSync('/dev/full') ? undefined : 'no /dev/full on this system';

describe.skipIf(noFull !== undefined)(`sink spool on a full disk${noFull ? ` (${noFull})` : ''}`, () => {
  it('logs the failure once, counts the samples as dropped (spool_error), and keeps polling', async () => {
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const spoolDir = join(root, 'spool');
    const segments = join(spoolDir, 'db');
    mkdirSync(segments, { recursive: true });
    // A segment left by an earlier run: the spool opens at start (to write it back), so the next
    // segment it creates is known — and that one is the full disk.
    const old = [{ name: 'm', labels: { device: 'old' }, value: 1, ts: clock.now() - 60_000 }];
    writeFileSync(join(segments, '000000000001.spool'), encodeRecord(old, clock.now() - 60_000));
    const logger = createFakeLogger();
    const monitor = await sinkMonitor({
      sinks: [
        {
          name: 'db',
          write: async () => {
            throw new Error('database down');
          },
        },
      ],
      clock,
      sinkOptions: smallBufferSpool(spoolDir),
      logger,
    });
    // The spool has opened and found the old segment: now the disk "fills".
    await vi.waitFor(async () => {
      expect(await metric(monitor, 'ispmonitor_sink_spool_bytes', { sink: 'db' })).toBeGreaterThan(0);
    });
    symlinkSync('/dev/full', join(segments, '000000000002.spool'));
    let polled = 0;
    monitor.bus.on('samples', () => {
      polled++;
    });
    await monitor.start();
    await vi.waitFor(
      async () => {
        await clock.advance(1_000);
        expect(
          await metric(monitor, 'ispmonitor_samples_dropped_total', { reason: 'spool_error' }),
        ).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 20 },
    );
    const failures = logger.records.filter((r) => r.msg === 'sink spool write failed');
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0])).toMatch(/ENOSPC/);
    // Polling goes on while the spool cannot take anything: every poll still produces samples.
    const before = polled;
    await clock.advance(60_000);
    expect(polled - before).toBeGreaterThanOrEqual(50);
    expect(logger.records.filter((r) => r.msg === 'sink spool write failed')).toHaveLength(1);
    const stopped = monitor.stop();
    await clock.advance(30_000);
    await stopped;
  });
});
