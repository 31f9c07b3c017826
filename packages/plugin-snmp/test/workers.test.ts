/**
 * The SNMP driver in poller worker threads (`poller.workers` 2) against Debian's snmpd: v2c and
 * v3 devices are polled off the main thread, their samples (64-bit counters included) reach the
 * main thread's bus intact. Workers run the built JavaScript: `npx tsc -b packages/plugin-snmp`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMonitor, type Monitor, type Sample } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snmp } from '../src/index.js';
import { missing, type Peer, snmpdCreds, snmpdV3, startSnmpd } from './support/peers.js';

const built = ['../dist/driver.js', '../../core/dist/workers/worker-main.js'].every((p) =>
  existsSync(fileURLToPath(new URL(p, import.meta.url))),
);
const why =
  missing('/usr/sbin/snmpd', 'snmpd') ?? (built ? undefined : 'not built (npx tsc -b packages/plugin-snmp)');

describe.skipIf(why)(`SNMP in poller workers${why ? ` (skipped: ${why})` : ''}`, () => {
  let peer: Peer;
  let monitor: Monitor;
  beforeAll(async () => {
    peer = await startSnmpd();
  });
  afterAll(async () => {
    await monitor?.stop();
    await peer?.stop();
  });

  it('polls v2c and v3 devices in worker threads; samples arrive on the main thread', async () => {
    const common = { host: '127.0.0.1', port: peer.port, driver: 'snmp' };
    monitor = await createMonitor({
      plugins: [snmp()],
      logger: createFakeLogger(),
      poller: { interval: '1s', timeout: '3s', workers: 2 },
      devices: [
        { id: 'w-v2c', ...common, snmp: { version: '2c', community: snmpdCreds.community } },
        {
          id: 'w-v3',
          ...common,
          snmp: snmpdV3(),
        },
      ] as never,
    });
    const got = new Map<string, Sample[]>();
    monitor.bus.on('samples', (e) => {
      const id = String(e.samples[0]?.labels.device);
      got.set(id, [...(got.get(id) ?? []), ...e.samples]);
    });
    await monitor.start();
    expect(monitor.workerThreads()).toHaveLength(2);
    for (let waited = 0; !(got.has('w-v2c') && got.has('w-v3')); waited += 50) {
      if (waited > 20_000) throw new Error('no samples from the workers');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const id of ['w-v2c', 'w-v3']) {
      expect(monitor.devices.get(id)?.status).toBe('online');
      const octets = got
        .get(id)
        ?.find((s) => s.name === 'interface_in_octets_total' && s.labels.ifName === 'lo');
      expect(typeof octets?.value).toMatch(/number|bigint/);
    }
  });
});
