import { catalog } from '@ispmonitor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMikrotikDriver, type MikrotikDriver } from '../src/driver.js';
import { MONITOR } from '../src/parts/speeds.js';
import { parseRate } from '../src/values.js';
import {
  pollContext,
  type RouterOsEmulator,
  type RouterOsProfileName,
  routerDevice,
  series,
  startRouterOsEmulator,
} from './support/emulator.js';

const emulators: RouterOsEmulator[] = [];
const drivers: MikrotikDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});
const start = async (o: Parameters<typeof startRouterOsEmulator>[0]) => {
  const e = await startRouterOsEmulator(o);
  emulators.push(e);
  return e;
};
const driverWith = (o: Parameters<typeof createMikrotikDriver>[0] = {}) => {
  const d = createMikrotikDriver(o);
  drivers.push(d);
  return d;
};
const speedOf = (result: Awaited<ReturnType<MikrotikDriver['poll']>>, ifName: string) =>
  series(result, catalog.ifSpeed.name).get(JSON.stringify({ ifName }));

describe('link rates as RouterOS prints them', () => {
  it.each<[string | undefined, number | undefined]>([
    ['10Mbps', 10e6],
    ['100Mbps', 100e6],
    ['1Gbps', 1e9],
    ['2.5Gbps', 2.5e9],
    ['10Gbps', 10e9],
    ['25Gbps', 25e9],
    [undefined, undefined],
    ['', undefined],
    ['unknown', undefined],
    ['auto', undefined],
  ])('%s → %s', (text, bps) => {
    expect(parseRate(text)).toBe(bps);
  });
});

describe.each<RouterOsProfileName>(['v6', 'v7.16', 'v7.18'])(
  'interface speeds of a RouterOS %s router',
  (profile) => {
    it('come from /interface/ethernet/monitor for linked ports, as samples and facts', async () => {
      const router = await start({ profile, interfaces: 8 });
      const driver = driverWith();
      const result = await driver.poll(routerDevice('r1', router.port), pollContext());
      expect(result.error).toBeUndefined();
      expect(result.partErrors).toBeUndefined();
      // ether1 is the emulator's 10G uplink; ether7 (index 6) has no link: no speed, not 0.
      expect(speedOf(result, 'ether1')).toBe(10e9);
      expect(speedOf(result, 'ether7')).toBeUndefined();
      const facts = new Map(result.facts?.interfaces?.map((f) => [f.name, f]));
      expect(facts.get('ether1')?.speedBps).toBe(10e9);
      expect(facts.get('ether7')?.speedBps).toBeUndefined();
      // Every linked port has one of the rates the emulator negotiates, the same as sample and fact.
      for (const f of result.facts?.interfaces ?? []) {
        if (!f.operUp) continue;
        expect([100e6, 1e9, 2.5e9, 10e9]).toContain(f.speedBps);
        expect(speedOf(result, f.name)).toBe(f.speedBps);
      }
    });
  },
);

describe('the cost of reading speeds', () => {
  it('monitor runs once, not on every poll, and again when a link changes', async () => {
    const router = await start({ profile: 'v7.16', interfaces: 6 });
    const driver = driverWith();
    const device = routerDevice('r1', router.port);
    for (let i = 0; i < 4; i++) {
      const r = await driver.poll(device, pollContext());
      expect(r.error).toBeUndefined();
      expect(speedOf(r, 'ether1')).toBe(10e9);
    }
    expect(router.requests.get(MONITOR)).toBe(1);
    expect(router.requests.get('/interface/print')).toBe(4);

    // ether2's cable is pulled: the next poll reads the speeds of the ports still linked.
    expect(router.model.setLink('ether2', false)).toBe(true);
    const down = await driver.poll(device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(2);
    expect(speedOf(down, 'ether2')).toBeUndefined();
    expect(speedOf(down, 'ether1')).toBe(10e9);
    await driver.poll(device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(2);

    // It comes back: read again, and it has its speed again.
    router.model.setLink('ether2', true);
    const up = await driver.poll(device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(3);
    expect(speedOf(up, 'ether2')).toBeGreaterThan(0);
  });

  it('is read again after reprobeInterval and after a reconnect', async () => {
    const router = await start({ profile: 'v7.18', interfaces: 4 });
    const driver = driverWith({ reprobeInterval: 1 });
    const device = routerDevice('r1', router.port);
    await driver.poll(device, pollContext());
    await new Promise((r) => setTimeout(r, 5));
    await driver.poll(device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(2);

    const slow = driverWith();
    const other = routerDevice('r2', router.port);
    await slow.poll(other, pollContext());
    router.dropConnections();
    // The first poll after the drop finds the connection closed; the next one reconnects.
    await slow.poll(other, pollContext());
    const again = await slow.poll(other, pollContext());
    expect(again.error).toBeUndefined();
    expect(router.requests.get(MONITOR)).toBe(4);
  });

  it('a router without the ethernet menu: no speeds, no part error, not asked on every poll', async () => {
    const router = await start({ profile: 'v7.16', interfaces: 4, missingMenus: ['/interface/ethernet'] });
    const driver = driverWith();
    const device = routerDevice('r1', router.port);
    for (let i = 0; i < 3; i++) {
      const r = await driver.poll(device, pollContext());
      expect(r.error).toBeUndefined();
      expect(r.partErrors).toBeUndefined();
      expect(series(r, catalog.ifSpeed.name).size).toBe(0);
      expect(series(r, catalog.ifInOctets.name).size).toBe(4);
    }
    expect(router.requests.get(MONITOR)).toBe(1);
  });
});
