import { catalog } from '@ispmonitor/core';
import { createFakeLogger, pollDriver } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import type { ApiConnection, Row } from '../src/api/connection.js';
import type { MikrotikDriver } from '../src/driver.js';
import { MikrotikErrorCodes, mikrotikError } from '../src/errors.js';
import { newMemory, type PollScope } from '../src/parts/context.js';
import { MONITOR, portSpeeds } from '../src/parts/speeds.js';
import { SessionTracker } from '../src/sessions.js';
import { settingsSchema } from '../src/settings.js';
import { parseRate } from '../src/values.js';
import { pollContext, type RouterOsProfileName, routerDevice, series } from './support/emulator.js';
import { closingRig, pollClean } from './support/rig.js';

const rig = closingRig();
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
      const router = await rig.router({ profile, interfaces: 8 });
      const driver = rig.driver();
      const result = await pollClean(driver, routerDevice('r1', router.port));
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

/** A poll scope whose connection answers `monitor` with `reply` (or fails with it). */
function scopeWith(
  reply: Row[] | Error | ((words: readonly string[]) => Row[]),
  now = 1_000_000,
): { scope: PollScope; asked: string[][] } {
  const asked: string[][] = [];
  const conn = {
    async command(words: readonly string[]) {
      asked.push([...words]);
      if (reply instanceof Error) throw reply;
      return typeof reply === 'function' ? reply(words) : reply;
    },
  } as unknown as ApiConnection;
  const scope: PollScope = {
    device: { id: 'r1', host: '127.0.0.1', driver: 'mikrotik' },
    settings: settingsSchema.parse({ username: 'u' }),
    conn,
    memory: newMemory(3_600_000, new SessionTracker()),
    logger: createFakeLogger(),
    signal: new AbortController().signal,
    now,
    reprobeMs: 3_600_000,
    ts: now,
    samples: [],
    facts: {},
    partErrors: [],
    shared: new Map(),
  };
  return { scope, asked };
}

/** `/interface` rows as RouterOS 7.16 prints them (the fields the driver asks for). */
const IFACES: Row[] = [
  { '.id': '*1', name: 'sfp-sfpplus1', type: 'ether', running: 'true', 'link-downs': '0' },
  { '.id': '*2', name: 'ether1', type: 'ether', running: 'true', 'link-downs': '3' },
  { '.id': '*3', name: 'ether2', type: 'ether', running: 'false', 'link-downs': '1' },
  { '.id': '*4', name: 'ether3', type: 'ether', running: 'true', 'link-downs': '0' },
  { '.id': '*5', name: 'bridge1', type: 'bridge', running: 'true', 'link-downs': '0' },
  { '.id': '*6', name: 'vlan100', type: 'vlan', running: 'true', 'link-downs': '0' },
];

describe('portSpeeds on monitor replies', () => {
  it('asks only for linked ethernet ports, by .id, and reads rate; rows without a name go by order', async () => {
    // As `monitor once` prints them (MikroTik's Ethernet manual): a 2.5G copper port reports no
    // name here, as older versions did; an unknown rate is no speed, not 0.
    const { scope, asked } = scopeWith([
      { name: 'sfp-sfpplus1', status: 'link-ok', rate: '10Gbps', 'full-duplex': 'true' },
      { status: 'link-ok', 'auto-negotiation': 'done', rate: '2.5Gbps', 'full-duplex': 'true' },
      { name: 'ether3', status: 'link-ok', rate: 'unknown' },
    ]);
    const speeds = await portSpeeds(scope, IFACES);
    expect(asked).toEqual([[MONITOR, '=numbers=*1,*2,*4', '=once=']]);
    expect([...speeds]).toEqual([
      ['sfp-sfpplus1', 10e9],
      ['ether1', 2.5e9],
    ]);
    expect(scope.partErrors).toEqual([]);
  });

  it('no linked ethernet port: nothing asked', async () => {
    const { scope, asked } = scopeWith([]);
    const speeds = await portSpeeds(
      scope,
      IFACES.filter((r) => r.type !== 'ether'),
    );
    expect(speeds.size).toBe(0);
    expect(asked).toEqual([]);
  });

  it('a trap is a part error, what was known of linked ports is kept, and it is not retried until something changes', async () => {
    const { scope, asked } = scopeWith(
      mikrotikError(MikrotikErrorCodes.TRAP, `${MONITOR}: not enough permissions`),
    );
    // ether2 has lost its link since: its old speed is dropped, ether1's kept.
    scope.memory.speeds = {
      at: 0,
      key: 'old',
      byName: new Map([
        ['ether1', 1e9],
        ['ether2', 1e9],
      ]),
    };
    expect([...(await portSpeeds(scope, IFACES))]).toEqual([['ether1', 1e9]]);
    expect(scope.partErrors.map((e) => e.code)).toEqual([MikrotikErrorCodes.TRAP]);
    await portSpeeds(scope, IFACES);
    expect(asked).toHaveLength(1);
  });

  it("a closed connection is the poll's fatal error", async () => {
    const { scope } = scopeWith(mikrotikError(MikrotikErrorCodes.CLOSED, 'connection closed'));
    await portSpeeds(scope, IFACES);
    expect(scope.fatal?.code).toBe(MikrotikErrorCodes.CLOSED);
    expect(scope.partErrors).toEqual([]);
  });
});

describe('bonds', () => {
  it('LACP: the sum of the linked slaves; active-backup: the fastest; a bond without a linked slave: none', async () => {
    const rows: Row[] = [
      ...IFACES,
      { '.id': '*7', name: 'bond-lacp', type: 'bond', running: 'true' },
      { '.id': '*8', name: 'bond-ab', type: 'bond', running: 'true' },
      { '.id': '*9', name: 'bond-dark', type: 'bond', running: 'true' },
      { '.id': '*A', name: 'bond-down', type: 'bond', running: 'false' },
    ];
    const { scope, asked } = scopeWith((words) =>
      words[0] === MONITOR
        ? [
            { name: 'sfp-sfpplus1', rate: '10Gbps' },
            { name: 'ether1', rate: '1Gbps' },
            { name: 'ether3', rate: '1Gbps' },
          ]
        : [
            { name: 'bond-lacp', slaves: 'ether1,ether3,ether2', mode: '802.3ad' },
            { name: 'bond-ab', slaves: 'sfp-sfpplus1,ether1', mode: 'active-backup' },
            { name: 'bond-dark', slaves: 'ether2', mode: 'balance-xor' },
            { name: 'bond-down', slaves: 'ether3', mode: '802.3ad' },
          ],
    );
    const speeds = await portSpeeds(scope, rows);
    expect(asked[1]).toEqual(['/interface/bonding/print', '=.proplist=name,slaves,mode']);
    expect(speeds.get('bond-lacp')).toBe(2e9);
    expect(speeds.get('bond-ab')).toBe(10e9);
    expect(speeds.has('bond-dark')).toBe(false);
    expect(speeds.has('bond-down')).toBe(false);
  });

  it('an emulated router: a bond follows its slaves, and a router without bonds is not asked', async () => {
    const { router, driver, device } = await rig.setup(
      {
        profile: 'v7.16',
        interfaces: 4,
        bonds: { bond1: ['ether1', 'ether2'] },
      },
      'r1',
    );
    const first = await pollClean(driver, device);
    const both = Number(speedOf(first, 'ether1')) + Number(speedOf(first, 'ether2'));
    expect(speedOf(first, 'bond1')).toBe(both);
    expect(first.facts?.interfaces?.find((f) => f.name === 'bond1')?.speedBps).toBe(both);
    router.model.setLink('ether2', false);
    const second = await pollDriver(driver, device, pollContext());
    expect(speedOf(second, 'bond1')).toBe(10e9);
    expect(router.requests.get('/interface/bonding/print')).toBe(2);

    const plain = await rig.router({ profile: 'v7.16', interfaces: 4 });
    await pollDriver(driver, routerDevice('r2', plain.port), pollContext());
    expect(plain.requests.get('/interface/bonding/print')).toBeUndefined();
  });
});

describe('the cost of reading speeds', () => {
  it('monitor runs once, not on every poll, and again when a link changes', async () => {
    const { router, driver, device } = await rig.setup({ profile: 'v7.16', interfaces: 6 }, 'r1');
    for (let i = 0; i < 4; i++) {
      const r = await pollDriver(driver, device, pollContext());
      expect(r.error).toBeUndefined();
      expect(speedOf(r, 'ether1')).toBe(10e9);
    }
    expect(router.requests.get(MONITOR)).toBe(1);
    expect(router.requests.get('/interface/print')).toBe(4);

    // ether2's cable is pulled: the next poll reads the speeds of the ports still linked.
    expect(router.model.setLink('ether2', false)).toBe(true);
    const down = await pollDriver(driver, device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(2);
    expect(speedOf(down, 'ether2')).toBeUndefined();
    expect(speedOf(down, 'ether1')).toBe(10e9);
    await pollDriver(driver, device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(2);

    // It comes back: read again, and it has its speed again.
    router.model.setLink('ether2', true);
    const up = await pollDriver(driver, device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(3);
    expect(speedOf(up, 'ether2')).toBeGreaterThan(0);
  });

  it('is read again after reprobeInterval and after a reconnect', async () => {
    const { router, driver, device } = await rig.setup({ profile: 'v7.18', interfaces: 4 }, 'r1', {
      reprobeInterval: 1,
    });
    await pollDriver(driver, device, pollContext());
    await new Promise((r) => setTimeout(r, 5));
    await pollDriver(driver, device, pollContext());
    expect(router.requests.get(MONITOR)).toBe(2);

    const slow = rig.driver();
    const other = routerDevice('r2', router.port);
    await pollDriver(slow, other, pollContext());
    router.dropConnections();
    // The first poll after the drop finds the connection closed; the next one reconnects.
    await pollDriver(slow, other, pollContext());
    const again = await pollDriver(slow, other, pollContext());
    expect(again.error).toBeUndefined();
    expect(router.requests.get(MONITOR)).toBe(4);
  });

  it('a router without the ethernet menu: no speeds, no part error, not asked on every poll', async () => {
    const { router, driver, device } = await rig.setup(
      {
        profile: 'v7.16',
        interfaces: 4,
        missingMenus: ['/interface/ethernet'],
      },
      'r1',
    );
    for (let i = 0; i < 3; i++) {
      const r = await pollClean(driver, device);
      expect(series(r, catalog.ifSpeed.name).size).toBe(0);
      expect(series(r, catalog.ifInOctets.name).size).toBe(4);
    }
    expect(router.requests.get(MONITOR)).toBe(1);
  });
});
