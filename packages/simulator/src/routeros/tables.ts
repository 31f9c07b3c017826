/**
 * The menus an emulated router answers, computed from its model at the time of the request.
 * Attribute names and value formats follow the RouterOS 7.16 replies captured in
 * `../shared/data/routeros` (checked by a test); v6 differences come from the profile.
 */
import { formatRosDate, formatRosDuration, hashInt, ipOf, macOf } from './format.js';
import type { RouterModel } from './model.js';

/** One reply row. */
export type Row = Record<string, string>;

const id = (n: number) => `*${n.toString(16).toUpperCase()}`;
const int = (n: number) => String(Math.floor(n));

function resource(m: RouterModel): Row[] {
  const t = m.elapsed();
  const load = Math.round(20 + 15 * Math.sin(t / 60 + m.seed));
  const total = 1024 * 1024 * 1024;
  const row: Row = {
    'architecture-name': m.profile.name === 'v6' ? 'mipsbe' : 'arm64',
    'board-name': m.profile.name === 'v6' ? 'RB952Ui-5ac2nD' : 'CCR2004-16G-2S+',
    'build-time': '2024-09-20 13:00:27',
    cpu: 'ARM64',
    'cpu-count': '4',
    'cpu-frequency': '1700',
    'cpu-load': String(Math.max(0, Math.min(100, load))),
    'factory-software': '7.1',
    'free-hdd-space': '98000896',
    'free-memory': String(total - 200_000_000 - hashInt(m.seed, Math.floor(t / 10), 50_000_000)),
    platform: 'MikroTik',
    'total-hdd-space': '134217728',
    'total-memory': String(total),
    uptime: formatRosDuration(m.bootUptime + t),
    version: m.profile.version,
    'write-sect-since-reboot': '17390',
    'write-sect-total': '45359',
  };
  if (m.profile.name === 'v6') row['bad-blocks'] = '0';
  return [row];
}

function health(m: RouterModel): Row[] {
  const wobble = hashInt(m.seed, Math.floor(m.elapsed() / 30), 5);
  if (m.profile.health === 'flat') {
    return [{ voltage: '24.1', temperature: String(36 + wobble), 'cpu-temperature': String(44 + wobble) }];
  }
  return [
    { '.id': '*D', name: 'cpu-temperature', value: String(44 + wobble), type: 'C' },
    { '.id': '*E', name: 'board-temperature1', value: String(36 + wobble), type: 'C' },
    { '.id': '*F', name: 'voltage', value: '24.1', type: 'V' },
    { '.id': '*10', name: 'fan1-speed', value: '3800', type: 'RPM' },
  ];
}

function interfaces(m: RouterModel): Row[] {
  const t = m.elapsed();
  return m.interfaceNames.map((name, i) => {
    const disabled = i % 11 === 10;
    const running = !disabled && i % 7 !== 6;
    const rate = running ? 100_000 + hashInt(m.seed, i, 10_000_000) : 0;
    const rx = 1_000_000_000 + hashInt(m.seed, i + 1000, 1_000_000_000) + Math.floor(rate * t);
    const tx = Math.floor(rx / 4);
    const row: Row = {
      '.id': id(i + 1),
      'actual-mtu': '1500',
      'default-name': name,
      disabled: String(disabled),
      'fp-rx-byte': int(rx * 0.9),
      'fp-rx-packet': int(rx / 900),
      'fp-tx-byte': '0',
      'fp-tx-packet': '0',
      l2mtu: '1598',
      'link-downs': String(running ? 0 : 1 + (i % 3)),
      'mac-address': macOf(m.seed * 64 + i),
      'max-l2mtu': '9214',
      mtu: '1500',
      name,
      running: String(running),
      'rx-byte': int(rx),
      'rx-drop': int(rx / 5e8),
      'rx-error': int(rx / 1e9),
      'rx-packet': int(rx / 800),
      'tx-byte': int(tx),
      'tx-drop': '0',
      'tx-error': '0',
      'tx-packet': int(tx / 700),
      'tx-queue-drop': int(tx / 2e9),
      type: 'ether',
    };
    if (running) row['last-link-up-time'] = formatRosDate(m.startedAt - m.bootUptime * 1000 + 60_000);
    if (i % 3 === 1) row.slave = 'true';
    return row;
  });
}

/** Where a session slot is in its cycle at `t`: up or not, cycle number, seconds up. */
export function sessionSlot(
  m: RouterModel,
  slot: number,
  t: number,
): { up: boolean; cycle: number; uptime: number } {
  const period = Math.max(20, Math.floor(m.sessionLifetime * (0.5 + hashInt(m.seed, slot, 100) / 100)));
  const shifted = t + hashInt(m.seed + 7, slot, period) + m.bootUptime;
  const phase = shifted % period;
  return { up: phase < period * 0.9, cycle: Math.floor(shifted / period), uptime: phase };
}

function pppActive(m: RouterModel): Row[] {
  const t = m.elapsed();
  const rows: Row[] = [];
  for (let s = 0; s < m.pppSessions; s++) {
    const slot = sessionSlot(m, s, t);
    if (!slot.up) continue;
    rows.push({
      '.id': id(0x800000 + slot.cycle * m.pppSessions + s),
      name: `user${s}@isp`,
      service: 'pppoe',
      'caller-id': macOf(0x10000 + s, 0x001122),
      encoding: '',
      address: ipOf(100, s),
      uptime: formatRosDuration(slot.uptime),
      'session-id': `0x${(0x81000000 + s).toString(16).toUpperCase()}`,
      'limit-bytes-in': '0',
      'limit-bytes-out': '0',
      radius: 'false',
    });
  }
  return rows;
}

function leases(m: RouterModel): Row[] {
  const t = m.elapsed();
  const rows: Row[] = [];
  for (let j = 0; j < m.leases; j++) {
    const bound = hashInt(m.seed + 3, j * 1000 + Math.floor(t / 600), 10) !== 0;
    const server = j % 4 === 3 ? 'guest_dhcp' : 'lan_dhcp';
    const mac = macOf(0x20000 + j, 0x001122);
    const row: Row = {
      '.id': id(j + 1),
      address: ipOf(10, j),
      'address-lists': '',
      blocked: 'false',
      comment: '',
      'dhcp-option': '',
      disabled: 'false',
      dynamic: String(j % 2 === 0),
      'host-name': `host-${j}`,
      'last-seen': formatRosDuration(hashInt(m.seed, j, 600)),
      'mac-address': mac,
      radius: 'false',
      server,
      status: bound ? 'bound' : 'waiting',
    };
    if (bound) {
      row['active-address'] = row.address as string;
      row['active-client-id'] = `1:${mac.toLowerCase()}`;
      row['active-mac-address'] = mac;
      row['active-server'] = server;
      row['expires-after'] = formatRosDuration(1800 - ((t + j * 7) % 1800));
    }
    if (j % 5 === 0) row['client-id'] = `1:${mac.toLowerCase()}`;
    rows.push(row);
  }
  return rows;
}

function registrations(m: RouterModel): Row[] {
  const t = m.elapsed();
  const legacy = m.profile.wireless.shape === 'legacy';
  return Array.from({ length: m.wirelessClients }, (_, c) => {
    const signal = -45 - hashInt(m.seed, c * 100 + Math.floor(t / 60), 40);
    const bytesTx = 1_000_000 + Math.floor(t * (1000 + c));
    const row: Row = {
      '.id': id(c + 1),
      interface: legacy ? `wlan${(c % 2) + 1}` : `wifi${(c % 2) + 1}`,
      'mac-address': macOf(0x30000 + c, 0x002233),
      uptime: formatRosDuration(600 + c * 13 + t),
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
      row.ssid = 'isp-wifi';
      row.band = '5ghz-ac';
      row.authorized = 'true';
    }
    return row;
  });
}

function queues(m: RouterModel): Row[] {
  const t = m.elapsed();
  return Array.from({ length: m.queues }, (_, q) => {
    const up = 10_000 + Math.floor(t * (500 + q));
    return {
      '.id': id(q + 1),
      name: `queue${q}`,
      target: `${ipOf(100, q)}/32`,
      'max-limit': '10000000/50000000',
      bytes: `${up}/${up * 5}`,
      packets: `${Math.floor(up / 800)}/${Math.floor(up / 160)}`,
      rate: '0/0',
      disabled: 'false',
    };
  });
}

function bgp(m: RouterModel): Row[] {
  return Array.from({ length: m.bgpPeers }, (_, p) => {
    const up = p % 2 === 0;
    const remote = `10.255.0.${p + 1}`;
    if (m.profile.bgp.shape === 'peer') {
      return {
        '.id': id(p + 1),
        name: `peer${p}`,
        instance: 'default',
        'remote-address': remote,
        'remote-as': String(64_600 + p),
        state: up ? 'established' : 'active',
        'prefix-count': up ? String(1000 + p) : '0',
        disabled: 'false',
      };
    }
    const row: Row = {
      '.id': id(p + 1),
      name: `peer${p}-1`,
      'remote.address': remote,
      'remote.as': String(64_600 + p),
    };
    if (up) {
      row.established = 'true';
      row['prefix-count'] = String(1000 + p);
      row.uptime = formatRosDuration(m.elapsed() + 3600);
    }
    return row;
  });
}

function neighbours(m: RouterModel): Row[] {
  return Array.from({ length: m.neighbours }, (_, n) => {
    const mikrotik = n % 2 === 0;
    const row: Row = {
      '.id': id(n + 1),
      interface: m.interfaceNames[n % Math.max(1, m.interfaceNames.length)] ?? 'ether1',
      address: `10.0.0.${n + 1}`,
      'mac-address': macOf(0x40000 + n),
      identity: `neighbour-${n}`,
      platform: mikrotik ? 'MikroTik' : 'Cisco IOS',
      board: mikrotik ? 'RB5009UG+S+' : 'WS-C2960',
      'interface-name': mikrotik ? 'ether1' : 'GigabitEthernet0/1',
    };
    if (m.profile.discoveredBy) row['discovered-by'] = mikrotik ? 'mndp,lldp' : 'cdp';
    return row;
  });
}

/** Rows of `path` (a menu, without `/print`), or undefined when this router has no such menu. */
export function menuRows(m: RouterModel, path: string): Row[] | undefined {
  if (m.missingMenus.has(path)) return undefined;
  switch (path) {
    case '/system/resource':
      return resource(m);
    case '/system/identity':
      return [{ name: m.identity }];
    case '/system/package':
      return m.packages().map((p, i) => ({ '.id': id(i + 1), ...p, disabled: 'false' }));
    case '/system/health':
      return health(m);
    case '/interface':
      return interfaces(m);
    case '/ppp/active':
      return pppActive(m);
    case '/ip/dhcp-server/lease':
      return leases(m);
    case '/queue/simple':
      return queues(m);
    case '/ip/neighbor':
      return neighbours(m);
    case m.profile.bgp.path:
      return m.packages().some((p) => p.name === 'routing') || m.profile.name !== 'v6' ? bgp(m) : undefined;
    case m.profile.wireless.path:
      return m.hasWireless ? registrations(m) : undefined;
    case '/caps-man/registration-table':
      return m.profile.capsman && m.hasWireless ? [] : undefined;
    default:
      return undefined;
  }
}
