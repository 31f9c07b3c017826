/** The trap receiver (v2c and v3) and discovery, on loopback only. */

import type { TrapEvent } from '@ispmonitor/core';
import { skipTitle } from '@ispmonitor/core/testing';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover, startTrapReceiver, type TrapReceiver } from '../src/index.js';
import { missing, noSnmprec, type Peer, startSnmpsim } from './support/peers.js';

function waitFor<T>(list: T[], n: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (list.length >= n) return resolve();
      if (Date.now() > deadline) return reject(new Error(`only ${list.length} of ${n} events`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('trap receiver', () => {
  let receiver: TrapReceiver;
  const events: TrapEvent[] = [];
  beforeAll(async () => {
    receiver = await startTrapReceiver({
      port: 0,
      address: '127.0.0.1',
      community: 'trapcomm',
      users: [
        {
          username: 'trapuser',
          authProtocol: 'sha256',
          authKey: 'trapauth123',
          privProtocol: 'aes',
          privKey: 'trappriv123',
        },
      ],
      onTrap: (e) => events.push(e),
      resolveDevice: (a) => (a === '127.0.0.1' ? 'lo-router' : undefined),
    });
  });
  afterAll(async () => {
    await receiver.close();
    await receiver.close();
  });

  it('v2c linkDown is recognised and mapped to the device by source address', async () => {
    const s = snmp.createSession('127.0.0.1', 'trapcomm', {
      version: snmp.Version2c,
      trapPort: receiver.port,
    });
    await new Promise<void>((resolve, reject) =>
      (s as unknown as { trap: (...a: unknown[]) => void }).trap(
        '1.3.6.1.6.3.1.1.5.3',
        [{ oid: '1.3.6.1.2.1.2.2.1.1.7', type: snmp.ObjectType.Integer, value: 7 }],
        (err: Error | null) => (err ? reject(err) : resolve()),
      ),
    );
    s.close();
    await waitFor(events, 1);
    const e = events[0] as TrapEvent;
    expect(e.kind).toBe('linkDown');
    expect(e.device).toBe('lo-router');
    expect(e.trapOid).toBe('1.3.6.1.6.3.1.1.5.3');
    expect(e.varbinds.find((v) => v.oid === '1.3.6.1.2.1.2.2.1.1.7')?.value).toBe(7);
  });

  it('v3 authPriv coldStart is accepted; a wrong community is dropped', async () => {
    const bad = snmp.createSession('127.0.0.1', 'not-the-community', {
      version: snmp.Version2c,
      trapPort: receiver.port,
    });
    (bad as unknown as { trap: (...a: unknown[]) => void }).trap('1.3.6.1.6.3.1.1.5.4', [], () =>
      bad.close(),
    );
    const s = snmp.createV3Session(
      '127.0.0.1',
      {
        name: 'trapuser',
        level: snmp.SecurityLevel.authPriv,
        authProtocol: snmp.AuthProtocols.sha256,
        authKey: 'trapauth123',
        privProtocol: snmp.PrivProtocols.aes,
        privKey: 'trappriv123',
      },
      { version: snmp.Version3, trapPort: receiver.port },
    );
    (s as unknown as { trap: (...a: unknown[]) => void }).trap('1.3.6.1.6.3.1.1.5.1', [], () => s.close());
    await waitFor(events, 2);
    // The wrong community's trap is counted as dropped: wait for that state, not a fixed sleep.
    for (let i = 0; i < 250 && receiver.stats.dropped < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(receiver.stats.dropped).toBeGreaterThanOrEqual(1);
    expect(events.map((e) => e.kind)).toEqual(['linkDown', 'coldStart']);
  });
});

const why = noSnmprec ?? missing('/usr/bin/snmpsimd', 'snmpsim');

describe.skipIf(why)(skipTitle('discovery on 127.0.0.x', why), () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startSnmpsim(['routeros']);
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('finds the responder in 127.0.0.0/29 with bounded concurrency and progress', async () => {
    const progress: number[] = [];
    const result = await discover({
      cidr: '127.0.0.0/29',
      snmp: { version: '2c', community: 'routeros' },
      port: peer.port,
      concurrency: 2,
      timeout: '300ms',
      onProgress: (p) => progress.push(p.done),
    });
    expect(result.scanned).toBe(6);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    // snmpsim listens on 127.0.0.1 only.
    expect(result.responders.map((r) => r.address)).toEqual(['127.0.0.1']);
    const r = result.responders[0];
    expect(r?.profile).toBe('mikrotik');
    expect(r?.neighbours.length).toBeGreaterThan(0);
    expect(result.devices[0]).toMatchObject({
      host: '127.0.0.1',
      driver: 'snmp',
      port: peer.port,
      labels: { profile: 'mikrotik' },
    });
  });

  it('refuses ranges larger than a /16 unless forced', async () => {
    await expect(discover({ cidr: '127.0.0.0/8', snmp: { version: '2c', community: 'x' } })).rejects.toThrow(
      /larger than a \/16/,
    );
  });
});
