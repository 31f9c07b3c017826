/**
 * ARP / neighbour tables → facts.arp, on the rows of real recordings (../shared/data/snmprec, read
 * as files: no agent needed) and on rows written from IP-MIB (RFC 4293) for the odd cases.
 */

import { skipTitle } from '@ispmonitor/core/testing';
import type { Varbind } from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { type ArpTally, arpFromMedia, arpFromPhysical, mediaCol, physCol } from '../src/parts/arp.js';
import type { ColumnRowsMap } from '../src/parts/context.js';
import { VarbindType } from '../src/values.js';
import { noSnmprec, snmprecDir } from './support/peers.js';
import { readRecording } from './support/util.js';

/** A varbind as net-snmp delivers it, from an snmprec tag and value. */
function varbind(oid: string, tag: string, value: string): Varbind {
  if (tag === '4x')
    return { oid, type: VarbindType.OctetString, value: Buffer.from(value, 'hex') } as Varbind;
  if (tag === '4') return { oid, type: VarbindType.OctetString, value: Buffer.from(value) } as Varbind;
  if (tag === '67') return { oid, type: VarbindType.TimeTicks, value: Number(value) } as Varbind;
  return { oid, type: VarbindType.Integer, value: Number(value) } as Varbind;
}

/** The rows of `columns` in a recording, as a walk returns them. */
function columnsOf(name: string, columns: string[]): ColumnRowsMap {
  const rec = readRecording(snmprecDir as string, name);
  const out = new Map(columns.map((c) => [c, new Map<string, Varbind>()]));
  for (const [oid, { tag, value }] of rec) {
    for (const c of columns) {
      if (oid.startsWith(`${c}.`)) out.get(c)?.set(oid.slice(c.length + 1), varbind(oid, tag, value));
    }
  }
  return out;
}

const ifName = (i: string) => `if${i}`;
describe.skipIf(noSnmprec)(skipTitle('recorded ARP tables', noSnmprec), () => {
  it('murrant_localhost: ipNetToPhysicalTable gives IPv4 and IPv6 bindings with their type', () => {
    const tally: ArpTally = { skipped: 0 };
    const facts = arpFromPhysical(columnsOf('murrant_localhost', Object.values(physCol)), ifName, tally);
    expect(tally.skipped).toBe(0);
    expect(facts).toHaveLength(8);
    expect(facts[0]).toEqual({
      address: '172.22.1.1',
      mac: '74:d0:2b:40:83:00',
      interface: 'if4',
      type: 'dynamic',
    });
    expect(facts.filter((f) => f.address.includes(':')).map((f) => f.address)).toEqual([
      '2002:ad1e:70a9::1',
      'fe80::76d0:2bff:fe40:8300',
    ]);
  });

  it('murrant_localhost: ipNetToMediaTable (the old table) agrees on IPv4', () => {
    const tally: ArpTally = { skipped: 0 };
    const phys = arpFromPhysical(columnsOf('murrant_localhost', Object.values(physCol)), ifName, tally);
    const media = arpFromMedia(columnsOf('murrant_localhost', Object.values(mediaCol)), ifName, tally);
    expect(media).toEqual(phys.filter((f) => !f.address.includes(':')));
  });

  it('routeros (RouterOS 6): only ipNetToMediaPhysAddress is recorded; the binding has no type rather than a guess', () => {
    const tally: ArpTally = { skipped: 0 };
    const facts = arpFromMedia(columnsOf('routeros', Object.values(mediaCol)), ifName, tally);
    expect(tally.skipped).toBe(0);
    expect(facts).toHaveLength(25);
    expect(facts).toContainEqual({ address: '192.168.11.115', mac: 'a4:e4:b8:4a:d5:ca', interface: 'if10' });
    expect(facts.every((f) => f.type === undefined)).toBe(true);
  });

  it('routeros_rb750gr3 (RouterOS 7): an entry with an empty MAC is no binding', () => {
    const tally: ArpTally = { skipped: 0 };
    const facts = arpFromMedia(columnsOf('routeros_rb750gr3', Object.values(mediaCol)), ifName, tally);
    expect(facts).toHaveLength(9);
    expect(facts.map((f) => f.address)).not.toContain('169.254.0.30');
    expect(tally.skipped).toBe(0);
  });
});

describe('odd rows', () => {
  const cols = (rows: Array<[string, Varbind, number?, number?]>): ColumnRowsMap => {
    const m = new Map<string, Map<string, Varbind>>([
      [physCol.address, new Map()],
      [physCol.type, new Map()],
      [physCol.state, new Map()],
    ]);
    for (const [index, vb, type, state] of rows) {
      m.get(physCol.address)?.set(index, vb);
      if (type !== undefined) m.get(physCol.type)?.set(index, varbind('', '2', String(type)));
      if (state !== undefined) m.get(physCol.state)?.set(index, varbind('', '2', String(state)));
    }
    return m;
  };
  const mac = (hex: string) => varbind('', '4x', hex);

  it('invalid and incomplete entries, zero MACs and zoned addresses', () => {
    const tally: ArpTally = { skipped: 0 };
    const facts = arpFromPhysical(
      cols([
        ['2.1.4.10.0.0.1', mac('0011223344aa'), 3, 1],
        ['2.1.4.10.0.0.2', mac('0011223344bb'), 2, 1], // invalid(2)
        ['2.1.4.10.0.0.3', mac('0011223344cc'), 3, 7], // incomplete(7)
        ['2.1.4.10.0.0.4', mac('000000000000'), 3, 1],
        ['2.1.4.10.0.0.5', mac(''), 3, 1],
        ['2.3.8.10.0.0.6.0.0.0.2', mac('0011223344dd'), 4, 1], // ipv4z: zone dropped
        ['2.1.4.10.0.0.7', mac('0011223344ee'), 5], // local
      ]),
      ifName,
      tally,
    );
    expect(facts).toEqual([
      { address: '10.0.0.1', mac: '00:11:22:33:44:aa', interface: 'if2', type: 'dynamic' },
      { address: '10.0.0.6', mac: '00:11:22:33:44:dd', interface: 'if2', type: 'static' },
      { address: '10.0.0.7', mac: '00:11:22:33:44:ee', interface: 'if2', type: 'local' },
    ]);
    expect(tally.skipped).toBe(0);
  });

  it('a malformed index (wrong length, wrong type, arcs above 255) is skipped and counted', () => {
    const tally: ArpTally = { skipped: 0 };
    const facts = arpFromPhysical(
      cols([
        ['2.1.4.10.0.0', mac('0011223344aa')],
        ['2.1.5.10.0.0.1.9', mac('0011223344aa')],
        ['2.9.4.10.0.0.1', mac('0011223344aa')],
        ['2.1.4.10.0.300.1', mac('0011223344aa')],
        ['2.2.16.1.2.3', mac('0011223344aa')],
        ['2.1.4.10.0.0.9', mac('0011223344aa')],
      ]),
      ifName,
      tally,
    );
    expect(facts.map((f) => f.address)).toEqual(['10.0.0.9']);
    expect(tally.skipped).toBe(5);
    const media = arpFromMedia(
      new Map([[mediaCol.address, new Map([['3.10.0.1', mac('0011223344aa')]])]]),
      ifName,
      tally,
    );
    expect(media).toEqual([]);
    expect(tally.skipped).toBe(6);
  });

  it('ipNetToMediaTable indexes read in place or arc by arc give the same bindings', () => {
    const tally: ArpTally = { skipped: 0 };
    const rows: Array<[string, string]> = [
      ['3.10.0.0.1', '0011223344a1'],
      ['12345.192.168.255.0', '0011223344a2'],
      ['3.010.0.0.3', '0011223344a3'], // not canonical: read arc by arc, as 10.0.0.3
      ['03.10.0.0.4', '0011223344a4'], // ifIndex 3
      ['3.10.0.256.5', '0011223344a5'], // above 255: skipped
      ['3.10.0.0.6.7', '0011223344a6'], // five address arcs: skipped
      ['3.10.0.0.', '0011223344a7'], // an empty arc reads as 0, as it always did
      ['3..0.0.8', '0011223344a8'],
      ['3', '0011223344a9'], // no address: skipped
      ['3.1e2.0.0.1', '0011223344b2'], // text that Number() reads: arc by arc, as before
      ['-3.1.2.3.4', '0011223344b3'],
    ];
    const media = arpFromMedia(
      new Map([[mediaCol.address, new Map(rows.map(([index, hex]) => [index, mac(hex)]))]]),
      ifName,
      tally,
    );
    expect(media).toEqual([
      { address: '10.0.0.1', mac: '00:11:22:33:44:a1', interface: 'if3' },
      { address: '192.168.255.0', mac: '00:11:22:33:44:a2', interface: 'if12345' },
      { address: '10.0.0.3', mac: '00:11:22:33:44:a3', interface: 'if3' },
      { address: '10.0.0.4', mac: '00:11:22:33:44:a4', interface: 'if3' },
      { address: '10.0.0.0', mac: '00:11:22:33:44:a7', interface: 'if3' },
      { address: '0.0.0.8', mac: '00:11:22:33:44:a8', interface: 'if3' },
      { address: '100.0.0.1', mac: '00:11:22:33:44:b2', interface: 'if3' },
      { address: '1.2.3.4', mac: '00:11:22:33:44:b3', interface: 'if-3' },
    ]);
    expect(tally.skipped).toBe(3);
  });
});
