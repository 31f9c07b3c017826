/**
 * The plugin inside a real monitor: the shared plugin suite (lifecycle, errors reported not
 * thrown, failures contained), and an end-to-end run on real time with traps on the bus.
 */
import type { TrapEvent } from '@ispmonitor/core';
import { createMonitor } from '@ispmonitor/core';
import {
  createFakeLogger,
  type PluginSuiteOptions,
  pluginChecks,
  skipTitle,
  testPlugin,
} from '@ispmonitor/core/testing';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snmp as snmpPlugin } from '../src/index.js';
import { type HostileAgent, startHostileAgent } from './support/hostile.js';
import { freeUdpPort, missing, noSnmprec, type Peer, startSnmpsim } from './support/peers.js';

const why = noSnmprec ?? missing('/usr/bin/snmpsimd', 'snmpsim');
let peer: Peer | undefined;
let silent: HostileAgent;
let looping: HostileAgent;

beforeAll(async () => {
  silent = await startHostileAgent('silent');
  looping = await startHostileAgent('garbage');
  if (!why) peer = await startSnmpsim(['linux', 'routeros']);
});
afterAll(async () => {
  await silent?.close();
  await looping?.close();
  await peer?.stop();
});

const snmpDevice = (id: string, port: number, community: string) => ({
  id,
  host: '127.0.0.1',
  port,
  driver: 'snmp',
  snmp: { version: '2c', community, timeout: '300ms', retries: 0 },
});

const suite: PluginSuiteOptions = {
  plugin: () => snmpPlugin(),
  failures: [
    { name: 'silent agent (timeout)', device: () => snmpDevice('silent', silent.port, 'x') },
    { name: 'garbage-sending agent', device: () => snmpDevice('garbage', looping.port, 'x') },
    { name: 'wrong community', device: () => snmpDevice('wrongcomm', peer?.port ?? silent.port, 'no-such') },
  ],
  timeoutMs: 5000,
};
// The device check needs snmpsim serving a recording: without one it is skipped, saying why.
testPlugin('snmp', suite);
it.skipIf(why)(
  skipTitle('plugin suite: snmp polls the linux recording and labels every sample with the device', why),
  () => pluginChecks.pollsDevice({ ...suite, device: () => snmpDevice('linux', peer?.port ?? 1, 'linux') }),
  40_000,
);

describe.skipIf(why)(skipTitle('end to end on real time', why), () => {
  it('polls on schedule, keeps a failing device apart, and publishes traps with the device id', async () => {
    const trapPort = await freeUdpPort();
    const monitor = await createMonitor({
      plugins: [snmpPlugin({ traps: { port: trapPort, address: '127.0.0.1', community: 'trapc' } })],
      devices: [
        { ...snmpDevice('routeros', peer?.port as number, 'routeros'), interval: '1s' },
        { ...snmpDevice('dead', silent.port, 'x'), interval: '1s' },
      ],
      poller: { timeout: '2s' },
      logger: createFakeLogger(),
    });
    const samples: string[] = [];
    const failures: string[] = [];
    const traps: TrapEvent[] = [];
    monitor.bus.on('samples', (e) => void samples.push(...e.samples.map((x) => `${e.device.id}:${x.name}`)));
    monitor.bus.on('poll:failure', (e) => void failures.push(`${e.device.id}:${e.error.code}`));
    monitor.bus.on('trap', (e) => void traps.push(e));
    // Two polls of the live device and a timeout of the dead one, by events rather than a sleep.
    let routerPolls = 0;
    const polledTwice = new Promise<void>((resolve) =>
      monitor.bus.on('samples', (e) => {
        if (e.device.id === 'routeros' && ++routerPolls === 2) resolve();
      }),
    );
    const deadFailed = monitor.bus.next('poll:failure', (e) => e.device.id === 'dead');
    await monitor.start();
    try {
      await Promise.all([polledTwice, deadFailed]);
      const trapped = monitor.bus.next('trap');
      const s = snmp.createSession('127.0.0.1', 'trapc', { version: snmp.Version2c, trapPort });
      await new Promise<void>((resolve) =>
        (s as unknown as { trap: (...a: unknown[]) => void }).trap('1.3.6.1.6.3.1.1.5.4', [], () =>
          resolve(),
        ),
      );
      s.close();
      await trapped;
    } finally {
      await monitor.stop();
    }
    expect(samples.filter((d) => d === 'routeros:device_uptime_seconds').length).toBeGreaterThanOrEqual(2);
    // Core may record that the dead device is down; the driver itself gave it no data.
    expect(samples.filter((d) => d.startsWith('dead:') && d !== 'dead:device_up')).toEqual([]);
    expect(failures.some((f) => f.startsWith('dead:SNMP_TIMEOUT'))).toBe(true);
    expect(traps).toHaveLength(1);
    expect(traps[0]?.kind).toBe('linkUp');
    // Both devices share 127.0.0.1: the first match wins, which is a known limit of host matching.
    expect(['routeros', 'dead']).toContain(traps[0]?.device);
  }, 20_000);

  it('re-polls the device at once when a linkDown trap arrives', async () => {
    const trapPort = await freeUdpPort();
    const monitor = await createMonitor({
      plugins: [snmpPlugin({ traps: { port: trapPort, address: '127.0.0.1', community: 'trapc' } })],
      devices: [{ ...snmpDevice('routeros', peer?.port as number, 'routeros'), interval: '1h' }],
      poller: { timeout: '2s' },
      logger: createFakeLogger(),
    });
    const polls: number[] = [];
    monitor.bus.on('poll:success', () => void polls.push(Date.now()));
    await monitor.start();
    try {
      // Added at run time, so it is polled at once; its next slot is an hour away.
      await monitor.devices.add({
        ...snmpDevice('r2', peer?.port as number, 'routeros'),
        id: 'r2',
        host: '127.0.0.1',
        interval: '1h',
      });
      await monitor.bus.next('poll:success');
      const polled = polls.length;
      const s = snmp.createSession('127.0.0.1', 'trapc', { version: snmp.Version2c, trapPort });
      await new Promise<void>((resolve) =>
        (s as unknown as { trap: (...a: unknown[]) => void }).trap('1.3.6.1.6.3.1.1.5.3', [], () =>
          resolve(),
        ),
      );
      s.close();
      await monitor.bus.next('poll:success');
      expect(polls.length).toBeGreaterThan(polled);
    } finally {
      await monitor.stop();
    }
  }, 20_000);
});
