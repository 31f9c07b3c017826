/**
 * A MikroTik router as RouterOS 6/7 answers SNMP: ether ports, an SFP+ uplink, a bridge, a
 * PPPoE client and a wireless card; HOST-RESOURCES CPU and RAM; MIKROTIK-MIB health (tenths of
 * a degree and of a volt, as the recordings show) and wireless client counts.
 */
import type { InterfaceLayout } from '../model/device.js';
import { hashSeed } from '../model/random.js';
import { Tag } from '../snmp/ber.js';
import { counter32, gauge32, integer, octets, timeTicks } from '../snmp/values.js';
import { ipAddrGroup } from './addresses.js';
import { arpGroup } from './arp.js';
import { type Ctx, type Entries, hostResources, interfaceGroup, systemGroup } from './common.js';
import type { Profile } from './types.js';

const MTX = '1.3.6.1.4.1.14988.1.1';

/** A stable 12-hex-digit serial derived from the device id. */
function serial(id: string): string {
  return (hashSeed(id, 1).toString(16) + hashSeed(id, 2).toString(16))
    .toUpperCase()
    .padStart(12, '0')
    .slice(0, 12);
}

function layout(ports: number): InterfaceLayout[] {
  const out: InterfaceLayout[] = [];
  for (let p = 1; p <= ports; p++) {
    out.push({
      ifIndex: p,
      name: `ether${p}`,
      type: 6,
      speedBps: 1e9,
      mtu: 1500,
      role: p === 1 ? 'uplink' : 'access',
    });
  }
  const n = ports;
  out.push(
    { ifIndex: n + 1, name: 'sfp-sfpplus1', type: 6, speedBps: 10e9, mtu: 1500, role: 'uplink' },
    { ifIndex: n + 2, name: 'wlan1', type: 71, speedBps: 300e6, mtu: 1500, role: 'wireless' },
    { ifIndex: n + 3, name: 'bridge', type: 209, speedBps: 0, mtu: 1500, role: 'virtual' },
    { ifIndex: n + 4, name: 'pppoe-out1', type: 23, speedBps: 100e6, mtu: 1480, role: 'virtual' },
  );
  return out;
}

/** Rows of the wireless registration table; as many are present as clients are associated. */
const MAX_CLIENTS = 16;

/**
 * mtxrWlRtabTable, indexed by (client MAC, ifIndex): MAC, interface, signal (dBm), bytes, rates
 * and uptime per client. Row k exists while more than k clients are associated.
 */
function registrationTable(ifIndex: number, wlanPos: number): Entries {
  const rtab = `${MTX}.1.2.1`;
  const out: Entries = [];
  for (let k = 0; k < MAX_CLIENTS; k++) {
    const mac = [0x02, 0x1a, 0x2b, 0x3c, 0x10, k + 1];
    const index = `${mac.join('.')}.${ifIndex}`;
    const present = (c: Ctx) => c.dev.operUp(wlanPos, c.now) && c.dev.wirelessClients(c.now) > k;
    const row = (col: number, type: number, value: (c: Ctx) => Buffer) => ({
      oid: `${rtab}.${col}.${index}`,
      type,
      value: (c: Ctx) => (present(c) ? value(c) : undefined),
    });
    // Seconds associated (mtxrWlRtabUptime), capped by the device's uptime.
    const connected = (c: Ctx) => Math.floor(Math.min(c.dev.uptimeTicks(c.now), (k + 1) * 360_000) / 100);
    // Each client keeps its own signal level, moving a few dB around it over time.
    const signal = (c: Ctx) => -48 - ((k * 7) % 35) - Math.round(4 * c.dev.jitter(k, c.now));
    out.push(
      row(1, Tag.OctetString, () => octets(Buffer.from(mac))),
      row(2, Tag.Integer, () => integer(ifIndex)),
      row(3, Tag.Integer, (c) => integer(signal(c))),
      // mtxrWlRtabTxBytes / RxBytes (Counter32): what the client downloaded and uploaded so far.
      row(4, Tag.Counter32, (c) => counter32(Math.floor(connected(c) * (20_000 + k * 3_000)))),
      row(5, Tag.Counter32, (c) => counter32(Math.floor(connected(c) * (4_000 + k * 500)))),
      row(8, Tag.Gauge32, (c) => gauge32((signal(c) > -65 ? 144.4e6 : 65e6) - k * 1e6)),
      row(9, Tag.Gauge32, (c) => gauge32((signal(c) > -65 ? 130e6 : 58.5e6) - k * 1e6)),
      row(11, Tag.TimeTicks, (c) => timeTicks(connected(c) * 100)),
    );
  }
  return out;
}

function entries(l: readonly InterfaceLayout[]): Entries {
  const wlan = l.find((i) => i.type === 71)!;
  const wlanPos = l.indexOf(wlan);
  return [
    ...systemGroup({ descr: 'RouterOS RB5009UG+S+', objectId: '1.3.6.1.4.1.14988.1' }),
    ...interfaceGroup(l, { ifX: { hc: true } }),
    ...hostResources(4),
    // RouterOS answers the IPv4 neighbours in ipNetToMediaTable only.
    ...arpGroup([
      { ifIndex: 1, net: '10.255.1', firstHost: 1, hosts: 1 },
      { ifIndex: l.find((i) => i.type === 209)?.ifIndex ?? 1, net: '192.168.88', firstHost: 10, hosts: 12 },
    ]),
    // The uplink's /30 towards the gateway above, the LAN's gateway address, a loopback on the PPPoE client.
    ...ipAddrGroup([
      { ifIndex: 1, address: '10.255.1.2', prefix: 30 },
      { ifIndex: l.find((i) => i.type === 209)?.ifIndex ?? 1, address: '192.168.88.1', prefix: 24 },
      { ifIndex: l.find((i) => i.type === 23)?.ifIndex ?? 1, address: '100.127.255.1', prefix: 32 },
    ]),
    // mtxrWlApTable: client count per wireless interface, following the day.
    { oid: `${MTX}.1.3.1.4.${wlan.ifIndex}`, value: octets('ISP-AP') },
    {
      oid: `${MTX}.1.3.1.6.${wlan.ifIndex}`,
      type: Tag.Counter32,
      value: (c) => counter32(c.dev.operUp(wlanPos, c.now) ? c.dev.wirelessClients(c.now) : 0),
    },
    { oid: `${MTX}.1.3.1.7.${wlan.ifIndex}`, value: integer(5805) },
    ...registrationTable(wlan.ifIndex, wlanPos),
    // mtxrHealth: voltage (dV), temperature (dC); RouterOS 7 also has the gauge table below.
    { oid: `${MTX}.3.8.0`, type: Tag.Integer, value: (c) => integer(Math.round(c.dev.voltage(c.now) * 10)) },
    {
      oid: `${MTX}.3.10.0`,
      type: Tag.Integer,
      value: (c) => integer(Math.round(c.dev.temperature(c.now) * 10)),
    },
    { oid: `${MTX}.3.100.1.2.13`, value: octets('voltage') },
    { oid: `${MTX}.3.100.1.2.14`, value: octets('temperature') },
    {
      oid: `${MTX}.3.100.1.3.13`,
      type: Tag.Integer,
      value: (c) => integer(Math.round(c.dev.voltage(c.now) * 10)),
    },
    {
      oid: `${MTX}.3.100.1.3.14`,
      type: Tag.Integer,
      value: (c) => integer(Math.round(c.dev.temperature(c.now))),
    },
    { oid: `${MTX}.3.100.1.4.13`, value: integer(3) },
    { oid: `${MTX}.3.100.1.4.14`, value: integer(1) },
    // mtxrLicense level and version; mtxrSystem serial (per device) and board name.
    { oid: `${MTX}.4.3.0`, value: integer(4) },
    { oid: `${MTX}.4.4.0`, value: octets('7.16.2') },
    { oid: `${MTX}.7.3.0`, type: Tag.OctetString, value: (c) => octets(serial(c.dev.id)) },
    { oid: `${MTX}.7.9.0`, value: octets('RB5009UG+S+') },
  ];
}

/** MikroTik RB5009-class router. */
export const mikrotik: Profile = {
  name: 'mikrotik',
  summary: 'MikroTik RouterOS router: etherN, sfp-sfpplus1, wlan1, bridge, pppoe-out1; health, wireless',
  layout,
  entries,
  cpuCount: 4,
  memTotalBytes: 1024 * 1024 * 1024,
  namePrefix: 'mt',
};
