/**
 * The interface cache (names, types, speeds, MACs, aliases, addresses and which interfaces have
 * 64-bit counters, kept between polls as a few arrays): what a poll emits from it, and how it
 * follows the device when the cache is refreshed — an interface renamed, removed or added,
 * counters that became 64-bit — against an agent whose tables the test changes between polls.
 * Time is a fake clock: the cache's age is set, never waited for.
 */
import type { Device, PollResult } from '@ispmonitor/core';
import { createFakeLogger, FakeClock, pollDriver } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createSnmpDriver } from '../src/index.js';
import { addressNumber, addressText, macText } from '../src/parts/interfaces.js';
import type { Value } from './support/ber.js';
import { startTableAgent, type TableAgent } from './support/table-agent.js';

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
const IPADDR = '1.3.6.1.2.1.4.20.1';
const MEDIA = '1.3.6.1.2.1.4.22.1';

const str = (value: string | Buffer): Value => ({ type: 'string', value });
const int = (value: number): Value => ({ type: 'int', value });
const c32 = (value: number): Value => ({ type: 'counter32', value });
const gauge = (value: number): Value => ({ type: 'gauge', value });
const c64 = (value: bigint): Value => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value);
  return { type: 'counter64', value: b };
};
const ip = (dotted: string): Value => ({
  type: 'raw',
  value: Buffer.from([0x40, 4, ...dotted.split('.').map(Number)]),
});

interface Port {
  index: number;
  descr?: string;
  name?: string;
  alias?: string;
  type?: number;
  mac?: Buffer;
  speed?: number;
  highSpeed?: number;
  hc?: boolean;
  inOctets?: number;
}

/** The agent's objects: the system group, ifTable/ifXTable rows, ipAddrTable and ipNetToMediaTable. */
function objects(
  ports: Port[],
  addresses: Array<[string, number, string]>,
  arp: Array<[number, string, Buffer]>,
) {
  const o = new Map<string, Value>([
    ['1.3.6.1.2.1.1.1.0', str('table agent')],
    ['1.3.6.1.2.1.1.2.0', { type: 'oid', value: '1.3.6.1.4.1.99999.1' }],
    ['1.3.6.1.2.1.1.3.0', { type: 'ticks', value: 100_000 }],
    ['1.3.6.1.2.1.1.5.0', str('r1')],
  ]);
  for (const p of ports) {
    const i = p.index;
    if (p.descr !== undefined) o.set(`${IF}.2.${i}`, str(p.descr));
    if (p.type !== undefined) o.set(`${IF}.3.${i}`, int(p.type));
    if (p.speed !== undefined) o.set(`${IF}.5.${i}`, gauge(p.speed));
    if (p.mac !== undefined) o.set(`${IF}.6.${i}`, str(p.mac));
    o.set(`${IF}.7.${i}`, int(1));
    o.set(`${IF}.8.${i}`, int(i === 2 ? 2 : 1));
    o.set(`${IF}.10.${i}`, c32(p.inOctets ?? 1000 + i));
    o.set(`${IF}.11.${i}`, c32(10 + i));
    o.set(`${IF}.16.${i}`, c32(2000 + i));
    o.set(`${IF}.17.${i}`, c32(20 + i));
    if (p.name !== undefined) o.set(`${IFX}.1.${i}`, str(p.name));
    if (p.highSpeed !== undefined) o.set(`${IFX}.15.${i}`, gauge(p.highSpeed));
    if (p.alias !== undefined) o.set(`${IFX}.18.${i}`, str(p.alias));
    if (p.hc) {
      for (const [arc, v] of [6, 7, 8, 9, 10, 11, 12, 13].map(
        (a) => [a, BigInt(a * 1_000_000 + i)] as const,
      )) {
        o.set(`${IFX}.${arc}.${i}`, c64(arc === 6 ? 2n ** 60n + BigInt(i) : v));
      }
    }
  }
  for (const [addr, ifIndex, mask] of addresses) {
    o.set(`${IPADDR}.2.${addr}`, int(ifIndex));
    o.set(`${IPADDR}.3.${addr}`, ip(mask));
  }
  for (const [ifIndex, addr, mac] of arp) {
    o.set(`${MEDIA}.2.${ifIndex}.${addr}`, str(mac));
    o.set(`${MEDIA}.4.${ifIndex}.${addr}`, int(3));
  }
  return o;
}

const mac = (last: number) => Buffer.from([0x4c, 0x5e, 0x0c, 0xab, 0xcd, last]);

/** Four ports: 7 and 3 found by ifDescr (walk order 3, 7), 5 only by ifName (so after them). */
const PORTS: Port[] = [
  { index: 3, descr: 'ether3', name: 'ether3', type: 6, mac: mac(3), speed: 100_000_000, alias: 'uplink' },
  {
    index: 7,
    descr: 'GigabitEthernet0/7',
    name: 'ether3',
    type: 6,
    mac: mac(0xf7),
    speed: 4_294_967_295,
    highSpeed: 10_000,
  },
  { index: 5, name: 'wlan1', type: 71, mac: Buffer.from('abc'), speed: 54_000_000 },
];

describe('interface cache', () => {
  let agent: TableAgent | undefined;
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
  });

  const setup = async (o: Map<string, Value>) => {
    agent = await startTableAgent(o);
    const clock = new FakeClock();
    const driver = createSnmpDriver({ clock });
    const device: Device = {
      id: 'r1',
      host: '127.0.0.1',
      port: agent.port,
      driver: 'snmp',
      snmp: { version: '2c', community: 'public', profile: 'generic', timeout: 2000, retries: 0 },
    };
    const poll = (): Promise<PollResult> =>
      pollDriver(driver, device, { signal: AbortSignal.timeout(20_000), logger: createFakeLogger() });
    return { driver, clock, poll, agent };
  };

  const values = (r: PollResult, name: string) =>
    Object.fromEntries(r.samples.filter((s) => s.name === name).map((s) => [s.labels.ifName, s.value]));

  it('emits the cached columns as they were read: names made unique, speeds, MACs, aliases, addresses, ARP names', async () => {
    const { poll, driver } = await setup(
      objects(
        PORTS,
        [
          ['10.0.0.1', 5, '255.255.255.0'],
          ['192.0.2.9', 3, '255.255.255.255'],
          ['10.9.0.1', 5, '255.255.0.0'],
          ['198.51.100.1', 99, '255.255.255.0'],
        ],
        [
          [5, '10.0.0.20', mac(0x20)],
          [7, '10.0.0.21', mac(0x21)],
          [42, '10.0.0.22', mac(0x22)],
        ],
      ),
    );
    const first = await poll();
    expect(first.error).toBeUndefined();
    const second = await poll();
    for (const r of [first, second]) {
      expect(r.facts?.interfaces).toEqual([
        {
          index: 3,
          name: 'ether3',
          alias: 'uplink',
          description: 'ether3',
          type: 'ethernetCsmacd',
          mac: '4c:5e:0c:ab:cd:03',
          speedBps: 100_000_000,
          adminUp: true,
          operUp: true,
          addresses: ['192.0.2.9/32'],
        },
        {
          index: 7,
          name: 'ether3#7',
          description: 'GigabitEthernet0/7',
          type: 'ethernetCsmacd',
          mac: '4c:5e:0c:ab:cd:f7',
          speedBps: 10_000_000_000,
          adminUp: true,
          operUp: true,
          addresses: [],
        },
        {
          index: 5,
          name: 'wlan1',
          type: 'ieee80211',
          mac: 'abc',
          speedBps: 54_000_000,
          adminUp: true,
          operUp: true,
          addresses: ['10.0.0.1/24', '10.9.0.1/16'],
        },
      ]);
      expect(values(r, 'interface_speed_bps')).toEqual({
        ether3: 100_000_000,
        'ether3#7': 10e9,
        wlan1: 54e6,
      });
      expect(values(r, 'interface_in_octets_total')).toEqual({ ether3: 1003, 'ether3#7': 1007, wlan1: 1005 });
      expect(values(r, 'interface_in_packets_total')).toEqual({ ether3: 13, 'ether3#7': 17, wlan1: 15 });
      // Interfaces named from the cache by ifIndex (positions 3, 7, 5: not in ifIndex order).
      expect(r.facts?.arp?.map((a) => a.interface)).toEqual(['wlan1', 'ether3#7', 'if42']);
    }
    const cache = driver.memoryOf('r1')?.interfaces;
    expect(cache?.size).toBe(3);
    expect(cache?.hcCount).toBe(0);
  });

  it('follows the device when the cache is refreshed: renamed, removed and added interfaces, counters that became 64-bit', async () => {
    const {
      poll,
      clock,
      agent: a,
      driver,
    } = await setup(objects(PORTS, [['10.0.0.1', 5, '255.255.255.0']], [[5, '10.0.0.20', mac(0x20)]]));
    const before = await poll();
    expect(before.facts?.interfaces?.map((f) => f.name)).toEqual(['ether3', 'ether3#7', 'wlan1']);

    // The device changes: 3 renamed, 7 removed, 9 added; every port now has 64-bit counters.
    const changed: Port[] = [
      { index: 3, descr: 'ether3', name: 'wan', type: 6, mac: mac(3), speed: 100_000_000, hc: true },
      { index: 5, name: 'wlan1', type: 71, speed: 54_000_000, hc: true },
      { index: 9, descr: 'ether9', name: 'ether9', type: 6, mac: mac(9), highSpeed: 1000, hc: true },
    ];
    a.objects = objects(changed, [['10.0.0.9', 9, '255.255.255.252']], [[9, '10.0.0.20', mac(0x20)]]);

    // Within the cache's lifetime the slow columns are not read again: names are the cached
    // ones, and the interface that is gone gives no counters (its row is missing).
    const cached = await poll();
    expect(cached.facts?.interfaces?.map((f) => f.name)).toEqual(['ether3', 'ether3#7', 'wlan1']);
    expect(values(cached, 'interface_in_octets_total')).toEqual({ ether3: 1003, wlan1: 1005 });
    expect(cached.facts?.interfaces?.[2]?.addresses).toEqual(['10.0.0.1/24']);

    await clock.advance(16 * 60_000);
    const after = await poll();
    expect(after.facts?.interfaces).toEqual([
      {
        index: 3,
        name: 'wan',
        description: 'ether3',
        type: 'ethernetCsmacd',
        mac: '4c:5e:0c:ab:cd:03',
        speedBps: 100_000_000,
        adminUp: true,
        operUp: true,
        addresses: [],
      },
      {
        index: 9,
        name: 'ether9',
        description: 'ether9',
        type: 'ethernetCsmacd',
        mac: '4c:5e:0c:ab:cd:09',
        speedBps: 1e9,
        adminUp: true,
        operUp: true,
        addresses: ['10.0.0.9/30'],
      },
      {
        index: 5,
        name: 'wlan1',
        type: 'ieee80211',
        speedBps: 54_000_000,
        adminUp: true,
        operUp: true,
        addresses: [],
      },
    ]);
    // 64-bit counters now: octets from ifHCInOctets, packets the sum of the three HC columns.
    expect(values(after, 'interface_in_octets_total')).toEqual({
      wan: 2n ** 60n + 3n,
      wlan1: 2n ** 60n + 5n,
      ether9: 2n ** 60n + 9n,
    });
    expect(values(after, 'interface_in_packets_total')).toEqual({
      wan: 7_000_003 + 8_000_003 + 9_000_003,
      wlan1: 7_000_005 + 8_000_005 + 9_000_005,
      ether9: 7_000_009 + 8_000_009 + 9_000_009,
    });
    expect(after.facts?.arp?.map((x) => x.interface)).toEqual(['ether9']);
    expect(driver.memoryOf('r1')?.interfaces?.hcCount).toBe(3);
  });

  it('routers with the same interfaces share one copy of the names and numbers; each keeps its own MACs', async () => {
    const { driver, agent: a } = await setup(objects(PORTS, [], []));
    const poll = (id: string) =>
      pollDriver(
        driver,
        {
          id,
          host: '127.0.0.1',
          port: a.port,
          driver: 'snmp',
          snmp: { version: '2c', community: 'public', profile: 'generic', timeout: 2000, retries: 0 },
        },
        { signal: AbortSignal.timeout(20_000), logger: createFakeLogger() },
      );
    const r1 = await poll('one');
    a.objects = objects(
      PORTS.map((p) => ({ ...p, mac: p.index === 3 ? mac(0x33) : p.mac })),
      [],
      [],
    );
    const r2 = await poll('two');
    a.objects = objects(
      PORTS.map((p) => ({ ...p, name: p.index === 5 ? 'wlan2' : p.name })),
      [],
      [],
    );
    const r3 = await poll('three');
    const one = driver.memoryOf('one')?.interfaces;
    const two = driver.memoryOf('two')?.interfaces;
    const three = driver.memoryOf('three')?.interfaces;
    expect(two?.names).toBe(one?.names);
    expect(two?.numbers).toBe(one?.numbers);
    expect(two?.descrs).toBe(one?.descrs);
    expect(two?.macs).not.toBe(one?.macs);
    expect(three?.names).not.toBe(one?.names);
    expect(three?.numbers).toBe(one?.numbers);
    expect(r1.facts?.interfaces?.map((f) => [f.name, f.mac])).toEqual([
      ['ether3', '4c:5e:0c:ab:cd:03'],
      ['ether3#7', '4c:5e:0c:ab:cd:f7'],
      ['wlan1', 'abc'],
    ]);
    expect(r2.facts?.interfaces?.map((f) => [f.name, f.mac])).toEqual([
      ['ether3', '4c:5e:0c:ab:cd:33'],
      ['ether3#7', '4c:5e:0c:ab:cd:f7'],
      ['wlan1', 'abc'],
    ]);
    expect(r3.facts?.interfaces?.map((f) => f.name)).toEqual(['ether3', 'ether3#7', 'wlan2']);
  });

  it('keeps MACs and addresses as numbers that give back the same text', () => {
    for (const t of ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '4c:5e:0c:ab:cd:0f', '01:23:45:67:89:ab']) {
      const n = Number.parseInt(t.replaceAll(':', ''), 16);
      expect(macText(n)).toBe(t);
    }
    for (const cidr of [
      '0.0.0.0/0',
      '255.255.255.255/32',
      '10.255.1.2/30',
      '192.168.88.1/24',
      '100.127.255.1/32',
    ]) {
      expect(addressText(addressNumber(cidr))).toBe(cidr);
    }
  });
});
