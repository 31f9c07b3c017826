/**
 * The driver against Debian's snmpd on loopback: v2c, v3 authPriv (SHA/AES), wrong credentials,
 * and the 32-bit ifTable counters.
 */
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnmpDriver, SnmpErrorCodes } from '../src/index.js';
import { missing, type Peer, snmpdCreds, snmpdV3, startSnmpd } from './support/peers.js';
import { pollWith, sample } from './support/util.js';

const why = missing('/usr/sbin/snmpd', 'snmpd');

/** ifInOctets.<index> read directly with net-snmp. */
function rawInOctets(port: number, index: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = snmp.createSession('127.0.0.1', snmpdCreds.community, { port, version: snmp.Version2c });
    s.get([`1.3.6.1.2.1.2.2.1.10.${index}`], (err, vbs) => {
      s.close();
      if (err) reject(err);
      else resolve(((vbs ?? [])[0] as { value: number }).value);
    });
  });
}

describe.skipIf(why)(`snmpd${why ? ` (skipped: ${why})` : ''}`, () => {
  let peer: Peer;
  const base = () => ({ id: 'snmpd', host: '127.0.0.1', port: peer.port, driver: 'snmp' });
  const v3 = (extra: Record<string, unknown> = {}) => ({
    ...base(),
    snmp: { ...snmpdV3(), ...extra },
  });

  beforeAll(async () => {
    peer = await startSnmpd();
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('v2c: system, uptime and the loopback interface', async () => {
    const r = await pollWith(createSnmpDriver(), {
      ...base(),
      snmp: { version: '2c', community: snmpdCreds.community },
    });
    expect(r.error).toBeUndefined();
    expect(r.facts?.system?.vendor).toBe('net-snmp');
    expect(r.facts?.system?.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(r.facts?.interfaces?.map((i) => i.name)).toContain('lo');
    expect(sample(r, 'interface_oper_up', { ifName: 'lo' }).value).toBe(1);
    expect(sample(r, 'device_memory_total_bytes', { pool: 'ram' }).value).toBeGreaterThan(0);
  });

  it('v3 authPriv SHA/AES: the same data as v2c', async () => {
    const r = await pollWith(createSnmpDriver(), v3());
    expect(r.error).toBeUndefined();
    expect(r.facts?.interfaces?.map((i) => i.name)).toContain('lo');
    expect(typeof sample(r, 'interface_in_octets_total', { ifName: 'lo' }).value).toMatch(/number|bigint/);
  });

  it('v3 with a wrong auth password: an authentication error, no secret in it', async () => {
    const r = await pollWith(createSnmpDriver(), v3({ authKey: 'Wr0ngPassw0rd', timeout: '1s' }));
    expect(r.error?.code).toBe(SnmpErrorCodes.AUTH);
    expect(r.error?.message).toMatch(/authentication .* failed/);
    expect(r.error?.message).not.toContain('Wr0ngPassw0rd');
    expect(r.samples).toEqual([]);
  });

  it('v3 with an unknown user: an authentication error', async () => {
    const r = await pollWith(createSnmpDriver(), v3({ username: 'nobody-here', timeout: '1s' }));
    expect(r.error?.code).toBe(SnmpErrorCodes.AUTH);
    expect(r.error?.message).toMatch(/Unknown User Name/);
  });

  it('v3 with a wrong privacy password: an error, not a crash', async () => {
    const r = await pollWith(
      createSnmpDriver(),
      v3({ privKey: 'WrongPrivKey1', timeout: '500ms', retries: 0 }),
    );
    expect(r.error).toBeDefined();
    expect(r.error?.message).not.toContain('WrongPrivKey1');
  });

  it('32-bit ifTable counters when ifXTable is not visible', async () => {
    const d = createSnmpDriver();
    const lo = 1;
    const before = await rawInOctets(peer.port, lo);
    const r = await pollWith(d, { ...base(), snmp: { version: '2c', community: snmpdCreds.no64Community } });
    const after = await rawInOctets(peer.port, lo);
    expect(r.error).toBeUndefined();
    const name = r.facts?.interfaces?.find((i) => i.index === lo)?.name as string;
    const v = sample(r, 'interface_in_octets_total', { ifName: name }).value as number;
    expect(typeof v).toBe('number');
    expect(v).toBeLessThan(2 ** 32);
    // Our own requests run over lo, so the counter moves: the reading lies between two direct GETs.
    expect(v).toBeGreaterThanOrEqual(before);
    expect(v).toBeLessThanOrEqual(after);
    expect(d.memoryOf('snmpd')?.interfaces?.hcCount).toBe(0);
  });
});
