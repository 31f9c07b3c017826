import net from 'node:net';
import { catalog } from '@ispmonitor/core';
import { createFakeLogger, pollDriver } from '@ispmonitor/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { MikrotikErrorCodes as C } from '../src/errors.js';
import {
  pollContext,
  type RouterOsEmulatorOptions,
  type RouterOsFault,
  routerDevice,
  watchCrashes,
} from './support/emulator.js';
import { closingRig } from './support/rig.js';

const CANARY = 'CANARY-pw-7f3a91';
const rig = closingRig();

async function pair(fault: RouterOsFault, extra: RouterOsEmulatorOptions = {}) {
  const bad = await rig.router({
    profile: 'v7.18',
    password: CANARY,
    pppSessions: 50,
    leases: 50,
    fault,
    slowMs: 1500,
    ...extra,
  });
  const good = await rig.router({
    profile: 'v7.18',
    password: CANARY,
    pppSessions: 50,
    leases: 50,
  });
  const driver = rig.driver({ minBackoff: 60_000 });
  return { bad, good, driver };
}

/** Polls the faulty and the healthy router at once; checks containment and secrecy. */
async function pollBoth(fault: RouterOsFault, extra: RouterOsEmulatorOptions = {}, settings = {}) {
  const watch = watchCrashes();
  try {
    const { bad, good, driver } = await pair(fault, extra);
    const badCtx = pollContext();
    const goodCtx = pollContext();
    const s = { password: CANARY, timeout: '400ms', ...settings };
    const [badResult, goodResult] = await Promise.all([
      pollDriver(driver, routerDevice('bad', bad.port, s), badCtx),
      pollDriver(driver, routerDevice('good', good.port, s), goodCtx),
    ]);
    expect(goodResult.error).toBeUndefined();
    expect(goodResult.samples.some((x) => x.name === catalog.ifInOctets.name)).toBe(true);
    expect(JSON.stringify(badResult, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
      CANARY,
    );
    expect(badCtx.logger.text()).not.toContain(CANARY);
    // Give late bytes (replies after a timeout, closes) time to arrive while we still watch.
    await new Promise((r) => setTimeout(r, 100));
    expect(watch.crashes).toEqual([]);
    return { badResult, bad, good, driver };
  } finally {
    watch.stop();
  }
}

describe('a misbehaving router never takes the process down and never stops the others', () => {
  it.each<[RouterOsFault, string]>([
    ['silent', C.TIMEOUT],
    ['silent-after-login', C.TIMEOUT],
    ['slow', C.TIMEOUT],
    ['drop-mid-reply', C.CLOSED],
    ['fatal', C.FATAL],
    ['garbage', C.PROTOCOL],
    ['bad-password', C.AUTH],
  ])('%s → error %s', async (fault, code) => {
    const { badResult } = await pollBoth(fault);
    expect(badResult.error?.code).toBe(code);
    expect(badResult.samples).toEqual([]);
    if (fault === 'bad-password')
      expect(badResult.error?.message).toMatch(/refused the login of user "admin"/);
  });

  it.each<RouterOsFault>(['unknown-reply', 'unregistered-tag'])(
    '%s is ignored: the poll succeeds',
    async (fault) => {
      const { badResult, driver, bad } = await pollBoth(fault);
      expect(badResult.error).toBeUndefined();
      expect(badResult.partErrors).toBeUndefined();
      expect(badResult.facts?.pppoeSessions?.length).toBeGreaterThan(20);
      // The connection stays usable.
      const again = await pollDriver(
        driver,
        routerDevice('bad', bad.port, { password: CANARY }),
        pollContext(),
      );
      expect(again.error).toBeUndefined();
    },
  );

  it('a huge table is cut at the row bound as a part error; the rest of the poll is kept', async () => {
    const { badResult, driver, bad } = await pollBoth(
      'huge-table',
      { hugeRows: 20_000 },
      { maxRows: 2000, timeout: '20s' },
    );
    expect(badResult.error).toBeUndefined();
    expect(badResult.partErrors?.map((p) => [p.part, p.code]).sort()).toEqual([
      ['/ip/dhcp-server/lease', C.TOO_LARGE],
      ['/ppp/active', C.TOO_LARGE],
    ]);
    expect(badResult.samples.some((s) => s.name === catalog.ifInOctets.name)).toBe(true);
    expect(badResult.facts?.pppoeSessions).toBeUndefined();
    bad.setFault('none');
    const again = await pollDriver(
      driver,
      routerDevice('bad', bad.port, { password: CANARY, maxRows: 2000 }),
      pollContext(),
    );
    expect(again.error).toBeUndefined();
    expect(again.facts?.pppoeSessions?.length).toBeGreaterThan(20);
  });

  it('an unreachable router is an error result, and reconnecting waits for the backoff', async () => {
    const watch = watchCrashes();
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const driver = rig.driver({ minBackoff: 60_000 });
    const r1 = await pollDriver(driver, routerDevice('gone', port), pollContext());
    expect(r1.error?.code).toBe(C.UNREACHABLE);
    // Something listens on the port now: a poll that did not wait for the backoff would reach it.
    let attempts = 0;
    const back = net.createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((r) => back.listen(port, '127.0.0.1', r));
    try {
      const r2 = await pollDriver(driver, routerDevice('gone', port), pollContext());
      expect(r2.error?.code).toBe(C.UNREACHABLE);
      expect(r2.error?.message).toMatch(/next attempt in \d+ s/);
      expect(attempts).toBe(0);
    } finally {
      await new Promise((r) => back.close(r));
    }
    watch.stop();
    expect(watch.crashes).toEqual([]);
  });

  it('wrong credentials are not retried on every poll', async () => {
    const { bad, driver } = await pollBoth('bad-password');
    const logins = bad.requests.get('/login');
    const again = await pollDriver(
      driver,
      routerDevice('bad', bad.port, { password: CANARY, timeout: '400ms' }),
      pollContext(),
    );
    expect(again.error?.code).toBe(C.AUTH);
    expect(again.error?.message).toMatch(/next attempt in/);
    expect(bad.requests.get('/login')).toBe(logins);
  });

  it('a connection dropped between polls (reboot, idle timeout) is reopened on the next poll', async () => {
    const watch = watchCrashes();
    const router = await rig.router({ profile: 'v7.16' });
    const driver = rig.driver();
    const device = routerDevice('r', router.port);
    expect((await pollDriver(driver, device, pollContext())).error).toBeUndefined();
    expect(driver.openConnections).toBe(1);
    router.dropConnections();
    await vi.waitFor(() => expect(driver.openConnections).toBe(0), { timeout: 10_000 });
    expect((await pollDriver(driver, device, pollContext())).error).toBeUndefined();
    expect(router.requests.get('/login')).toBe(2);
    watch.stop();
    expect(watch.crashes).toEqual([]);
  });

  it('an aborted poll (poll timeout, monitor stopping) ends at once with ABORTED', async () => {
    const router = await rig.router({ profile: 'v7.16', fault: 'slow', slowMs: 5000 });
    const driver = rig.driver();
    // The router answers after 5 s and the poll's own timeout is 10 s: only the abort ends it
    // with ABORTED, so no elapsed-time bound is needed.
    const ctx = { signal: AbortSignal.timeout(200), logger: createFakeLogger() };
    const result = await pollDriver(driver, routerDevice('r', router.port, { timeout: '10s' }), ctx);
    expect(result.error?.code).toBe(C.ABORTED);
  });

  it('connections are capped: idle ones are closed to make room', async () => {
    const routers = await Promise.all([0, 1, 2].map(() => rig.router({ profile: 'v7.16', interfaces: 1 })));
    const driver = rig.driver({ maxConnections: 2 });
    for (const [i, r] of routers.entries()) {
      expect((await pollDriver(driver, routerDevice(`r${i}`, r.port), pollContext())).error).toBeUndefined();
      expect(driver.openConnections).toBeLessThanOrEqual(2);
    }
    // The closed idle connection reaches its router a moment later.
    await vi.waitFor(() => expect(routers.map((r) => r.connections).reduce((a, b) => a + b)).toBe(2), {
      timeout: 10_000,
    });
  });
});
