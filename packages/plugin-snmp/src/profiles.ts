/**
 * Device profiles: which parts a device is polled with, chosen from its sysObjectID (or forced
 * with `device.snmp.profile`). Walking only the tables a vendor implements saves round trips.
 */
import { isUnder } from './oid.js';
import { arpPart } from './parts/arp.js';
import type { Part } from './parts/context.js';
import { customPart } from './parts/custom.js';
import { hostResourcesPart, ucdPart } from './parts/host.js';
import { interfacesPart } from './parts/interfaces.js';
import { cdpPart, lldpPart } from './parts/neighbours.js';
import { ciscoPart, entitySensorPart, juniperPart, mikrotikHealthPart } from './parts/sensors.js';
import { mikrotikWirelessPart } from './parts/wireless.js';

/** Profile names. */
export type ProfileName = 'generic' | 'mikrotik' | 'cisco' | 'juniper' | 'ubiquiti' | 'netsnmp';

/** Enterprise numbers (under 1.3.6.1.4.1) and their profile. */
const ENTERPRISES: Array<[string, ProfileName]> = [
  ['1.3.6.1.4.1.14988', 'mikrotik'],
  ['1.3.6.1.4.1.9', 'cisco'],
  ['1.3.6.1.4.1.2636', 'juniper'],
  ['1.3.6.1.4.1.41112', 'ubiquiti'],
  ['1.3.6.1.4.1.10002', 'ubiquiti'],
  ['1.3.6.1.4.1.8072', 'netsnmp'],
];

/** The profile of a sysObjectID; `generic` when the vendor is not known. */
export function profileFor(sysObjectId: string | undefined): ProfileName {
  if (!sysObjectId) return 'generic';
  for (const [prefix, name] of ENTERPRISES) {
    if (sysObjectId === prefix || isUnder(sysObjectId, prefix)) return name;
  }
  return 'generic';
}

/** The vendor name shown in `facts.system.vendor`. */
export const vendorOf: Record<ProfileName, string | undefined> = {
  generic: undefined,
  mikrotik: 'MikroTik',
  cisco: 'Cisco',
  juniper: 'Juniper',
  ubiquiti: 'Ubiquiti',
  netsnmp: 'net-snmp',
};

const hostResources = hostResourcesPart();

/** Parts per profile, in poll order (interfaces first: later parts name interfaces from its cache). */
export const profiles: Record<ProfileName, readonly Part[]> = {
  generic: [interfacesPart, hostResources, entitySensorPart, lldpPart, arpPart],
  mikrotik: [interfacesPart, hostResources, mikrotikHealthPart, mikrotikWirelessPart, lldpPart, arpPart],
  cisco: [interfacesPart, ciscoPart, entitySensorPart, cdpPart, lldpPart, arpPart],
  juniper: [interfacesPart, juniperPart, lldpPart, arpPart],
  ubiquiti: [interfacesPart, hostResources, ucdPart, lldpPart, arpPart],
  // net-snmp's hrStorage "Physical memory" counts page cache as used: UCD's figure is the one people expect.
  netsnmp: [interfacesPart, ucdPart, hostResourcesPart({ ram: false }), lldpPart, arpPart],
};

/** The parts to run for a device: its profile's, then its custom OIDs and tables. */
export function partsFor(profile: ProfileName, hasCustom: boolean): readonly Part[] {
  return hasCustom ? [...profiles[profile], customPart] : profiles[profile];
}
