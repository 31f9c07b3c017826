/**
 * A router polled through this plugin and through SNMP must give the same metric names for the
 * same facts. The SNMP side is read from the RB952 recording (`routeros.snmprec`, parsed here as
 * plain `OID|TAG|VALUE` lines), mapping each IF-MIB column it holds to the catalogue name the SNMP
 * driver emits for it; the MikroTik side is an emulated router with the same interface names.
 */
import { readFileSync } from 'node:fs';
import { catalog } from '@ispmonitor/core';
import { pollDriver, skipTitle } from '@ispmonitor/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/shared-data.js';
import { createMikrotikDriver } from '../src/driver.js';
import {
  pollContext,
  type RouterOsEmulator,
  routerDevice,
  startRouterOsEmulator,
} from './support/emulator.js';

const { path: file, absent } = sharedData('snmprec/routeros.snmprec');

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
/** IF-MIB column → the catalogue name the SNMP driver emits from it (per ifName). */
const COLUMN_METRIC: Record<string, string> = {
  [`${IFX}.6`]: catalog.ifInOctets.name,
  [`${IFX}.10`]: catalog.ifOutOctets.name,
  [`${IFX}.7`]: catalog.ifInPackets.name,
  [`${IFX}.11`]: catalog.ifOutPackets.name,
  [`${IF}.14`]: catalog.ifInErrors.name,
  [`${IF}.20`]: catalog.ifOutErrors.name,
  [`${IF}.13`]: catalog.ifInDiscards.name,
  [`${IF}.19`]: catalog.ifOutDiscards.name,
  [`${IF}.8`]: catalog.ifOperUp.name,
  [`${IF}.7`]: catalog.ifAdminUp.name,
  [`${IFX}.15`]: catalog.ifSpeed.name,
};

/** ifName by ifIndex and the set of (metric, ifName) pairs SNMP yields from the recording. */
function snmpView(): { names: string[]; pairs: Set<string> } {
  const byIndex = new Map<string, string>();
  const present: Array<[string, string]> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [oid, , value] = line.split('|');
    if (!oid || value === undefined) continue;
    const dot = oid.lastIndexOf('.');
    const column = oid.slice(0, dot);
    const index = oid.slice(dot + 1);
    if (column === `${IFX}.1`) byIndex.set(index, value);
    if (COLUMN_METRIC[column]) present.push([column, index]);
  }
  const pairs = new Set<string>();
  for (const [column, index] of present) {
    const ifName = byIndex.get(index);
    if (ifName) pairs.add(`${COLUMN_METRIC[column]}{ifName=${ifName}}`);
  }
  return { names: [...byIndex.values()], pairs };
}

describe.skipIf(absent)(
  skipTitle('same names through the API as through SNMP (routeros.snmprec)', absent),
  () => {
    let router: RouterOsEmulator | undefined;
    afterAll(async () => router?.close());

    it('interface names and interface metric names match', async () => {
      const snmp = snmpView();
      expect(snmp.names).toContain('ether2');
      router = await startRouterOsEmulator({ profile: 'v6', interfaceNames: snmp.names });
      const driver = createMikrotikDriver();
      try {
        const result = await pollDriver(
          driver,
          routerDevice('rb952', router.port, { collect: ['interfaces'] }),
          pollContext(),
        );
        expect(result.error).toBeUndefined();
        const api = new Set(
          result.samples.filter((s) => s.labels.ifName).map((s) => `${s.name}{ifName=${s.labels.ifName}}`),
        );
        expect(new Set(result.facts?.interfaces?.map((i) => i.name))).toEqual(new Set(snmp.names));
        // Everything SNMP measures, the API driver measures under the same name and label. The speed
        // only for ethernet ports with a link (`/interface/ethernet/monitor`): SNMP also gives one
        // for bridges, radios and ports without a link.
        const speed = catalog.ifSpeed.name;
        const expected = [...snmp.pairs].filter((p) => !p.startsWith(`${speed}{`));
        expect(expected.length).toBe(snmp.names.length * 10);
        const apiSpeeds = [...api].filter((p) => p.startsWith(`${speed}{`));
        expect(apiSpeeds).toContain(`${speed}{ifName=ether2}`);
        expect(apiSpeeds.filter((p) => !snmp.pairs.has(p))).toEqual([]);
        expect(
          [...api].filter(
            (p) =>
              !expected.includes(p) &&
              !p.startsWith(`${catalog.ifLinkDowns.name}{`) &&
              !p.startsWith(`${speed}{`),
          ),
        ).toEqual([]);
        expect(expected.filter((p) => !api.has(p))).toEqual([]);
        // The one extra, link-downs, is a catalogue name too.
        expect(apiSpeeds.some((p) => /wlan|bridge/.test(p))).toBe(false);
        for (const p of api) expect(p.startsWith('interface_')).toBe(true);
      } finally {
        await driver.close();
      }
    });
  },
);
