/**
 * SNMPv3 engine ID, boots and time cached per device (#19 point 4), against Debian's snmpd: after
 * the first poll a v3 poll sends as many datagrams as a v2c poll of the same agent, and stale
 * state (an agent that rebooted, a replaced agent, a clock far off) is discovered again within
 * the same poll, which still succeeds.
 */
import type { Device } from '@ispmonitor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineState } from '../src/engine-cache.js';
import { createSnmpDriver, type SnmpDriver } from '../src/index.js';
import type { DeviceMemory } from '../src/parts/context.js';
import { missing, type Peer, snmpdCreds, snmpdV3, startSnmpd } from './support/peers.js';
import { pollWith } from './support/util.js';

const why = missing('/usr/sbin/snmpd', 'snmpd');

describe.skipIf(why)(`SNMPv3 engine cache against snmpd${why ? ` (skipped: ${why})` : ''}`, () => {
  let peer: Peer;
  const v2c = () => ({
    id: 'v2c',
    host: '127.0.0.1',
    port: peer.port,
    driver: 'snmp',
    snmp: { version: '2c', community: snmpdCreds.community },
  });
  const v3 = () => ({
    id: 'v3',
    host: '127.0.0.1',
    port: peer.port,
    driver: 'snmp',
    snmp: snmpdV3(),
  });

  /** Polls once and returns the datagrams that poll sent; fails on a poll error. */
  async function roundTrips(driver: SnmpDriver, device: Device): Promise<number> {
    const before = driver.stats.datagrams;
    const r = await pollWith(driver, device);
    expect(r.error).toBeUndefined();
    return driver.stats.datagrams - before;
  }

  /** Replaces the cached engine state of a device, as a test's way to make it stale. */
  function tamper(driver: SnmpDriver, id: string, change: (e: EngineState) => Partial<EngineState>): void {
    const memory = driver.memoryOf(id) as DeviceMemory;
    const engine = memory.engine as EngineState;
    expect(engine).toBeDefined();
    memory.engine = { ...engine, ...change(engine) };
  }

  let v2cDriver: SnmpDriver;
  let v3Driver: SnmpDriver;
  let v2cSteady: number;

  beforeAll(async () => {
    peer = await startSnmpd();
    v2cDriver = createSnmpDriver();
    v3Driver = createSnmpDriver();
    // Two polls each: the second poll of either version sizes its walks from the first.
    await roundTrips(v2cDriver, v2c());
    v2cSteady = await roundTrips(v2cDriver, v2c());
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('the first v3 poll discovers the engine; later polls send as many datagrams as v2c', async () => {
    const first = await roundTrips(v3Driver, v3());
    const engine = v3Driver.memoryOf('v3')?.engine;
    expect(engine?.engineID.length).toBeGreaterThan(0);
    expect(engine?.boots).toBeGreaterThanOrEqual(1);
    const second = await roundTrips(v3Driver, v3());
    const third = await roundTrips(v3Driver, v3());
    expect(second).toBe(v2cSteady);
    expect(third).toBe(v2cSteady);
    // The first poll paid for discovery (one round trip) on top of sizing its walks like v2c's first.
    expect(first).toBeGreaterThan(second);
    // v2c never learns engine state.
    expect(v2cDriver.memoryOf('v2c')?.engine).toBeUndefined();
  });

  it('an agent that rebooted since (higher boots): its notInTimeWindow report resynchronises the poll', async () => {
    await roundTrips(v3Driver, v3());
    tamper(v3Driver, 'v3', (e) => ({ boots: e.boots - 1 }));
    const resync = await roundTrips(v3Driver, v3());
    expect(resync).toBeGreaterThan(v2cSteady);
    expect(await roundTrips(v3Driver, v3())).toBe(v2cSteady);
  });

  it('a cached time far ahead of the agent (outside its 150 s window): resynchronised, the poll succeeds', async () => {
    tamper(v3Driver, 'v3', (e) => ({ time: e.time + 10_000 }));
    expect(await roundTrips(v3Driver, v3())).toBeGreaterThan(v2cSteady);
    expect(await roundTrips(v3Driver, v3())).toBe(v2cSteady);
  });

  it('cached boots ahead of the agent (state of another agent): discovered again, the poll succeeds', async () => {
    tamper(v3Driver, 'v3', (e) => ({ boots: e.boots + 5 }));
    expect(await roundTrips(v3Driver, v3())).toBeGreaterThan(v2cSteady);
    expect(await roundTrips(v3Driver, v3())).toBe(v2cSteady);
  });

  it('an unknown engine ID (the agent was replaced): its unknownEngineID report leads to discovery', async () => {
    tamper(v3Driver, 'v3', () => ({ engineID: Buffer.from('80001f8880deadbeefdeadbeef', 'hex') }));
    expect(await roundTrips(v3Driver, v3())).toBeGreaterThan(v2cSteady);
    const engine = v3Driver.memoryOf('v3')?.engine;
    expect(engine?.engineID.toString('hex')).not.toBe('80001f8880deadbeefdeadbeef');
    expect(await roundTrips(v3Driver, v3())).toBe(v2cSteady);
  });

  it('state learned for one user is not used for another on the same agent', async () => {
    const other = { ...v3(), snmp: { ...v3().snmp, username: 'nobody-here', timeout: '1s', retries: 0 } };
    const r = await pollWith(v3Driver, { ...other, id: 'v3' });
    expect(r.error?.code).toBe('SNMP_AUTH_FAILED');
    // The failed user left nothing cached, and the right user starts with discovery again.
    expect(v3Driver.memoryOf('v3')?.engine).toBeUndefined();
    expect(await roundTrips(v3Driver, v3())).toBeGreaterThan(v2cSteady);
  });
});
