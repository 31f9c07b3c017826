/**
 * ipAddrTable → interface addresses, on the rows of the RouterOS recording (read as a file: no
 * agent needed) and on hand-written rows for the malformed cases.
 */

import { skipTitle } from '@ispmonitor/core/testing';
import type { Varbind } from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { addressesFromIpAddrTable, ipAddrCol } from '../src/parts/addresses.js';
import type { ColumnRowsMap } from '../src/parts/context.js';
import { VarbindType } from '../src/values.js';
import { noSnmprec, snmprecDir } from './support/peers.js';
import { readRecording } from './support/util.js';

/** A varbind as net-snmp delivers it: IpAddress (tag 64) as dotted text, the rest as integers. */
function varbind(oid: string, tag: string, value: string): Varbind {
  if (tag === '64') return { oid, type: VarbindType.IpAddress, value } as Varbind;
  return { oid, type: VarbindType.Integer, value: Number(value) } as Varbind;
}

function columns(rows: Array<[string, string, string]>): ColumnRowsMap {
  const out = new Map(Object.values(ipAddrCol).map((c) => [c, new Map<string, Varbind>()]));
  for (const [oid, tag, value] of rows) {
    for (const c of Object.values(ipAddrCol)) {
      if (oid.startsWith(`${c}.`)) out.get(c)?.set(oid.slice(c.length + 1), varbind(oid, tag, value));
    }
  }
  return out;
}

describe('ipAddrTable', () => {
  it.skipIf(noSnmprec)(skipTitle('routeros recording: nine addresses on five interfaces', noSnmprec), () => {
    const rec = readRecording(snmprecDir as string, 'routeros');
    const { byIfIndex, skipped } = addressesFromIpAddrTable(
      columns([...rec].map(([oid, { tag, value }]) => [oid, tag, value])),
    );
    expect(skipped).toBe(0);
    expect([...byIfIndex.values()].flat()).toHaveLength(9);
    expect(byIfIndex.get('3')).toEqual([
      '10.37.102.3/26',
      '10.101.49.18/27',
      '10.101.49.19/27',
      '192.168.88.2/24',
      '192.168.100.110/24',
    ]);
    expect(byIfIndex.get('5')).toEqual(['10.60.41.94/21']);
    expect(byIfIndex.get('11')).toEqual(['36.76.98.105/32']);
    expect(byIfIndex.get('10')).toEqual(['192.168.11.1/24']);
  });

  it('skips rows with a malformed index, ifIndex or mask and keeps the rest', () => {
    const { byIfIndex, skipped } = addressesFromIpAddrTable(
      columns([
        [`${ipAddrCol.ifIndex}.10.0.0.1`, '2', '2'],
        [`${ipAddrCol.mask}.10.0.0.1`, '64', '255.255.255.252'],
        [`${ipAddrCol.ifIndex}.10.0.0.5.9`, '2', '2'],
        [`${ipAddrCol.ifIndex}.10.0.0.9`, '2', '0'],
        [`${ipAddrCol.ifIndex}.10.0.0.13`, '2', '3'],
        [`${ipAddrCol.mask}.10.0.0.13`, '64', '255.0.255.0'],
        [`${ipAddrCol.ifIndex}.10.255.0.1`, '2', '4'],
      ]),
    );
    expect(skipped).toBe(3);
    expect(Object.fromEntries(byIfIndex)).toEqual({ '2': ['10.0.0.1/30'], '4': ['10.255.0.1/32'] });
  });
});
