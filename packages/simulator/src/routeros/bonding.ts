/**
 * Bonding interfaces (`/interface/bonding`): a bond is listed in `/interface` after the ports, of
 * type `bond`, running while one of its slaves has a link, its counters the sum of its slaves';
 * `/interface/bonding` lists its `slaves` (comma-separated names) and `mode`.
 */
import type { RouterModel } from './model.js';
import type { Row } from './tables.js';

/** The port counters a bond sums: rx- and tx- bytes, packets, errors and drops. */
const COUNTERS = ['byte', 'packet', 'error', 'drop'].flatMap((c) => [`rx-${c}`, `tx-${c}`]);
const id = (n: number) => `*${n.toString(16).toUpperCase()}`;

/** The `/interface` rows of the bonds, from the rows of the ports (`ports`, in model order). */
export function bondInterfaces(m: RouterModel, ports: readonly Row[]): Row[] {
  const byName = new Map(ports.map((r) => [r.name, r]));
  let n = m.interfaceNames.length;
  const rows: Row[] = [];
  for (const [name, slaves] of m.bonds) {
    const members = slaves.map((s) => byName.get(s)).filter((r): r is Row => r !== undefined);
    const row: Row = {
      '.id': id(++n),
      name,
      type: 'bond',
      mtu: '1500',
      'actual-mtu': '1500',
      disabled: 'false',
      running: String(members.some((r) => r.running === 'true')),
      'link-downs': '0',
      'mac-address': members[0]?.['mac-address'] ?? '00:00:00:00:00:00',
    };
    for (const c of COUNTERS) row[c] = String(members.reduce((sum, r) => sum + Number(r[c] ?? 0), 0));
    rows.push(row);
  }
  return rows;
}

/** `/interface/bonding` rows. */
export function bondingRows(m: RouterModel): Row[] {
  let n = 0;
  return [...m.bonds].map(([name, slaves]) => ({
    '.id': id(++n),
    name,
    slaves: slaves.join(','),
    mode: '802.3ad',
    'transmit-hash-policy': 'layer-2-and-3',
    'lacp-rate': '30secs',
    'link-monitoring': 'mii',
    'mii-interval': '100ms',
    mtu: '1500',
    disabled: 'false',
  }));
}
