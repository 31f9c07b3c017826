import { catalog } from '@ispmonitor/core';
import { pollDriver } from '@ispmonitor/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { SessionChange } from '../src/sessions.js';
import { pollContext, type RouterOsProfileName, routerDevice, series } from './support/emulator.js';
import { closingRig, pollClean } from './support/rig.js';

const rig = closingRig();

const FULL = {
  interfaces: 6,
  pppSessions: 40,
  leases: 30,
  wirelessClients: 5,
  queues: 3,
  bgpPeers: 2,
  neighbours: 2,
};

describe.each<[RouterOsProfileName, string, string]>([
  ['v6', '/routing/bgp/peer', '/interface/wireless/registration-table'],
  ['v7.10', '/routing/bgp/session', '/interface/wifiwave2/registration-table'],
  ['v7.16', '/routing/bgp/session', '/interface/wifi/registration-table'],
  ['v7.18', '/routing/bgp/session', '/interface/wifi/registration-table'],
])('a RouterOS %s router', (profile, bgpPath, wifiPath) => {
  it('is polled for every collection with catalogue names, through the right menus', async () => {
    const router = await rig.router({ profile, ...FULL });
    const driver = rig.driver();
    const result = await pollClean(driver, routerDevice('r1', router.port));
    const names = new Set(result.samples.map((s) => s.name));
    for (const m of [
      catalog.deviceUptime,
      catalog.deviceCpuLoad,
      catalog.deviceMemoryUsed,
      catalog.deviceMemoryTotal,
      catalog.deviceTemperature,
      catalog.deviceVoltage,
      catalog.ifInOctets,
      catalog.ifOutOctets,
      catalog.ifInErrors,
      catalog.ifOutDiscards,
      catalog.ifOperUp,
      catalog.ifAdminUp,
      catalog.ifLinkDowns,
      catalog.pppoeSessions,
      catalog.dhcpLeases,
      catalog.wirelessClients,
      catalog.wirelessSignal,
      catalog.queueBytes,
      catalog.bgpPeerUp,
    ]) {
      expect(names, m.name).toContain(m.name);
    }
    for (const s of result.samples) expect(s.labels.device).toBe('r1');
    // Values match what the router answered (read straight from the emulator's model).
    const ppp = series(result, catalog.pppoeSessions.name).get(JSON.stringify({ service: 'pppoe' }));
    expect(ppp).toBe(result.facts?.pppoeSessions?.length);
    expect(Number(ppp)).toBeGreaterThan(20);
    const bound = result.facts?.dhcpLeases?.filter((l) => l.status === 'bound').length ?? 0;
    const perServer = [...series(result, catalog.dhcpLeases.name).values()].reduce(
      (a, b) => Number(a) + Number(b),
      0,
    );
    expect(perServer).toBe(bound);
    expect(series(result, catalog.bgpPeerUp.name)).toEqual(
      new Map([
        [JSON.stringify({ peer: '10.255.0.1' }), 1],
        [JSON.stringify({ peer: '10.255.0.2' }), 0],
      ]),
    );
    const cpu = series(result, catalog.deviceCpuLoad.name).get(JSON.stringify({ cpu: 'total' }));
    expect(Number(cpu)).toBeGreaterThanOrEqual(0);
    expect(Number(cpu)).toBeLessThanOrEqual(1);
    expect(result.facts?.system?.version).toBe(router.model.profile.version);
    expect(result.facts?.interfaces?.map((i) => i.name)).toEqual(router.model.interfaceNames);
    // Addresses from /ip/address and /ipv6/address (link-local left out), on their interfaces.
    const ether1 = result.facts?.interfaces?.find((i) => i.name === 'ether1');
    expect(ether1?.addresses).toEqual(['172.16.0.1/30', '172.28.0.1/32', '2001:db8:0:1::1/64']);
    expect(result.facts?.interfaces?.find((i) => i.name === 'ether2')?.addresses).toEqual([]);
    // Clients roam between the emulated fleet's routers: check the list against the counts.
    const clients = result.facts?.wirelessClients ?? [];
    const counted = [...series(result, catalog.wirelessClients.name).values()].reduce<number>(
      (a, n) => a + Number(n),
      0,
    );
    expect(clients.length).toBe(counted);
    expect(clients.length).toBeLessThanOrEqual(5);
    for (const c of result.facts?.wirelessClients ?? []) {
      expect(c.signalDbm).toBeLessThan(-40);
      expect(c.txRateBps).toBeGreaterThan(1e6);
    }
    expect(result.facts?.neighbours?.map((n) => n.protocol)).toEqual(
      profile === 'v6' ? ['mndp', 'other'] : ['mndp', 'cdp'],
    );
    expect(router.requests.get(`${bgpPath}/print`)).toBe(1);
    expect(router.requests.get(`${wifiPath}/print`)).toBe(1);
  });
});

describe('menus a router lacks', () => {
  it('are skipped and remembered, re-probed after reconnect, and never stop the poll', async () => {
    // A CCR-like 7.18 router: no wireless package, no BGP peers, no queues (empty tables answer !empty).
    const { router, driver, device } = await rig.setup(
      { profile: 'v7.18', interfaces: 4, wirelessClients: 0, queues: 0 },
      'ccr',
    );
    for (let i = 0; i < 3; i++) {
      const r = await pollClean(driver, device);
      expect(r.samples.some((s) => s.name === catalog.ifInOctets.name)).toBe(true);
      expect(series(r, catalog.queueBytes.name).size).toBe(0);
    }
    // The package list says no wifi: the menu is never asked for.
    expect(router.requests.get('/interface/wifi/registration-table/print')).toBeUndefined();
    expect(router.requests.get('/system/package/print')).toBe(1);
    router.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    const after = await pollDriver(driver, device, pollContext());
    expect(after.error).toBeUndefined();
    expect(router.requests.get('/system/package/print')).toBe(2);
  });

  it('a menu answering "no such command" is asked once, not every poll', async () => {
    // A v6 router without the routing package has no /routing/bgp/peer; this one also lacks queues.
    const { router, driver, device } = await rig.setup(
      {
        profile: 'v6',
        interfaces: 2,
        bgpPeers: 0,
        missingMenus: ['/queue/simple'],
      },
      'r',
    );
    for (let i = 0; i < 3; i++) {
      const r = await pollClean(driver, device);
      expect(r.samples.some((s) => s.name === catalog.ifInOctets.name)).toBe(true);
    }
    expect(router.requests.get('/routing/bgp/peer/print')).toBe(1);
    expect(router.requests.get('/queue/simple/print')).toBe(1);
    expect(router.requests.get('/interface/print')).toBe(3);
  });

  it('is asked again after the re-probe interval (fake Date, real sockets)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
      const router = await rig.router({ profile: 'v7.16', interfaces: 2, missingMenus: ['/queue/simple'] });
      const driver = rig.driver({ reprobeInterval: '1h' });
      const device = routerDevice('r', router.port, { collect: ['system', 'queues'] });
      await pollDriver(driver, device, pollContext());
      vi.setSystemTime(new Date('2026-01-01T00:59:00Z'));
      await pollDriver(driver, device, pollContext());
      expect(router.requests.get('/queue/simple/print')).toBe(1);
      expect(router.requests.get('/system/package/print')).toBe(1);
      vi.setSystemTime(new Date('2026-01-01T01:00:01Z'));
      await pollDriver(driver, device, pollContext());
      expect(router.requests.get('/queue/simple/print')).toBe(2);
      expect(router.requests.get('/system/package/print')).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('PPPoE sessions', () => {
  it('appear and vanish between polls and are reported once each', async () => {
    let now = 1_700_000_000_000;
    const router = await rig.router({
      profile: 'v7.16',
      pppSessions: 200,
      sessionLifetimeSeconds: 60,
      now: () => now,
    });
    const changes: SessionChange[] = [];
    const driver = rig.driver({ onSessionChange: (c) => changes.push(c) });
    const device = routerDevice('bras', router.port, { collect: ['ppp'] });
    const first = await pollDriver(driver, device, pollContext());
    expect(changes).toHaveLength(0);
    now += 20_000;
    const second = await pollDriver(driver, device, pollContext());
    expect(changes).toHaveLength(1);
    const change = changes[0] as SessionChange;
    expect(change.appeared.length + change.vanished.length).toBeGreaterThan(0);
    const before = new Set(first.facts?.pppoeSessions?.map((s) => `${s.user}|${(s as { id?: string }).id}`));
    const after = new Set(second.facts?.pppoeSessions?.map((s) => `${s.user}|${(s as { id?: string }).id}`));
    expect(
      change.appeared.every((s) => !before.has(`${s.user}|${s.id}`) && after.has(`${s.user}|${s.id}`)),
    ).toBe(true);
    expect(
      change.vanished.every((s) => before.has(`${s.user}|${s.id}`) && !after.has(`${s.user}|${s.id}`)),
    ).toBe(true);
    expect(before.size + change.appeared.length - change.vanished.length).toBe(after.size);
    await pollDriver(driver, device, pollContext());
    expect(changes).toHaveLength(1);
  });
});

describe('login', () => {
  it('answers the pre-6.43 MD5 challenge', async () => {
    const router = await rig.router({ profile: 'v6', legacyLogin: true, password: 's3cret' });
    const driver = rig.driver();
    const r = await pollDriver(
      driver,
      routerDevice('old', router.port, { password: 's3cret', collect: ['system'] }),
      pollContext(),
    );
    expect(r.error).toBeUndefined();
    expect(r.facts?.system?.version).toMatch(/^6\./);
    expect(router.requests.get('/login')).toBe(2);
  });
});
