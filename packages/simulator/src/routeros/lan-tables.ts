/**
 * The LAN menus of an emulated BNG, from the DHCP and wireless clients of the subscriber model
 * (`lan-clients.ts`) at the request's time: `/ip/dhcp-server/lease`, `/ip/arp`, the wireless
 * registration table and legacy `/interface/wireless`. Attribute names and formats follow
 * RouterOS 7.16 (the captured lease replies in `../shared/data/routeros`) and MikroTik's manual.
 */
import { formatRosDuration, hashInt } from './format.js';
import {
  associationAt,
  clientMac,
  fleetClients,
  isStaticLease,
  type LeaseSpan,
  leaseAddress,
  leaseAt,
  leaseExpiry,
  leasesBetween,
} from './lan-clients.js';
import type { RouterModel } from './model.js';
import { ipText, macText } from './subscriber-tables.js';
import { mix } from './subscribers.js';
import type { Row } from './tables.js';

const hexId = (n: number) => `*${n.toString(16).toUpperCase()}`;

const HOSTS = [
  'Galaxy-S23',
  'iPhone',
  'DESKTOP-7Q2K',
  'HP-Printer',
  'Android',
  'MacBook-Air',
  'SmartTV',
  'ESP-Cam',
];

/** A lease's host name: the slot's own device, or a visitor's. */
export const leaseHostName = (l: LeaseSpan) =>
  `${HOSTS[(l.visitor ? l.mac : l.j) % HOSTS.length]}-${(l.visitor ? l.mac & 0xfff : l.j).toString(16)}`;

/** The DHCP server of lease slot `j`. */
export const leaseServer = (j: number) => (j % 4 === 3 ? 'guest_dhcp' : 'lan_dhcp');

/** The last stay of a slot that ended before `t` (for `last-seen` of a waiting static lease). */
function lastStay(m: RouterModel, j: number, t: number): LeaseSpan | undefined {
  const spans = leasesBetween(m.subscribers, j, t - 3 * 86_400, t);
  for (let i = spans.length - 1; i >= 0; i--) if ((spans[i] as LeaseSpan).leave <= t) return spans[i];
  return undefined;
}

/** `/ip/dhcp-server/lease`: static leases always listed, dynamic ones while live. */
export function leases(m: RouterModel): Row[] {
  const t = m.unixSeconds();
  const rows: Row[] = [];
  for (let j = 0; j < m.leases; j++) {
    const live = leaseAt(m.subscribers, j, t);
    const fixed = isStaticLease(j);
    if (!live && !fixed) continue;
    const server = leaseServer(j);
    const address = ipText(leaseAddress(m.subscribers, j));
    const span = live ?? lastStay(m, j, t);
    const mac = macText(span?.mac ?? 0xdc_a632_000000 + 0x28_0000 + m.subscribers.index * 4096 + j);
    const row: Row = {
      '.id': fixed ? hexId(j + 1) : hexId(0x1000 + (mix(m.subscribers.seed, j, live?.cycle ?? 0) & 0xffff)),
      address,
      'address-lists': '',
      blocked: 'false',
      comment: '',
      'dhcp-option': '',
      disabled: 'false',
      dynamic: String(!fixed),
      'host-name': span ? leaseHostName(span) : '',
      'last-seen': span
        ? t < span.leave
          ? `${1 + hashInt(m.seed, j, 50)}s`
          : formatRosDuration(t - span.leave)
        : 'never',
      'mac-address': mac,
      radius: 'false',
      server,
      status: live ? 'bound' : 'waiting',
    };
    if (live) {
      row['active-address'] = address;
      row['active-client-id'] = `1:${mac.toLowerCase()}`;
      row['active-mac-address'] = mac;
      row['active-server'] = server;
      row['expires-after'] = formatRosDuration(Math.max(1, leaseExpiry(m.subscribers, live, t) - t));
    }
    if (j % 5 === 0) row['client-id'] = `1:${mac.toLowerCase()}`;
    rows.push(row);
  }
  return rows;
}

/** `/ip/arp`: the upstream gateway, and each DHCP client while it is present. */
export function arp(m: RouterModel): Row[] {
  const t = m.unixSeconds();
  const v7 = m.profile.name !== 'v6';
  const entry = (id: number, address: string, mac: string, iface: string, dhcp: boolean, stale: boolean) => {
    const row: Row = {
      '.id': hexId(id),
      address,
      'mac-address': mac,
      interface: iface,
      published: 'false',
      invalid: 'false',
      DHCP: String(dhcp),
      dynamic: 'true',
      complete: 'true',
      disabled: 'false',
    };
    if (v7) row.status = stale ? 'stale' : 'reachable';
    return row;
  };
  const p = m.subscribers;
  const rows = [
    entry(1, ipText(0x0affff01 + p.index * 4), macText(0x4c5e0c_ff0000 + p.index), 'ether1', false, false),
  ];
  for (let j = 0; j < m.leases; j++) {
    const live = leaseAt(p, j, t);
    if (!live || t >= live.leave) continue;
    const iface = leaseServer(j) === 'guest_dhcp' ? 'vlan-guest' : 'bridge';
    rows.push(
      entry(
        0x100 + j,
        ipText(leaseAddress(p, j)),
        macText(live.mac),
        iface,
        true,
        hashInt(m.seed, j, 5) === 0,
      ),
    );
  }
  return rows;
}

/** The SSID of radio `radio` (the same on every router: one network to roam in). */
export const ssidOf = (radio: number) => (radio === 0 ? 'isp-wifi' : 'isp-wifi-5g');

/** The wireless registration table: the fleet's clients associated to this router now. */
export function registrations(m: RouterModel): Row[] {
  const t = m.unixSeconds();
  const p = m.subscribers;
  const legacy = m.profile.wireless.shape === 'legacy';
  const rows: Row[] = [];
  for (let c = 0; c < fleetClients(p); c++) {
    const a = associationAt(p, c, t);
    if (!a || a.router !== p.index) continue;
    const up = t - a.from;
    const signal = -45 - (mix(p.seed, c, Math.floor(t / 60)) % 40);
    const bytesTx = Math.floor(up * (2000 + (c % 50) * 400));
    const row: Row = {
      '.id': hexId(0x200 + (mix(p.seed, c, a.epoch) & 0xffff)),
      interface: legacy ? `wlan${a.radio + 1}` : `wifi${a.radio + 1}`,
      'mac-address': macText(clientMac(c)),
      uptime: formatRosDuration(up),
      bytes: `${bytesTx},${Math.floor(bytesTx / 3)}`,
      packets: `${Math.floor(bytesTx / 900)},${Math.floor(bytesTx / 2700)}`,
      'last-activity': '10ms',
    };
    if (legacy) {
      row['signal-strength'] = `${signal}@${c % 2 ? 'HT20-7' : '6Mbps'}`;
      row['tx-rate'] = '65Mbps-20MHz/1S/SGI';
      row['rx-rate'] = '6Mbps';
      row['tx-ccq'] = '91';
    } else {
      row.signal = String(signal);
      row['tx-rate'] = '866.6Mbps-80MHz/2S/SGI';
      row['rx-rate'] = '585Mbps-80MHz/2S';
      row.ssid = ssidOf(a.radio);
      row.band = a.radio === 0 ? '2ghz-n' : '5ghz-ac';
      row.authorized = 'true';
    }
    rows.push(row);
  }
  return rows;
}

/** Legacy `/interface/wireless`: the two radios with their SSIDs (the v6 registration table has none). */
export function wirelessInterfaces(m: RouterModel): Row[] {
  return [0, 1].map((radio) => ({
    '.id': hexId(0x40 + radio),
    name: `wlan${radio + 1}`,
    'default-name': `wlan${radio + 1}`,
    'interface-type': radio === 0 ? 'Atheros AR9300' : 'Atheros AR9888',
    mode: 'ap-bridge',
    ssid: ssidOf(radio),
    band: radio === 0 ? '2ghz-b/g/n' : '5ghz-a/n/ac',
    frequency: radio === 0 ? '2437' : '5180',
    'channel-width': radio === 0 ? '20/40mhz-XX' : '20/40/80mhz-XXXX',
    'wireless-protocol': '802.11',
    'mac-address': macText(0x4c5e0c_fe0000 + m.subscribers.index * 2 + radio),
    mtu: '1500',
    l2mtu: '1600',
    running: 'true',
    disabled: 'false',
  }));
}
