import { describe, expect, it } from 'vitest';
import { handleDatagram } from '../src/agent.js';
import { ErrorStatus, PduType } from '../src/snmp/message.js';
import { served, T0 } from './support/device.js';
import { decodeResponse, request } from './support/request.js';

const IF_DESCR = '1.3.6.1.2.1.2.2.1.2';
const HC_IN = '1.3.6.1.2.1.31.1.1.1.6';

function ask(req: Parameters<typeof request>[0], maxMessageSize?: number, faults = {}) {
  const { dev, stats } = served('mikrotik', faults);
  const out = handleDatagram(request(req), dev, T0, stats, maxMessageSize);
  return { out, res: out ? decodeResponse(out.reply) : undefined, stats };
}

describe('Get', () => {
  it('answers values, noSuchObject and noSuchInstance (v2c) and keeps the request id', () => {
    const { res } = ask({ id: 123456, oids: ['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.5.1', '1.3.6.1.2.1.99.0'] });
    expect(res!.requestId).toBe(123456);
    expect(res!.errorStatus).toBe(0);
    expect(res!.varbinds.map((v) => v.tag)).toEqual([0x04, 0x81, 0x80]);
    expect(Buffer.from(res!.varbinds[0]!.hex, 'hex').toString()).toBe('mikrotik-test');
  });

  it('answers v1 with noSuchName and the index of the first missing OID, and hides Counter64', () => {
    const missing = ask({ version: 0, oids: ['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.5.1'] }).res!;
    expect([missing.errorStatus, missing.errorIndex]).toEqual([ErrorStatus.NoSuchName, 2]);
    const c64 = ask({ version: 0, oids: [`${HC_IN}.1`] }).res!;
    expect([c64.errorStatus, c64.errorIndex]).toEqual([ErrorStatus.NoSuchName, 1]);
  });

  it('answers tooBig with no varbinds when the reply exceeds the size limit', () => {
    const oids = Array.from({ length: 24 }, (_, i) => `${IF_DESCR}.${i + 1}`);
    expect(ask({ oids }, 1500).res!.varbinds).toHaveLength(24);
    const res = ask({ oids }, 300).res!;
    expect([res.errorStatus, res.errorIndex, res.varbinds.length]).toEqual([ErrorStatus.TooBig, 0, 0]);
  });

  it('refuses sets as notWritable', () => {
    const res = ask({ type: PduType.Set, oids: ['1.3.6.1.2.1.1.5.0'] }).res!;
    expect([res.errorStatus, res.errorIndex]).toEqual([ErrorStatus.NotWritable, 1]);
  });
});

describe('GetNext', () => {
  it('returns the lexicographic successor, crossing columns and tables', () => {
    const res = ask({
      type: PduType.GetNext,
      oids: ['1.3.6.1.2.1.1', `${IF_DESCR}.28`, '1.3.6.1.2.1.2.2.1.2.9'],
    }).res!;
    expect(res.varbinds.map((v) => v.oid)).toEqual([
      '1.3.6.1.2.1.1.1.0',
      '1.3.6.1.2.1.2.2.1.3.1',
      '1.3.6.1.2.1.2.2.1.2.10',
    ]);
  });

  it('returns endOfMibView past the last object (v2c) and noSuchName (v1)', () => {
    const v2 = ask({ type: PduType.GetNext, oids: ['1.3.6.1.4.1.99999'] }).res!;
    expect(v2.varbinds[0]).toMatchObject({ oid: '1.3.6.1.4.1.99999', tag: 0x82 });
    const v1 = ask({ version: 0, type: PduType.GetNext, oids: ['1.3.6.1.4.1.99999'] }).res!;
    expect(v1.errorStatus).toBe(ErrorStatus.NoSuchName);
  });

  it('skips Counter64 columns for v1 managers', () => {
    const res = ask({ version: 0, type: PduType.GetNext, oids: ['1.3.6.1.2.1.31.1.1.1.5.28'] }).res!;
    expect(res.varbinds[0]!.oid).toBe('1.3.6.1.2.1.31.1.1.1.14.1');
  });
});

describe('GetBulk', () => {
  it('answers non-repeaters once, then max-repetitions rounds of the repeaters', () => {
    const res = ask({ type: PduType.GetBulk, a: 1, b: 3, oids: ['1.3.6.1.2.1.1.3', IF_DESCR, HC_IN] }).res!;
    expect(res.varbinds.map((v) => v.oid)).toEqual([
      '1.3.6.1.2.1.1.3.0',
      `${IF_DESCR}.1`,
      `${HC_IN}.1`,
      `${IF_DESCR}.2`,
      `${HC_IN}.2`,
      `${IF_DESCR}.3`,
      `${HC_IN}.3`,
    ]);
    expect(res.varbinds[2]!.tag).toBe(0x46);
  });

  it('stops at endOfMibView instead of repeating it max-repetitions times', () => {
    const res = ask({ type: PduType.GetBulk, a: 0, b: 50, oids: ['1.3.6.1.4.1.14988.1.1.7'] }).res!;
    expect(res.varbinds.map((v) => v.tag).slice(-1)).toEqual([0x82]);
    expect(res.varbinds.length).toBeLessThan(10);
  });

  it('truncates to the size limit rather than answering tooBig, and counts only values', () => {
    const { res, stats } = ask({ type: PduType.GetBulk, a: 0, b: 1000, oids: ['1.3.6.1.2.1.2'] }, 1400);
    expect(res!.errorStatus).toBe(0);
    expect(res!.varbinds.length).toBeGreaterThan(20);
    expect(res!.varbinds.length).toBeLessThan(200);
    expect(stats.varbinds).toBe(res!.varbinds.length);
  });

  it('survives absurd max-repetitions and negative non-repeaters', () => {
    const res = ask({ type: PduType.GetBulk, a: -5, b: 2 ** 31 - 1, oids: ['1.3.6.1'] }).res!;
    expect(res.errorStatus).toBe(0);
    expect(res.varbinds.length).toBeGreaterThan(500);
  });

  it('is not answered over v1 (GetBulk does not exist there)', () => {
    const { out, stats } = ask({ version: 0, type: PduType.GetBulk, oids: ['1.3.6.1'] });
    expect(out).toBeNull();
    expect(stats.ignored).toBe(1);
  });
});

describe('community and faults', () => {
  it('does not answer a wrong community', () => {
    const { out, stats } = ask({ community: 'wrong', oids: ['1.3.6.1.2.1.1.5.0'] });
    expect(out).toBeNull();
    expect(stats.droppedCommunity).toBe(1);
  });

  it('a dead device never answers; latency and slowness set the delay', () => {
    expect(ask({ oids: ['1.3.6.1.2.1.1.5.0'] }, undefined, { dead: true }).out).toBeNull();
    expect(ask({ oids: ['1.3.6.1.2.1.1.5.0'] }, undefined, { latencyMs: 20 }).out!.delayMs).toBe(20);
    const slow = ask({ type: PduType.GetBulk, b: 10, oids: [IF_DESCR] }, undefined, { slowPerVarbindMs: 2 });
    expect(slow.out!.delayMs).toBe(20);
  });

  it('loses about the configured share of requests', () => {
    const { dev, stats } = served('mikrotik', { lossRate: 0.3 });
    const msg = request({ oids: ['1.3.6.1.2.1.1.5.0'] });
    for (let i = 0; i < 2000; i++) handleDatagram(msg, dev, T0, stats);
    expect(stats.droppedLoss / 2000).toBeGreaterThan(0.25);
    expect(stats.droppedLoss / 2000).toBeLessThan(0.35);
  });
});
