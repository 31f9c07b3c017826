/**
 * Hostile agents: whatever a peer sends, the poll resolves within its timeout with a clear
 * error, nothing is thrown out of a socket handler, and memory stays bounded. No elapsed-time
 * bound: a poll that hung would end at `pollWith`'s 10 s abort with ABORTED, which every
 * assertion on the result code (or on no error) refuses.
 */
import { createFakeLogger, pollDriver } from '@ispmonitor/core/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSnmpDriver, SnmpErrorCodes } from '../src/index.js';
import { type HostileAgent, type HostileMode, startHostileAgent } from './support/hostile.js';
import { freeUdpPort } from './support/peers.js';
import { pollWith } from './support/util.js';

const uncaught: unknown[] = [];
beforeAll(() => {
  process.on('uncaughtException', (e) => uncaught.push(e));
});

describe('hostile agents', () => {
  let agent: HostileAgent | undefined;
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
    expect(uncaught).toEqual([]);
  });

  const poll = async (mode: HostileMode, extra: Record<string, unknown> = {}) => {
    agent = await startHostileAgent(mode);
    const driver = createSnmpDriver();
    const device = {
      id: `hostile-${mode}`,
      host: '127.0.0.1',
      port: agent.port,
      driver: 'snmp',
      snmp: {
        version: '2c',
        community: 'public-test',
        timeout: 300,
        retries: 1,
        profile: 'generic',
        ...extra,
      },
    };
    const result = await pollWith(driver, device, 10_000);
    return { result, driver, device };
  };

  it('silence: a timeout error after timeout × tries, not a hang', async () => {
    const { result } = await poll('silent');
    expect(result.error?.code).toBe(SnmpErrorCodes.TIMEOUT);
    expect(result.error?.message).toMatch(/no answer from 127\.0\.0\.1:\d+ within 300 ms \(2 tries\)/);
    // Timeout × tries: the request and one retry, then the driver's own timeout, not the abort.
    expect(agent?.received.length).toBe(2);
  });

  it('wrong request ids are ignored: timeout', async () => {
    const { result } = await poll('wrong-request-id');
    expect(result.error?.code).toBe(SnmpErrorCodes.TIMEOUT);
  });

  it('garbage BER: no crash, timeout error', async () => {
    const { result } = await poll('garbage');
    expect(result.error?.code).toBe(SnmpErrorCodes.TIMEOUT);
  });

  it('truncated BER: no crash, a bad-response error', async () => {
    const { result } = await poll('truncated');
    expect(result.error?.code).toBe(SnmpErrorCodes.BAD_RESPONSE);
    expect(result.error?.message).toMatch(/sent (an invalid response|a message that does not decode)/);
  });

  it('an undefined value type: no crash, a clear error', async () => {
    const { result } = await poll('unknown-type');
    expect(result.error).toBeDefined();
    expect([SnmpErrorCodes.TIMEOUT, SnmpErrorCodes.BAD_RESPONSE]).toContain(result.error?.code);
  });

  it('a giant OCTET STRING is cut to 1 KiB and memory stays bounded', async () => {
    const before = process.memoryUsage().heapUsed;
    const { result } = await poll('giant-string');
    expect(result.error).toBeUndefined();
    expect(result.facts?.system?.description?.length).toBe(1024);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('wrong types: values that are not what the MIB says are skipped, the poll succeeds', async () => {
    const { result } = await poll('wrong-types');
    expect(result.error).toBeUndefined();
    expect(result.facts?.system?.uptimeSeconds).toBeUndefined();
    expect(result.facts?.system?.objectId).toBeUndefined();
    expect(result.samples.every((s) => typeof s.value === 'number' || typeof s.value === 'bigint')).toBe(
      true,
    );
  });

  it('non-increasing OIDs are cut off with a part error; the poll ends', async () => {
    const { result } = await poll('non-increasing');
    expect(result.error).toBeUndefined();
    expect(
      result.partErrors?.some((p) => p.code === SnmpErrorCodes.NOT_INCREASING && p.part === 'ifTable'),
    ).toBe(true);
  });

  it('an endless table is cut off at maxRows with a part error; memory bounded', async () => {
    const before = process.memoryUsage().heapUsed;
    const { result } = await poll('endless', { maxRows: 2000 });
    expect(result.error).toBeUndefined();
    const cut = result.partErrors?.find((p) => p.code === SnmpErrorCodes.TABLE_TOO_LONG);
    expect(cut?.part).toBe('ifTable');
    expect(cut?.message).toMatch(/after 2000 rows/);
    expect(result.facts?.interfaces?.length).toBe(2000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(128 * 1024 * 1024);
  });

  it('tooBig: max-repetitions backs off and the learned value is kept for the next poll', async () => {
    const { result, driver, device } = await poll('too-big', { maxRepetitions: 40 });
    expect(result.error).toBeUndefined();
    expect(result.facts?.interfaces?.length).toBe(20);
    const learned = driver.memoryOf(device.id)?.bulk.maxRepetitions as number;
    expect(learned).toBeLessThanOrEqual(5);
    expect(learned).toBeGreaterThan(1);
    const bulkBefore = agent?.received.filter((r) => r.pduType === 0xa5).length as number;
    const tooBigBefore = agent?.received.filter((r) => r.pduType === 0xa5 && r.maxRepetitions > 5)
      .length as number;
    await pollWith(driver, device);
    const bulkAfter = agent?.received.filter((r) => r.pduType === 0xa5) ?? [];
    // The second poll starts at the learned value: no request above it.
    expect(bulkAfter.filter((r) => r.maxRepetitions > 5).length).toBe(tooBigBefore);
    expect(bulkAfter.length).toBeGreaterThan(bulkBefore);
  });

  it('an abort ends the poll at once and closes the session', async () => {
    agent = await startHostileAgent('silent');
    const driver = createSnmpDriver();
    const ac = new AbortController();
    const pending = pollDriver(
      driver,
      {
        id: 'abort',
        host: '127.0.0.1',
        port: agent.port,
        driver: 'snmp',
        snmp: { version: '2c', community: 'x', timeout: '5s', retries: 3 },
      },
      {
        signal: ac.signal,
        logger: createFakeLogger(),
      },
    );
    // Aborted once the first request is out: the poll ends then, before its 5 s timeout sends a retry.
    const hostile = agent;
    await vi.waitFor(() => expect(hostile.received.length).toBeGreaterThan(0), { timeout: 10_000 });
    ac.abort(new Error('poll timeout'));
    const result = await pending;
    expect(result.error?.code).toBe(SnmpErrorCodes.ABORTED);
    expect(hostile.received.length).toBe(1);
  });
  it('a closed port (ICMP port unreachable on the connected socket): a timeout after every try, no crash', async () => {
    // A port nothing listens on: the kernel answers each request with port-unreachable, which a
    // connected UDP socket reports as ECONNREFUSED. The device is "not answering", as before.
    const port = await freeUdpPort();
    const driver = createSnmpDriver();
    const result = await pollWith(
      driver,
      {
        id: 'closed-port',
        host: '127.0.0.1',
        port,
        driver: 'snmp',
        snmp: { version: '2c', community: 'x', timeout: 200, retries: 2, profile: 'generic' },
      },
      10_000,
    );
    expect(result.error?.code).toBe(SnmpErrorCodes.TIMEOUT);
    expect(result.error?.message).toMatch(/within 200 ms \(3 tries\)/);
  });
});
