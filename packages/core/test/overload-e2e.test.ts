import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createMonitor, type Device, type Driver, type PollResult } from '@ispmonitor/core';
import { createFakeLogger, driverPlugin } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from './overload-support.js';

/**
 * Real time, real sockets, a real busy-wait: UDP "devices" on loopback answer 20 ms after a
 * request. The busy-wait starts right after a request went out, so the reply lands in the socket
 * while the loop is held, and Node fires the poll's (late) timeout before it reads the socket.
 */
const ECHO_DELAY_MS = 20;
const BLOCK_MS = 1_500;

let echo: Socket;
let silent: Socket;
const portOf = (s: Socket) => s.address().port;

beforeAll(async () => {
  echo = createSocket('udp4');
  echo.on('message', (msg, from) => {
    setTimeout(() => echo.send(msg, from.port, from.address), ECHO_DELAY_MS);
  });
  silent = createSocket('udp4'); // bound, reads, never answers: a device that is down
  silent.on('message', () => {});
  echo.bind(0, '127.0.0.1');
  silent.bind(0, '127.0.0.1');
  await Promise.all([once(echo, 'listening'), once(silent, 'listening')]);
});

afterAll(() => {
  echo.close();
  silent.close();
});

/** Resolves once `ok()` holds (checked every 20 ms); rejects after 10 s. */
async function until(ok: () => boolean): Promise<void> {
  for (let waited = 0; !ok(); waited += 20) {
    if (waited > 10_000) throw new Error('condition not reached within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Busy-waits: nothing else runs in this process meanwhile. */
function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // holding the event loop on purpose
  }
}

describe('overload end to end (real time, real busy-wait)', () => {
  it('healthy UDP devices survive a 1.5 s block; a silent one still goes unreachable; the state is raised and cleared', async () => {
    const hog = { armed: false, by: '' };
    const udp: Driver = {
      kind: 'udp',
      poll: (device, _settings, { signal }) =>
        new Promise<PollResult>((resolve, reject) => {
          const socket = createSocket('udp4');
          const done = () => {
            signal.removeEventListener('abort', onAbort);
            socket.close();
          };
          const onAbort = () => {
            done();
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          socket.on('message', () => {
            done();
            resolve({ samples: [{ name: 'x', labels: {}, value: 1, ts: Date.now() }] });
          });
          socket.send(device.id, device.port as number, '127.0.0.1', () => {
            // The first healthy request after arming starts the hog: its reply arrives mid-block.
            if (hog.armed && device.id.startsWith('ok-')) {
              hog.armed = false;
              hog.by = device.id;
              setImmediate(() => busyWait(BLOCK_MS));
            }
          });
        }),
    };
    const devices: Device[] = [
      ...[0, 1, 2, 3].map((i) => ({ id: `ok-${i}`, host: '127.0.0.1', port: portOf(echo), driver: 'udp' })),
      { id: 'down', host: '127.0.0.1', port: portOf(silent), driver: 'udp' },
    ];
    const monitor = await createMonitor({
      plugins: [driverPlugin(udp)],
      devices,
      // timeout × maxStretch = 900 ms < the 1.5 s block: the blocked attempt is retried at once.
      poller: {
        interval: '500ms',
        timeout: '300ms',
        recheckInterval: '500ms',
        overload: { clearAfter: '1s' },
      },
      logger: createFakeLogger(),
    });
    const events: string[] = [];
    const overloads: boolean[] = [];
    monitor.bus.on('poll:failure', (e) => void events.push(`failure ${e.device.id}`));
    monitor.bus.on('poll:success', (e) => void events.push(`success ${e.device.id}`));
    monitor.bus.on('poll:skipped', (e) => void events.push(`skipped ${e.device.id}`));
    monitor.bus.on('device:status', (e) => void events.push(`status ${e.device.id} ${e.status}`));
    const cleared = new Promise<void>((resolve) => {
      monitor.bus.on('monitor:overloaded', (e) => {
        overloads.push(e.overloaded);
        events.push(`overloaded ${e.overloaded}`);
        if (!e.overloaded) resolve();
      });
    });

    await monitor.start();
    await until(
      () =>
        [0, 1, 2, 3].every((i) => monitor.devices.get(`ok-${i}`)?.status === 'online') &&
        monitor.devices.get('down')?.status === 'unreachable',
    );
    expect(overloads).toEqual([]);

    hog.armed = true;
    await monitor.bus.next('monitor:overloaded');
    expect(hog.by).toMatch(/^ok-/);
    expect(await metric(monitor, 'ispmonitor_poller_overloaded')).toBe(1);
    expect((await monitor.health()).checks.overload?.status).toBe('warn');
    expect(await monitor.isReady()).toBe(true);
    await cleared;
    // Every healthy device is polled again after the state cleared, and still succeeds.
    const clearedAt = events.length;
    await until(() => [0, 1, 2, 3].every((i) => events.slice(clearedAt).includes(`success ok-${i}`)));
    await monitor.stop();

    expect(overloads).toEqual([true, false]);
    expect(await metric(monitor, 'ispmonitor_poller_overloaded')).toBe(0);
    expect(await metric(monitor, 'ispmonitor_event_loop_blocked_seconds_total')).toBeGreaterThanOrEqual(1.3);
    // No healthy device failed or changed status: each went online once, at its first poll.
    expect(events.filter((e) => e.startsWith('failure ok-'))).toEqual([]);
    expect(events.filter((e) => e.startsWith('status ok-')).sort()).toEqual(
      [0, 1, 2, 3].map((i) => `status ok-${i} online`),
    );
    for (let i = 0; i < 4; i++) expect(monitor.devices.get(`ok-${i}`)?.status).toBe('online');
    expect(events).toContain('failure down');
  });
});
