import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SnmpFleet, startSnmpAgent, startSnmpFleet } from '../src/fleet.js';
import { Client, counter64 } from './support/net-snmp.js';
import { missingTool, noSnmprec, snmprecDir, snmpTool, titled } from './support/tools.js';

const MIN = 60_000;
/** A clock tests move by hand; replies still use real timers. */
const clock = {
  t: Date.UTC(2025, 2, 1, 20),
  now: () => clock.t,
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
};

let fleet: SnmpFleet;
beforeAll(async () => {
  fleet = await startSnmpFleet({
    count: 5,
    profile: ['mikrotik', 'cisco', 'linux', 'mikrotik', 'mikrotik'],
    clock,
    seed: 7,
    faults: (i) => (i === 3 ? { dead: true } : i === 4 ? { reboots: { atMs: [10 * MIN] } } : undefined),
  });
});
afterAll(() => fleet.close());

const dev = (i: number) => fleet.devices[i]!;
const client = (i: number, version: '1' | '2c' = '2c', timeout = 2000) =>
  new Client(dev(i).host, dev(i).port, dev(i).community, { version, timeout });

const noTools = missingTool('/usr/bin/snmpbulkwalk', 'snmp');

describe.skipIf(noTools)(titled('Debian net-snmp tools against the fleet', noTools), () => {
  it('snmpbulkwalk and snmpwalk (getNext) see the same MikroTik, in strictly increasing OID order', async () => {
    const target = `${dev(0).host}:${dev(0).port}`;
    const bulk = await snmpTool('/usr/bin/snmpbulkwalk', [
      '-v2c',
      '-c',
      'public',
      '-Cr25',
      target,
      '.1.3.6.1',
    ]);
    const next = await snmpTool('/usr/bin/snmpwalk', ['-v2c', '-c', 'public', target, '.1.3.6.1']);
    expect(bulk.length).toBeGreaterThan(900);
    expect(next).toEqual(bulk);
    expect(bulk).toContain('.1.3.6.1.2.1.31.1.1.1.1.1 = STRING: "ether1"');
    expect(bulk).toContain('.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.14988.1');
    expect(bulk.some((l) => l.startsWith('.1.3.6.1.2.1.31.1.1.1.6.1 = Counter64: '))).toBe(true);
    // Past the last object the tools print endOfMibView's text; they exit non-zero on disorder.
    expect(bulk.at(-1)).toMatch(/^\.1\.3\.6\.1\.4\.1\.14988\.1\.1\.7\.9\.0 = No more variables/);
  });

  it('snmpwalk -v1 sees no Counter64 but the 32-bit counters', async () => {
    const out = await snmpTool('/usr/bin/snmpwalk', [
      '-v1',
      '-c',
      'public',
      `${dev(2).host}:${dev(2).port}`,
      '.1.3.6.1.2.1.2.2.1.10',
    ]);
    expect(out.length).toBe(25);
    expect(out.every((l) => l.includes('Counter32'))).toBe(true);
  });
});

describe('net-snmp (npm) against the fleet', () => {
  it('walks the same objects the device answers to snmpbulkwalk', async () => {
    const c = client(1);
    try {
      const vbs = await c.walk('1.3.6.1', 40);
      expect(vbs.length).toBeGreaterThan(1000);
      const descr = vbs.filter((v) => v.oid.startsWith('1.3.6.1.2.1.2.2.1.2.')).map((v) => String(v.value));
      expect(descr).toContain('GigabitEthernet1/0/24');
      expect(descr).toContain('TenGigabitEthernet1/1/2');
    } finally {
      c.close();
    }
  });

  it('sees counters increase between polls', async () => {
    const c = client(0);
    try {
      const oids = ['1.3.6.1.2.1.31.1.1.1.6.1', '1.3.6.1.2.1.31.1.1.1.10.25'];
      const first = (await c.get(oids)).map((v) => counter64(v.value));
      clock.t += MIN;
      const second = (await c.get(oids)).map((v) => counter64(v.value));
      expect(second[0]!).toBeGreaterThan(first[0]!);
      expect(second[1]!).toBeGreaterThan(first[1]!);
    } finally {
      c.close();
    }
  });

  it('sees a 32-bit counter wrap on the Linux host (no HC columns there)', async () => {
    const c = client(2);
    try {
      const oid = '1.3.6.1.2.1.2.2.1.10.2';
      let prev = Number((await c.get([oid]))[0]!.value);
      let wrapped = false;
      for (let k = 0; k < 30 && !wrapped; k++) {
        clock.t += MIN;
        const v = Number((await c.get([oid]))[0]!.value);
        if (v < prev) wrapped = true;
        prev = v;
      }
      expect(wrapped).toBe(true);
      expect((await c.get(['1.3.6.1.2.1.31.1.1.1.6.2']))[0]!.type).toBe(128);
    } finally {
      c.close();
    }
  });

  it('sees sysUpTime go back to zero at a reboot', async () => {
    const c = client(4);
    try {
      const start = fleet.devices[4]!.sim.startMs;
      clock.t = start + 10 * MIN - 2000;
      const before = Number((await c.get(['1.3.6.1.2.1.1.3.0']))[0]!.value);
      clock.t = start + 10 * MIN + 3000;
      const after = Number((await c.get(['1.3.6.1.2.1.1.3.0']))[0]!.value);
      expect(before).toBeGreaterThan(60_000);
      expect(after).toBe(300);
    } finally {
      c.close();
    }
  });

  it('a dead device never answers, and the others still do', async () => {
    const dead = client(3, '2c', 400);
    const live = client(0);
    try {
      await expect(dead.get(['1.3.6.1.2.1.1.3.0'])).rejects.toThrow(/timed out/i);
      expect(String((await live.get(['1.3.6.1.2.1.1.5.0']))[0]!.value)).toBe(dev(0).id);
    } finally {
      dead.close();
      live.close();
    }
  });

  it('garbage datagrams are counted and ignored, and the agent keeps answering', async () => {
    const before = fleet.stats().malformed;
    const sock = createSocket('udp4');
    const junk = [
      Buffer.alloc(0),
      Buffer.from('hello'),
      Buffer.from('3084ffffffff', 'hex'),
      Buffer.alloc(1400, 0x30),
    ];
    for (let i = 0; i < 200; i++)
      junk.push(Buffer.from(Array.from({ length: 1 + (i % 90) }, (_, k) => (i * 31 + k * 7) & 0xff)));
    await Promise.all(
      junk.map(
        (b) => new Promise<void>((resolve) => sock.send(b, dev(0).port, dev(0).host, () => resolve())),
      ),
    );
    sock.close();
    const c = client(0);
    try {
      expect(String((await c.get(['1.3.6.1.2.1.1.5.0']))[0]!.value)).toBe(dev(0).id);
      expect(fleet.stats().malformed - before).toBeGreaterThanOrEqual(200);
    } finally {
      c.close();
    }
  });
});

describe('real time, end to end', () => {
  it('injected latency is observed by the client', async () => {
    const agent = await startSnmpFleet({
      count: 2,
      faults: (i) => (i === 1 ? { latencyMs: 150 } : undefined),
    });
    const time = async (i: number) => {
      const d = agent.devices[i]!;
      const c = new Client(d.host, d.port, d.community);
      const t = performance.now();
      await c.get(['1.3.6.1.2.1.1.3.0']);
      c.close();
      return performance.now() - t;
    };
    try {
      // The delay is a floor (a loaded machine only adds to it); the device without one is shown
      // to be faster by the order of the answers to two requests sent together, not by a bound.
      const answered: number[] = [];
      const timed = async (i: number) => {
        const ms = await time(i);
        answered.push(i);
        return ms;
      };
      const [slow] = await Promise.all([timed(1), timed(0)]);
      expect(slow).toBeGreaterThanOrEqual(145);
      expect(answered).toEqual([0, 1]);
    } finally {
      await agent.close();
    }
  });

  it('binds distinct 127.0.1.x addresses on one port, and refuses non-loopback hosts', async () => {
    const a = await startSnmpFleet({ count: 3, addressing: 'addresses', basePort: 17_161 });
    try {
      expect(a.devices.map((d) => `${d.host}:${d.port}`)).toEqual([
        '127.0.1.1:17161',
        '127.0.1.2:17161',
        '127.0.1.3:17161',
      ]);
      const c = new Client('127.0.1.3', 17_161, 'public');
      expect(String((await c.get(['1.3.6.1.2.1.1.5.0']))[0]!.value)).toBe('sim-2');
      c.close();
    } finally {
      await a.close();
      await a.close();
    }
    await expect(startSnmpFleet({ host: '10.0.0.1' })).rejects.toThrow(/loopback/);
  });
});

describe('startSnmpAgent', () => {
  it('starts one device of a profile', async () => {
    const agent = await startSnmpAgent({ profile: 'juniper', community: 'jx' });
    const c = new Client(agent.host, agent.port, 'jx');
    try {
      expect((await c.get(['1.3.6.1.2.1.1.2.0']))[0]!.value).toBe('1.3.6.1.4.1.2636.1.1.1.2.135');
      expect(agent.profile).toBe('juniper');
    } finally {
      c.close();
      await agent.close();
    }
  });

  it.skipIf(noSnmprec)(
    titled('serves one recording under its file name as community', noSnmprec),
    async () => {
      const agent = await startSnmpAgent({ snmprec: `${snmprecDir}/junos.snmprec` });
      const c = new Client(agent.host, agent.port, 'junos');
      try {
        expect(agent.profile).toBe('snmprec:junos');
        expect(String((await c.get(['1.3.6.1.2.1.1.1.0']))[0]!.value)).toMatch(
          /^Juniper Networks, Inc. srx100h2/,
        );
      } finally {
        c.close();
        await agent.close();
      }
    },
  );
});
