import { type BusEvents, createMonitor } from '@ispmonitor/core';
import { createFakeLogger, testPlugin } from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { mikrotik } from '../src/plugin.js';
import {
  type RouterOsEmulator,
  type RouterOsFault,
  routerDevice,
  startRouterOsEmulator,
} from './support/emulator.js';

const started: RouterOsEmulator[] = [];
afterAll(async () => {
  await Promise.all(started.map((e) => e.close()));
});
const emulator = async (fault: RouterOsFault = 'none', extra = {}) => {
  const e = await startRouterOsEmulator({ profile: 'v7.18', fault, pppSessions: 20, leases: 10, ...extra });
  started.push(e);
  return e;
};
const faulty = (fault: RouterOsFault) => async () =>
  routerDevice(`bad-${fault}`, (await emulator(fault)).port, { timeout: '1s' });

testPlugin('mikrotik', {
  plugin: () => mikrotik({ minBackoff: '200ms' }),
  device: async () => routerDevice('good', (await emulator()).port),
  timeoutMs: 3000,
  failures: [
    { name: 'wrong password', device: faulty('bad-password') },
    { name: 'silent router', device: faulty('silent') },
    { name: 'connection dropped mid-reply', device: faulty('drop-mid-reply') },
    { name: '!fatal', device: faulty('fatal') },
    { name: 'not the API protocol', device: faulty('garbage') },
    { name: 'nothing listening', device: async () => routerDevice('closed', 1, { timeout: '1s' }) },
  ],
});

describe('end to end on real time', () => {
  it('a monitor polls emulated routers repeatedly and publishes PPPoE session changes', async () => {
    let now = Date.now();
    const router = await emulator('none', { pppSessions: 300, sessionLifetimeSeconds: 30, now: () => now });
    const monitor = await createMonitor({
      plugins: [mikrotik()],
      devices: [
        {
          ...routerDevice('bras-1', router.port, { collect: ['system', 'ppp', 'interfaces'] }),
          interval: '1s',
        },
      ],
      logger: createFakeLogger(),
    });
    const changes: BusEvents['pppoe:session'][] = [];
    monitor.bus.on('pppoe:session', (c) => void changes.push(c));
    let polls = 0;
    monitor.bus.on('poll:success', () => void polls++);
    await monitor.start();
    try {
      await monitor.bus.next('samples', (e) => e.device.id === 'bras-1');
      now += 15_000;
      const deadline = Date.now() + 8000;
      while ((polls < 3 || changes.length === 0) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(polls).toBeGreaterThanOrEqual(2);
      expect(monitor.devices.get('bras-1')?.status).toBe('online');
      expect(changes.length).toBeGreaterThan(0);
      expect(changes[0]?.device.id).toBe('bras-1');
      expect(changes.some((c) => c.appeared.length > 0 && c.vanished.length > 0)).toBe(true);
      expect(router.requests.get('/login')).toBe(1);
    } finally {
      await monitor.stop();
    }
    // Stopping the monitor closes the plugin's connections (the router sees the close shortly after).
    for (let i = 0; i < 20 && router.connections > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(router.connections).toBe(0);
  }, 20_000);
});
