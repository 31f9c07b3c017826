/**
 * `/interface/ethernet/monitor`: the link state of ethernet ports, as RouterOS reports it (one
 * `!re` per port named in `numbers`, with `name`, `status` and, when the link is up, the
 * negotiated `rate` such as `1Gbps`, `2.5Gbps` or `10Gbps`). No captured reply of this command is
 * in `../shared/data/routeros`: the attribute names and values follow MikroTik's Ethernet manual
 * (help.mikrotik.com, "Ethernet", monitor) for RouterOS 7 and 6.
 */
import { hashInt } from './format.js';
import type { RouterModel } from './model.js';
import type { Row } from './tables.js';

/** Link rates the emulator negotiates, by how often they occur (most ports are gigabit). */
const RATES = ['1Gbps', '1Gbps', '1Gbps', '100Mbps', '2.5Gbps', '10Gbps'] as const;

/**
 * The `/interface` type of a port, from its name (names taken from a recording include bridges
 * and radios): `ether` for everything else, SFP cages included, as RouterOS does.
 */
export function portType(name: string): string {
  if (/^wlan\d/.test(name)) return 'wlan';
  if (/^bridge/.test(name)) return 'bridge';
  if (/^vlan/.test(name)) return 'vlan';
  if (/^bond/.test(name)) return 'bond';
  return 'ether';
}

/** Whether ethernet port `i` is disabled / has a link: the same rule as `/interface` rows. */
export const portDisabled = (i: number): boolean => i % 11 === 10;
/** Whether ethernet port `i` has a link by the seeded plan (not disabled, cable in). */
export const portRunning = (i: number): boolean => !portDisabled(i) && i % 7 !== 6;

/** Whether port `i` has a link now: by the plan, unless a test pulled it (`RouterModel.setLink`). */
export const linkUp = (m: RouterModel, i: number): boolean => portRunning(i) && !m.pulledLinks.has(i);

/**
 * The negotiated rate of port `i`, or undefined when it has no link. The first port is the
 * router's uplink (an SFP+ at 10 Gbit/s); the others get a seeded rate.
 */
export function portRate(m: RouterModel, i: number): string | undefined {
  if (!linkUp(m, i)) return undefined;
  if (i === 0) return '10Gbps';
  return RATES[hashInt(m.seed, i + 5000, RATES.length)];
}

/** `advertising` of a port: v7.12+ names link modes (`1G-baseT-full`), older versions `1000M-full`. */
function advertising(m: RouterModel): string {
  const modern = m.profile.name === 'v7.16' || m.profile.name === 'v7.18';
  return modern
    ? '10M-baseT-half,10M-baseT-full,100M-baseT-half,100M-baseT-full,1G-baseT-half,1G-baseT-full,2.5G-baseT,10G-baseT'
    : '10M-half,10M-full,100M-half,100M-full,1000M-half,1000M-full';
}

/** One monitor row of port `i`. */
function monitorRow(m: RouterModel, i: number): Row {
  const name = m.interfaceNames[i] as string;
  const rate = portRate(m, i);
  if (rate === undefined) {
    return { name, status: 'no-link', 'auto-negotiation': 'incomplete', advertising: advertising(m) };
  }
  return {
    name,
    status: 'link-ok',
    'auto-negotiation': 'done',
    rate,
    'full-duplex': 'true',
    'tx-flow-control': 'false',
    'rx-flow-control': 'false',
    advertising: advertising(m),
    'link-partner-advertising': advertising(m),
  };
}

/** What `monitor` answers: the rows in the order asked, or the message of a trap. */
export type MonitorReply = { rows: Row[] } | { trap: string };

/**
 * Answers `/interface/ethernet/monitor =numbers=…`: `numbers` lists ports by name or by `.id`
 * (`*1`), comma-separated. A port that does not exist fails the whole command, as on RouterOS.
 */
export function ethernetMonitor(m: RouterModel, numbers: string | undefined): MonitorReply {
  if (numbers === undefined || numbers === '') return { trap: 'missing value(s) of argument(s) numbers' };
  const rows: Row[] = [];
  for (const item of numbers.split(',')) {
    const key = item.trim();
    let i = m.interfaceNames.indexOf(key);
    if (i < 0 && /^\*[0-9A-F]+$/i.test(key)) {
      const n = Number.parseInt(key.slice(1), 16) - 1;
      if (n >= 0 && n < m.interfaceNames.length) i = n;
    }
    if (i < 0 || portType(m.interfaceNames[i] as string) !== 'ether') return { trap: 'no such item' };
    rows.push(monitorRow(m, i));
  }
  return { rows };
}
