/**
 * The emulator's replies against the real RouterOS 7.16 replies in ../shared/data/routeros:
 * same attribute names, and each value in the same format as the captured one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipTitle } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/shared-data.js';
import {
  type RouterOsEmulatorOptions,
  startRouterOsEmulator,
  startRouterOsFleet,
} from '../src/routeros/index.js';
import { attrs, emulatedRouters, rawClient } from './support/routeros-client.js';

const { path: dataDir, absent } = sharedData('routeros');
const capture = (f: string): Array<Record<string, string>> => {
  const j = JSON.parse(readFileSync(join(dataDir, f), 'utf8'));
  return (Array.isArray(j) ? j : [j]).filter((r: object) => Object.keys(r).length > 0);
};

/** The format class of a RouterOS value, so "1w1h10m14s" and "3d4h" compare equal. */
function formatOf(v: string): string {
  if (v === '') return 'empty';
  if (v === 'true' || v === 'false') return 'bool';
  if (/^\*[0-9A-F]+$/.test(v)) return 'id';
  if (/^\d+$/.test(v)) return 'int';
  if (/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/.test(v)) return 'mac';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) return 'ipv4';
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(v)) return 'datetime';
  if (/^(\d+[wdhms])+$/.test(v)) return 'duration';
  if (/^\d+\.\d+(\.\d+)? \(\w+\)$/.test(v)) return 'version';
  if (/^1:[0-9a-f:]+$/.test(v)) return 'client-id';
  return 'text';
}

const started = emulatedRouters();
async function rows(path: string, options: RouterOsEmulatorOptions) {
  const { c } = await started(options, { login: true });
  return (await c.run([`${path}/print`])).filter((w) => w[0] === '!re').map(attrs);
}

function compare(real: Array<Record<string, string>>, ours: Array<Record<string, string>>) {
  const realNames = new Set(real.flatMap(Object.keys));
  const ourNames = new Set(ours.flatMap(Object.keys));
  expect([...ourNames].sort()).toEqual([...realNames].sort());
  const formats = (set: Array<Record<string, string>>) => {
    const m = new Map<string, Set<string>>();
    for (const r of set)
      for (const [k, v] of Object.entries(r)) m.set(k, (m.get(k) ?? new Set()).add(formatOf(v)));
    return m;
  };
  const realF = formats(real);
  const ourF = formats(ours);
  for (const [k, f] of ourF) {
    const allowed = realF.get(k) ?? new Set();
    // An empty string is allowed where the capture had text (comments, host names).
    for (const x of f) {
      expect(
        allowed.has(x) || (x === 'text' && allowed.has('empty')) || (x === 'empty' && allowed.has('text')),
        `${k}: ${x} vs ${[...allowed]}`,
      ).toBe(true);
    }
  }
}

describe.skipIf(absent)(skipTitle('replies match the captured RouterOS 7.16 replies', absent), () => {
  it('/interface', async () => {
    compare(
      capture('telegraf_interface.json'),
      await rows('/interface', { profile: 'v7.16', interfaces: 6 }),
    );
  });
  it('/ip/dhcp-server/lease (bound leases)', async () => {
    const ours = (await rows('/ip/dhcp-server/lease', { profile: 'v7.16', leases: 40 })).filter(
      (r) => r.status === 'bound',
    );
    expect(ours.length).toBeGreaterThan(20);
    compare(capture('telegraf_ip_dhcp_server_lease.json'), ours);
  });
  it('/system/resource', async () => {
    compare(capture('telegraf_system_resource.json'), await rows('/system/resource', { profile: 'v7.16' }));
  });
});

describe('state that evolves', () => {
  it('counters grow with time, PPPoE sessions come and go, leases change state', async () => {
    let now = 1_700_000_000_000;
    const opts = {
      profile: 'v7.16' as const,
      interfaces: 3,
      pppSessions: 300,
      sessionLifetimeSeconds: 120,
      leases: 200,
      now: () => now,
    };
    const { c } = await started(opts, { login: true });
    const read = async (path: string) =>
      (await c.run([`${path}/print`])).filter((w) => w[0] === '!re').map(attrs);
    const if1 = await read('/interface');
    const ppp1 = await read('/ppp/active');
    const lease1 = await read('/ip/dhcp-server/lease');
    now += 900_000;
    const if2 = await read('/interface');
    const ppp2 = await read('/ppp/active');
    const lease2 = await read('/ip/dhcp-server/lease');
    expect(Number(if2[0]?.['rx-byte'])).toBeGreaterThan(Number(if1[0]?.['rx-byte']));
    expect(Number(if2[0]?.['tx-packet'])).toBeGreaterThan(Number(if1[0]?.['tx-packet']));
    expect(ppp1.length).toBeGreaterThan(200);
    expect(ppp1.length).toBeLessThan(300);
    const ids1 = new Set(ppp1.map((s) => s['.id']));
    const ids2 = new Set(ppp2.map((s) => s['.id']));
    expect([...ids2].filter((i) => !ids1.has(i)).length).toBeGreaterThan(0);
    expect([...ids1].filter((i) => !ids2.has(i)).length).toBeGreaterThan(0);
    const status = (l: typeof lease1) => l.map((x) => x.status).join();
    expect(status(lease2)).not.toBe(status(lease1));
  });
});

describe('fleet', () => {
  it('serves many routers from one process, one port each, with per-router overrides', async () => {
    const fleet = await startRouterOsFleet({
      count: 30,
      interfaces: 2,
      override: (i) => (i === 3 ? { profile: 'v6' } : {}),
    });
    try {
      expect(new Set(fleet.ports).size).toBe(30);
      const versions = await Promise.all(
        fleet.ports.map(async (port) => {
          const c = await rawClient(port);
          try {
            await c.run(['/login', '=name=admin', '=password=']);
            const id = attrs((await c.run(['/system/identity/print']))[0] as string[]).name;
            const version = attrs(
              (await c.run(['/system/resource/print', '=.proplist=version']))[0] as string[],
            ).version;
            return `${id} ${version}`;
          } finally {
            c.close();
          }
        }),
      );
      expect(versions[0]).toBe('router-1 7.16 (stable)');
      expect(versions[3]).toBe('router-4 6.49.10 (long-term)');
    } finally {
      await fleet.close();
    }
  });

  it('listens on loopback only', async () => {
    await expect(startRouterOsEmulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });
});
