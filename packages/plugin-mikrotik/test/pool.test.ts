import net from 'node:net';
import { pollDriver } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionPool, type RouterTarget } from '../src/api/pool.js';
import { createMikrotikDriver, type MikrotikDriver } from '../src/driver.js';
import { MikrotikErrorCodes as C, MikrotikError } from '../src/errors.js';
import {
  pollContext,
  type RouterOsEmulator,
  routerDevice,
  startRouterOsEmulator,
} from './support/emulator.js';

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const target = (port: number): RouterTarget => ({
  host: '127.0.0.1',
  port,
  tls: false,
  username: 'admin',
  password: '',
  timeoutMs: 1000,
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

describe('reconnect backoff (injected clock)', () => {
  it('doubles from minBackoff up to maxBackoff, and a success resets it', async () => {
    let now = 1_000_000;
    const pool = new ConnectionPool({
      maxConnections: 10,
      keepaliveMs: 60_000,
      minBackoffMs: 2000,
      maxBackoffMs: 10_000,
      now: () => now,
    });
    cleanups.push(() => pool.close());
    const port = await closedPort();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      await expect(pool.acquire('r', target(port))).rejects.toMatchObject({ code: C.UNREACHABLE });
      const err = (await pool.acquire('r', target(port)).catch((e) => e)) as MikrotikError;
      expect(err).toBeInstanceOf(MikrotikError);
      const wait = Number(/next attempt in (\d+) s/.exec(err.message)?.[1]);
      waits.push(wait);
      now += wait * 1000 + 1;
    }
    // 2 s, 4 s, 8 s, then capped at 10 s (each with up to 20 % jitter below).
    expect(waits[0]).toBe(2);
    expect(waits[1]).toBe(4);
    expect(waits[2]).toBeGreaterThanOrEqual(7);
    expect(waits[2]).toBeLessThanOrEqual(8);
    expect(waits[3]).toBeGreaterThanOrEqual(8);
    expect(waits[3]).toBeLessThanOrEqual(10);
    expect(waits[4]).toBeLessThanOrEqual(10);
    // The router comes back: the next attempt after the wait succeeds and the count resets.
    const router = await startRouterOsEmulator({ port });
    cleanups.push(() => router.close());
    const lease = await pool.acquire('r', target(port));
    expect(lease.conn.alive).toBe(true);
    lease.conn.destroy();
    await vi.waitFor(() => expect(router.connections).toBe(0), { timeout: 10_000 });
    await router.close();
    await expect(pool.acquire('r', target(port))).rejects.toMatchObject({ code: C.UNREACHABLE });
    const err = (await pool.acquire('r', target(port)).catch((e) => e)) as MikrotikError;
    expect(err.message).toMatch(/next attempt in 2 s/);
  });

  it('an aborted connect does not count as a router failure', async () => {
    const pool = new ConnectionPool({
      maxConnections: 10,
      keepaliveMs: 60_000,
      minBackoffMs: 60_000,
      maxBackoffMs: 60_000,
    });
    cleanups.push(() => pool.close());
    const router = await startRouterOsEmulator({ fault: 'silent' });
    cleanups.push(() => router.close());
    const ac = new AbortController();
    const pending = pool.acquire('r', { ...target(router.port), timeoutMs: 5000 }, ac.signal);
    // Aborted while the connection is open and the login unanswered.
    await vi.waitFor(() => expect(router.connections).toBe(1), { timeout: 10_000 });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: C.ABORTED });
    router.setFault('none');
    await expect(pool.acquire('r', target(router.port))).resolves.toBeTruthy();
  });
});

/** Keepalive every 1 s: only a hung check gets near this. */
const KEEPALIVE_GUARD = { timeout: 20_000, interval: 50 };

describe('keepalive (real time)', () => {
  let driver: MikrotikDriver;
  let router: RouterOsEmulator;
  it('checks an idle connection and closes it when the router stopped answering', async () => {
    router = await startRouterOsEmulator({ profile: 'v7.16', interfaces: 1 });
    driver = createMikrotikDriver({ keepalive: 1000 });
    cleanups.push(
      () => driver.close(),
      () => router.close(),
    );
    const device = routerDevice('r', router.port, { timeout: '300ms', collect: ['system'] });
    expect((await pollDriver(driver, device, pollContext())).error).toBeUndefined();
    const polled = router.requests.get('/system/identity/print') ?? 0;
    // Without a poll, the keepalive's check reaches the router; the deadlines only catch a hang.
    await vi.waitFor(
      () => expect(router.requests.get('/system/identity/print') ?? 0).toBeGreaterThan(polled),
      KEEPALIVE_GUARD,
    );
    expect(driver.openConnections).toBe(1);
    router.setFault('silent-after-login');
    await vi.waitFor(() => expect(driver.openConnections).toBe(0), KEEPALIVE_GUARD);
    router.setFault('none');
    expect((await pollDriver(driver, device, pollContext())).error).toBeUndefined();
  }, 60_000);
});
