/**
 * The router profiles' neighbour tables (ipNetToMediaTable, ipNetToPhysicalTable) and the
 * MikroTik wireless registration table (mtxrWlRtabTable), walked through a running agent and
 * compared with the real recordings in ../shared/data/snmprec: every column a recording has
 * comes back with the recording's type, indexes have the recording's shape.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SnmpFleet, startSnmpFleet } from '../src/fleet.js';
import type { ProfileName } from '../src/profiles/index.js';
import { Client, type NsVarbind } from './support/net-snmp.js';
import { noSnmprec, snmprecDir, titled } from './support/tools.js';

const TABLES = {
  ipNetToMedia: '1.3.6.1.2.1.4.22.1',
  ipNetToPhysical: '1.3.6.1.2.1.4.35.1',
  mtxrWlRtab: '1.3.6.1.4.1.14988.1.1.1.2.1',
} as const;

/** Column → BER tags seen in the recordings, and the index lengths seen per table. */
function recorded(table: string): { tags: Map<number, Set<number>>; indexLengths: Set<number> } {
  const tags = new Map<number, Set<number>>();
  const indexLengths = new Set<number>();
  for (const f of readdirSync(snmprecDir).filter((n) => n.endsWith('.snmprec'))) {
    for (const line of readFileSync(join(snmprecDir, f), 'utf8').split('\n')) {
      const [oid, tag] = line.split('|');
      if (!oid?.startsWith(`${table}.`) || tag === undefined) continue;
      const rest = oid.slice(table.length + 1).split('.');
      const col = Number(rest[0]);
      tags.set(col, (tags.get(col) ?? new Set()).add(Number(tag.replace('x', ''))));
      indexLengths.add(rest.length - 1);
    }
  }
  return { tags, indexLengths };
}

let fleet: SnmpFleet;
const clients: Client[] = [];
const walk = async (profile: ProfileName, table: string): Promise<NsVarbind[]> => {
  const d = fleet.devices.find((x) => x.profile === profile)!;
  const c = new Client(d.host, d.port, 'public');
  clients.push(c);
  return (await c.walk(table)).filter((vb) => vb.oid.startsWith(`${table}.`));
};

beforeAll(async () => {
  fleet = await startSnmpFleet({
    count: 4,
    profile: ['mikrotik', 'cisco', 'linux', 'juniper'],
    interfaces: 4,
  });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await fleet.close();
});

describe('neighbour tables of the router profiles', () => {
  it.each<[ProfileName, keyof typeof TABLES, number]>([
    ['mikrotik', 'ipNetToMedia', 4],
    ['cisco', 'ipNetToMedia', 4],
    ['linux', 'ipNetToMedia', 4],
    ['linux', 'ipNetToPhysical', 5],
  ])('%s answers %s: IP ↔ MAC rows with its columns', async (profile, table, columns) => {
    const vbs = await walk(profile, TABLES[table]);
    const cols = new Set(vbs.map((vb) => Number(vb.oid.slice(TABLES[table].length + 1).split('.')[0])));
    expect(cols.size).toBe(columns);
    const macs = vbs.filter((vb) =>
      vb.oid.startsWith(`${TABLES[table]}.${table === 'ipNetToMedia' ? 2 : 4}.`),
    );
    expect(macs.length).toBeGreaterThan(0);
    for (const vb of macs) expect((vb.value as Buffer).length).toBe(6);
  });

  it('juniper (descriptions only) has none, as its recording', async () => {
    expect(await walk('juniper', TABLES.ipNetToMedia)).toEqual([]);
  });

  it('two devices never show the same neighbour MAC', async () => {
    const a = (await walk('mikrotik', `${TABLES.ipNetToMedia}.2`)).map((vb) =>
      (vb.value as Buffer).toString('hex'),
    );
    const b = (await walk('cisco', `${TABLES.ipNetToMedia}.2`)).map((vb) =>
      (vb.value as Buffer).toString('hex'),
    );
    expect(a.filter((m) => b.includes(m))).toEqual([]);
  });
});

describe.skipIf(noSnmprec)(titled('against the recordings', noSnmprec), () => {
  it.each<[ProfileName, keyof typeof TABLES]>([
    ['mikrotik', 'ipNetToMedia'],
    ['cisco', 'ipNetToMedia'],
    ['linux', 'ipNetToMedia'],
    ['linux', 'ipNetToPhysical'],
    ['mikrotik', 'mtxrWlRtab'],
  ])('%s %s: the recordings’ columns, types and index shape', async (profile, table) => {
    const real = recorded(TABLES[table]);
    expect(real.tags.size, 'the recordings hold this table').toBeGreaterThan(0);
    const vbs = await walk(profile, TABLES[table]);
    expect(vbs.length).toBeGreaterThan(0);
    let shared = 0;
    for (const vb of vbs) {
      const rest = vb.oid.slice(TABLES[table].length + 1).split('.');
      const allowed = real.tags.get(Number(rest[0]));
      expect(real.indexLengths).toContain(rest.length - 1);
      if (!allowed) continue;
      shared++;
      expect([...allowed], vb.oid).toContain(vb.type);
    }
    expect(shared).toBeGreaterThan(0);
  });
});
