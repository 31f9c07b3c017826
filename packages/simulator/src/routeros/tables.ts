/**
 * The menus an emulated router answers, computed from its model at the time of the request.
 * Attribute names and value formats follow the RouterOS 7.16 replies captured in
 * `../shared/data/routeros` (checked by a test); v6 differences come from the profile.
 */
import { ipAddresses, ipv6Addresses } from './addresses.js';
import { bondInterfaces, bondingRows } from './bonding.js';
import { linkUp, portDisabled, portRunning, portType } from './ethernet.js';
import { formatRosDate, formatRosDuration, hashInt, ipOf, macOf } from './format.js';
import { arp, leases, registrations, wirelessInterfaces } from './lan-tables.js';
import type { RouterModel } from './model.js';
import { pppActive, pppoeInterfaces } from './subscriber-tables.js';

/** One reply row. */
export type Row = Record<string, string>;

/** `total-memory` of every emulated router. */
export const TOTAL_MEMORY = 1024 * 1024 * 1024;

const id = (n: number) => `*${n.toString(16).toUpperCase()}`;
const int = (n: number) => String(Math.floor(n));

function resource(m: RouterModel): Row[] {
  const t = m.elapsed();
  const { load, usedMemory } = resourceAt(m, t);
  const row: Row = {
    'architecture-name': m.profile.name === 'v6' ? 'mipsbe' : 'arm64',
    'board-name': m.profile.name === 'v6' ? 'RB952Ui-5ac2nD' : 'CCR2004-16G-2S+',
    'build-time': '2024-09-20 13:00:27',
    cpu: 'ARM64',
    'cpu-count': '4',
    'cpu-frequency': '1700',
    'cpu-load': String(load),
    'factory-software': '7.1',
    'free-hdd-space': '98000896',
    'free-memory': String(TOTAL_MEMORY - usedMemory),
    platform: 'MikroTik',
    'total-hdd-space': '134217728',
    'total-memory': String(TOTAL_MEMORY),
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

/**
 * Bytes received and sent by interface `i` at `t` seconds after the emulator started (negative:
 * before it): counted since the router booted, so the demo's history has them too.
 */
export function interfaceBytes(m: RouterModel, i: number, t: number): [number, number] {
  if (!portRunning(i)) return [0, 0];
  const rate = 100_000 + hashInt(m.seed, i, 10_000_000);
  const rx = hashInt(m.seed, i + 1000, 1_000_000_000) + Math.floor(rate * Math.max(0, m.bootUptime + t));
  return [rx, Math.floor(rx / 4)];
}

/** CPU load (percent) and memory in use (bytes) at `t` seconds after the emulator started. */
export function resourceAt(m: RouterModel, t: number): { load: number; usedMemory: number } {
  const load = Math.max(0, Math.min(100, Math.round(20 + 15 * Math.sin(t / 60 + m.seed))));
  return { load, usedMemory: 200_000_000 + hashInt(m.seed, Math.floor(t / 10), 50_000_000) };
}

function interfaces(m: RouterModel): Row[] {
  const ports = physicalPorts(m);
  return m.bonds.size > 0 ? [...ports, ...bondInterfaces(m, ports)] : ports;
}

function physicalPorts(m: RouterModel): Row[] {
  const t = m.elapsed();
  return m.interfaceNames.map((name, i) => {
    const disabled = portDisabled(i);
    const running = linkUp(m, i);
    const [rx, tx] = interfaceBytes(m, i, t);
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
      'link-downs': String((portRunning(i) ? 0 : 1 + (i % 3)) + (m.extraLinkDowns.get(i) ?? 0)),
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
      type: portType(name),
    };
    if (running) row['last-link-up-time'] = formatRosDate(m.startedAt - m.bootUptime * 1000 + 60_000);
    if (i % 3 === 1) row.slave = 'true';
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
    const up = !m.bgpPeerDown(p);
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

/** The menus every router has, by path (without `/print`): each gives its rows, or undefined when absent. */
const MENUS: Readonly<Record<string, (m: RouterModel) => Row[] | undefined>> = {
  '/system/resource': resource,
  '/system/identity': (m) => [{ name: m.identity }],
  '/system/package': (m) => m.packages().map((p, i) => ({ '.id': id(i + 1), ...p, disabled: 'false' })),
  '/system/health': health,
  '/interface': (m) => (m.pppSessions > 0 ? [...interfaces(m), ...pppoeInterfaces(m)] : interfaces(m)),
  '/interface/bonding': bondingRows,
  '/ip/arp': arp,
  '/ip/address': ipAddresses,
  '/ipv6/address': ipv6Addresses,
  '/interface/wireless': (m) =>
    m.hasWireless && m.profile.wireless.shape === 'legacy' ? wirelessInterfaces(m) : undefined,
  '/ppp/active': pppActive,
  '/ip/dhcp-server/lease': leases,
  '/queue/simple': queues,
  '/ip/neighbor': neighbours,
};

/** Rows of `path` (a menu, without `/print`), or undefined when this router has no such menu. */
export function menuRows(m: RouterModel, path: string): Row[] | undefined {
  if (m.missingMenus.has(path)) return undefined;
  const menu = Object.hasOwn(MENUS, path) ? MENUS[path] : undefined;
  if (menu) return menu(m);
  // The BGP and wireless menus move between RouterOS releases: the profile says where.
  if (path === m.profile.bgp.path) {
    return m.packages().some((p) => p.name === 'routing') || m.profile.name !== 'v6' ? bgp(m) : undefined;
  }
  if (path === m.profile.wireless.path) return m.hasWireless ? registrations(m) : undefined;
  if (path === '/caps-man/registration-table') return m.profile.capsman && m.hasWireless ? [] : undefined;
  return undefined;
}
