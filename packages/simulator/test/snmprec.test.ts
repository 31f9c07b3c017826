import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SnmpFleet, startSnmpFleet } from '../src/fleet.js';
import { parseSnmprec } from '../src/snmprec.js';
import { Client, counter64, type NsVarbind } from './support/net-snmp.js';
import { missingTool, noSnmprec, snmprecDir, snmpTool, titled } from './support/tools.js';

const noBulkwalk = missingTool('/usr/bin/snmpbulkwalk', 'snmp');

/**
 * What net-snmp should hand back for a recorded line, computed here independently of the
 * simulator's encoder: the recording's values must come back exactly.
 */
function expected(tag: string, value: string): { type: number; value: string } {
  const hex = tag.endsWith('x');
  const t = Number(hex ? tag.slice(0, -1) : tag);
  const bytes = hex ? Buffer.from(value, 'hex') : Buffer.from(value, 'utf8');
  switch (t) {
    case 4:
    case 68:
      return { type: t, value: bytes.toString('hex') };
    case 64:
      return { type: t, value: hex ? [...bytes].join('.') : value };
    case 70:
      return { type: t, value: String(hex ? BigInt(`0x${value}`) : BigInt(value)) };
    default:
      return { type: t, value };
  }
}

function actual(vb: NsVarbind): { type: number; value: string } {
  if (vb.type === 4 || vb.type === 68) return { type: vb.type, value: (vb.value as Buffer).toString('hex') };
  if (vb.type === 70) return { type: 70, value: String(counter64(vb.value)) };
  return { type: vb.type, value: String(vb.value) };
}

const files = noSnmprec ? [] : readdirSync(snmprecDir).filter((f) => f.endsWith('.snmprec'));

describe.skipIf(noSnmprec)(titled('serving the shared .snmprec recordings', noSnmprec), () => {
  let fleet: SnmpFleet;
  beforeAll(async () => {
    fleet = await startSnmpFleet({ snmprec: files.map((f) => `${snmprecDir}/${f}`) });
  });
  afterAll(() => fleet.close());

  /** `snmpbulkwalk` of the device replaying `<name>.snmprec` (its community is the name) from `root`. */
  const bulkwalk = (name: string, root: string) => {
    const dev = fleet.devices.find((d) => d.profile === `snmprec:${name}`)!;
    return snmpTool('/usr/bin/snmpbulkwalk', ['-v2c', '-c', name, '-Cr50', `${dev.host}:${dev.port}`, root]);
  };

  it('parses every line of every recording', () => {
    for (const f of files) {
      const rec = parseSnmprec(readFileSync(`${snmprecDir}/${f}`, 'utf8'), f);
      expect(rec.skipped, f).toEqual([]);
    }
  });

  it.each(files)('%s comes back exactly through a net-snmp bulk walk', async (file) => {
    const dev = fleet.devices.find((d) => d.profile === `snmprec:${file.replace('.snmprec', '')}`)!;
    const want = new Map<string, { type: number; value: string }>();
    for (const line of readFileSync(`${snmprecDir}/${file}`, 'utf8').split('\n')) {
      const [oid, tag, ...rest] = line.split('|');
      if (oid && tag) want.set(oid, expected(tag, rest.join('|')));
    }
    const c = new Client(dev.host, dev.port, dev.community);
    try {
      const got = await c.walk('1.0', 50);
      expect(got.length).toBe(want.size);
      for (const vb of got) expect(actual(vb), vb.oid).toEqual(want.get(vb.oid));
    } finally {
      c.close();
    }
  });

  it.skipIf(noBulkwalk)(
    titled('snmpbulkwalk reads ios.snmprec’s sysDescr and ifXTable', noBulkwalk),
    async () => {
      const out = await bulkwalk('ios', '.1.3.6.1.2.1');
      const lines = readFileSync(`${snmprecDir}/ios.snmprec`, 'utf8').split('\n');
      const mib2 = lines.filter((l) => l.startsWith('1.3.6.1.2.1.'));
      // Multi-line strings (sysDescr has CR LF) continue on lines of their own: count varbind lines.
      const varbinds = out.filter((l) => /^\.1\.3\.6\.1\.2\.1\.[\d.]+ = /.test(l));
      expect(varbinds).toHaveLength(mib2.length);
      expect(out[0]).toMatch(
        /^\.1\.3\.6\.1\.2\.1\.1\.1\.0 = STRING: "Cisco Internetwork Operating System Software/,
      );
    },
  );

  it.skipIf(noBulkwalk)(
    titled('snmpbulkwalk gets every recorded number of routeros.snmprec back exactly', noBulkwalk),
    async () => {
      const out = await bulkwalk('routeros', '.1');
      // The walk ends with endOfMibView named after the last OID: keep the values only.
      const got = new Map(
        out
          .filter((l) => !l.includes(' = No more variables'))
          .map((l) => l.split(' = ', 2) as [string, string]),
      );
      const names: Record<string, string> = {
        '2': 'INTEGER',
        '65': 'Counter32',
        '66': 'Gauge32',
        '70': 'Counter64',
      };
      let checked = 0;
      for (const line of readFileSync(`${snmprecDir}/routeros.snmprec`, 'utf8').split('\n')) {
        const [oid, tag, value] = line.split('|');
        // -Ot prints TimeTicks as a bare number.
        if (oid && tag === '67') expect(got.get(`.${oid}`), oid).toBe(value);
        const type = tag ? names[tag] : undefined;
        if (!oid || !type) continue;
        // -Oe prints enums as numbers: "TYPE: number" for all of these.
        expect(got.get(`.${oid}`), oid).toBe(`${type}: ${value}`);
        checked++;
      }
      expect(checked).toBeGreaterThan(500);
    },
  );
});
