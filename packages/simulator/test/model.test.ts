import { describe, expect, it } from 'vitest';
import { handleDatagram } from '../src/agent.js';
import { rateAt } from '../src/model/traffic.js';
import { PduType } from '../src/snmp/message.js';
import { served, T0 } from './support/device.js';
import { decodeResponse, request } from './support/request.js';

/** Reads one OID's value content as an unsigned big integer, at `now`. */
function read(d: ReturnType<typeof served>, oid: string, now: number): bigint {
  const out = handleDatagram(request({ oids: [oid] }), d.dev, now, d.stats);
  const hex = decodeResponse(out!.reply).varbinds[0]!.hex;
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

const MIN = 60_000;
const HOUR = 3_600_000;
const HC_IN_1 = '1.3.6.1.2.1.31.1.1.1.6.1';
const IN_32_1 = '1.3.6.1.2.1.2.2.1.10.1';
const UPTIME = '1.3.6.1.2.1.1.3.0';

describe('counters that evolve with time', () => {
  it('grow between polls, and faster at the evening peak than at night', () => {
    const d = served();
    const at = (h: number) => Date.UTC(2025, 2, 2, h);
    const night = read(d, HC_IN_1, at(4) + MIN) - read(d, HC_IN_1, at(4));
    const evening = read(d, HC_IN_1, at(21) + MIN) - read(d, HC_IN_1, at(21));
    expect(night).toBeGreaterThan(0n);
    expect(Number(evening)).toBeGreaterThan(Number(night) * 1.5);
    const curve = d.sim.interfaces[0]!.in;
    // The counter's increase over a minute matches the rate curve integrated over it.
    expect(Number(evening) / 60).toBeCloseTo(rateAt(curve, at(21) / 1000 + 30), -3);
  });

  it('the 32-bit counter is the 64-bit one modulo 2^32, so it wraps while the HC one does not', () => {
    const d = served();
    let wrapped = false;
    let prev32 = read(d, IN_32_1, T0);
    let prev64 = read(d, HC_IN_1, T0);
    // A 1 Gbit/s uplink moves 2^32 bytes in well under 10 minutes at its load.
    for (let t = T0 + MIN; t <= T0 + 30 * MIN; t += MIN) {
      const c32 = read(d, IN_32_1, t);
      const c64 = read(d, HC_IN_1, t);
      expect(c32).toBe(c64 % 2n ** 32n);
      expect(c64).toBeGreaterThan(prev64);
      if (c32 < prev32) wrapped = true;
      prev32 = c32;
      prev64 = c64;
    }
    expect(wrapped).toBe(true);
  });

  it('keeps 64-bit counters exact beyond 2^53', () => {
    const d = served();
    const base = 2n ** 60n;
    const big = served();
    Object.assign(big.sim, { counterBase: base });
    expect(read(big, HC_IN_1, T0 + MIN) - base).toBe(read(d, HC_IN_1, T0 + MIN));
  });
});

describe('reboots', () => {
  it('a scheduled reboot sets sysUpTime back to zero and counters to zero', () => {
    const d = served('mikrotik', { reboots: { atMs: [10 * MIN] } });
    const before = read(d, UPTIME, T0 + 10 * MIN - 1000);
    expect(before).toBeGreaterThan(360_000n);
    const hcBefore = read(d, HC_IN_1, T0 + 10 * MIN - 1000);
    expect(read(d, UPTIME, T0 + 10 * MIN + 5000)).toBe(500n);
    const hcAfter = read(d, HC_IN_1, T0 + 10 * MIN + 5000);
    expect(hcAfter).toBeLessThan(hcBefore);
    expect(hcAfter).toBeLessThan(10n ** 9n);
  });

  it('random reboots follow the configured rate, reproducibly', () => {
    const count = () => {
      const d = served('mikrotik', { reboots: { ratePerHour: 2 } });
      let n = 0;
      let prev = read(d, UPTIME, T0);
      for (let t = T0 + MIN; t <= T0 + 50 * HOUR; t += MIN) {
        const up = read(d, UPTIME, t);
        if (up < prev) n++;
        prev = up;
      }
      return n;
    };
    const n = count();
    expect(n).toBeGreaterThan(60);
    expect(n).toBeLessThan(140);
    expect(count()).toBe(n);
  });
});

describe('demo problems', () => {
  it('a link goes down at its time: ifOperStatus 2, no more traffic, ifLastChange set', () => {
    const d = served('mikrotik', { linkDown: [{ ifIndex: 1, atMs: 40_000 }] });
    expect(read(d, '1.3.6.1.2.1.2.2.1.8.1', T0 + 39_000)).toBe(1n);
    expect(read(d, '1.3.6.1.2.1.2.2.1.8.1', T0 + 41_000)).toBe(2n);
    expect(read(d, HC_IN_1, T0 + 5 * MIN)).toBe(read(d, HC_IN_1, T0 + 41_000));
    expect(read(d, '1.3.6.1.2.1.2.2.1.9.1', T0 + 5 * MIN)).toBe(BigInt((HOUR + 40_000) / 10));
  });

  it('a CPU spike raises hrProcessorLoad to the spike level, then ends', () => {
    const d = served('mikrotik', { cpuSpike: { atMs: 30_000, load: 98, durationMs: 5 * MIN } });
    const cpu = '1.3.6.1.2.1.25.3.3.1.2.1';
    expect(read(d, cpu, T0 + 29_000)).toBeLessThan(70n);
    expect(read(d, cpu, T0 + 31_000)).toBeGreaterThanOrEqual(95n);
    expect(read(d, cpu, T0 + 6 * MIN)).toBeLessThan(70n);
  });

  it('a device that dies later answers until then', () => {
    const d = served('mikrotik', { deadAfterMs: MIN });
    const msg = request({ oids: [UPTIME] });
    expect(handleDatagram(msg, d.dev, T0 + MIN - 1, d.stats)).not.toBeNull();
    expect(handleDatagram(msg, d.dev, T0 + MIN, d.stats)).toBeNull();
  });
});

describe('profiles', () => {
  const walk = (d: ReturnType<typeof served>) => {
    const res = decodeResponse(
      handleDatagram(request({ type: PduType.GetBulk, b: 100_000, oids: ['1.3'] }), d.dev, T0, d.stats)!
        .reply,
    );
    return res.varbinds.filter((v) => v.tag !== 0x82);
  };

  it('a MikroTik with 24 ports answers about a thousand varbinds, ifName ether1…', () => {
    const vbs = walk(served('mikrotik'));
    expect(vbs.length).toBeGreaterThan(900);
    const names = vbs
      .filter((v) => v.oid.startsWith('1.3.6.1.2.1.31.1.1.1.1.'))
      .map((v) => Buffer.from(v.hex, 'hex').toString());
    expect(names.slice(0, 2)).toEqual(['ether1', 'ether2']);
    expect(names).toContain('sfp-sfpplus1');
    expect(names).toContain('pppoe-out1');
  });

  it('Juniper has ifDescr and no counters; Linux has 32-bit counters and no HC columns', () => {
    const jx = walk(served('juniper'));
    expect(jx.some((v) => v.oid.startsWith('1.3.6.1.2.1.2.2.1.2.'))).toBe(true);
    expect(jx.some((v) => v.tag === 0x41 || v.tag === 0x46)).toBe(false);
    const lx = walk(served('linux'));
    expect(lx.some((v) => v.oid.startsWith('1.3.6.1.2.1.2.2.1.10.'))).toBe(true);
    expect(lx.some((v) => v.tag === 0x46)).toBe(false);
  });

  it('a MikroTik has one registration-table row per associated wireless client, all day long', () => {
    const d = served('mikrotik');
    for (let h = 0; h < 24; h += 3) {
      const t = Date.UTC(2025, 2, 2, h);
      const res = decodeResponse(
        handleDatagram(
          request({ type: PduType.GetBulk, b: 100, oids: ['1.3.6.1.4.1.14988.1.1.1.2.1.3'] }),
          d.dev,
          t,
          d.stats,
        )!.reply,
      );
      const rows = res.varbinds.filter((v) => v.oid.startsWith('1.3.6.1.4.1.14988.1.1.1.2.1.3.'));
      expect(BigInt(rows.length)).toBe(read(d, '1.3.6.1.4.1.14988.1.1.1.3.1.6.26', t));
      // Signals are negative dBm: the first content byte has its top bit set.
      for (const r of rows) expect(Number.parseInt(r.hex.slice(0, 2), 16)).toBeGreaterThanOrEqual(0x80);
    }
  });

  it('Cisco uses GigabitEthernet names and answers CPU from cpmCPUTotalTable', () => {
    const cs = walk(served('cisco'));
    const descr = cs
      .filter((v) => v.oid.startsWith('1.3.6.1.2.1.2.2.1.2.'))
      .map((v) => Buffer.from(v.hex, 'hex').toString());
    expect(descr).toContain('GigabitEthernet1/0/1');
    expect(cs.some((v) => v.oid === '1.3.6.1.4.1.9.9.109.1.1.1.1.8.1')).toBe(true);
  });
});
