/**
 * The subscriber sources end to end against the RouterOS emulator: sessions with their dynamic
 * interface and bytes (from the poll's `/interface` read, or a `?type=` query when interfaces are
 * not collected), leases with expiry, ARP bindings, SSIDs on v6 (from `/interface/wireless`, read
 * once) and v7 (in the rows); session interfaces kept out of the interface series by default.
 */
import { catalog } from '@ispmonitor/core';
import { pollDriver } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { pollContext, routerDevice, series } from './support/emulator.js';
import { closingRig, pollClean } from './support/rig.js';

const rig = closingRig();
const setup = async (profile: 'v6' | 'v7.16', extra: Record<string, unknown> = {}) => {
  const router = await rig.router({
    profile,
    pppSessions: 60,
    leases: 30,
    wirelessClients: 8,
    ...extra,
  });
  const driver = rig.driver();
  return { router, driver };
};

describe('subscriber facts from an emulated BNG', () => {
  it('sessions carry <pppoe-USER> and its bytes; those interfaces are no interface series by default', async () => {
    const { router, driver } = await setup('v7.16');
    const r = await pollClean(driver, routerDevice('bng', router.port));
    const sessions = r.facts?.pppoeSessions ?? [];
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) {
      expect(s.interface).toBe(`<pppoe-${s.user}>`);
      expect(typeof s.bytesIn === 'number' || typeof s.bytesIn === 'bigint').toBe(true);
      expect(typeof s.bytesOut === 'number' || typeof s.bytesOut === 'bigint').toBe(true);
      expect(s.callerId).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    }
    expect(r.facts?.interfaces?.some((i) => i.type === 'pppoe-in')).toBe(false);
    const ifNames = [...series(r, catalog.ifInOctets.name).keys()].map((k) => JSON.parse(k).ifName as string);
    expect(ifNames.some((n) => n.startsWith('<pppoe-'))).toBe(false);
    // One /interface read served both the interface counters and the session bytes.
    expect(router.requests.get('/interface/print')).toBe(1);

    const all = rig.driver();
    const withIfs = await pollDriver(
      all,
      routerDevice('bng', router.port, { sessionInterfaces: true }),
      pollContext(),
    );
    expect(withIfs.facts?.interfaces?.filter((i) => i.type === 'pppoe-in').length).toBeGreaterThan(0);
  });

  it('without the interfaces collection, only the session interfaces are asked for', async () => {
    const { router, driver } = await setup('v7.16');
    const r = await pollDriver(driver, routerDevice('bng', router.port, { collect: ['ppp'] }), pollContext());
    expect(r.error).toBeUndefined();
    const sessions = r.facts?.pppoeSessions ?? [];
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.bytesIn !== undefined && s.interface !== undefined)).toBe(true);
    expect(r.facts?.interfaces).toBeUndefined();
  });

  it('leases with expiry, ARP bindings', async () => {
    const { router, driver } = await setup('v7.16');
    const r = await pollClean(driver, routerDevice('bng', router.port, { collect: ['dhcp', 'arp'] }));
    const bound = (r.facts?.dhcpLeases ?? []).filter((l) => l.status === 'bound');
    expect(bound.length).toBeGreaterThan(0);
    for (const l of bound) expect(l.expiresAfterSeconds).toBeGreaterThan(0);
    const arp = r.facts?.arp ?? [];
    expect(arp.length).toBeGreaterThan(0);
    for (const a of arp) {
      expect(a.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(a.type).toBe('dynamic');
    }
    // The emulated router has no /ipv6/neighbor: that is remembered, not an error.
    const again = await pollDriver(
      driver,
      routerDevice('bng', router.port, { collect: ['arp'] }),
      pollContext(),
    );
    expect(again.facts?.arp?.length).toBeGreaterThan(0);
  });

  it('v6: the SSID comes from /interface/wireless, read once per router', async () => {
    const { router, driver } = await setup('v6', { wirelessClients: 40 });
    const device = routerDevice('ap', router.port, { collect: ['system', 'wireless'] });
    let withClients = 0;
    for (let i = 0; i < 3; i++) {
      const r = await pollDriver(driver, device, pollContext());
      expect(r.error).toBeUndefined();
      const clients = r.facts?.wirelessClients ?? [];
      if (clients.length > 0) withClients++;
      for (const c of clients) expect(c.ssid).toMatch(/^isp-wifi/);
    }
    expect(withClients).toBeGreaterThan(0);
    expect(router.requests.get('/interface/wireless/print')).toBe(1);
  });

  it('v7: the SSID is in the wifi registration rows', async () => {
    const { router, driver } = await setup('v7.16', { wirelessClients: 40 });
    const r = await pollDriver(
      driver,
      routerDevice('ap', router.port, { collect: ['system', 'wireless'] }),
      pollContext(),
    );
    const clients = r.facts?.wirelessClients ?? [];
    expect(clients.length).toBeGreaterThan(0);
    for (const c of clients) expect(c.ssid).toMatch(/^isp-wifi/);
    expect(router.requests.get('/interface/wireless/print')).toBeUndefined();
  });
});
