/**
 * `/ip/address` and `/ipv6/address` of an emulated router, unique per router of a fleet: each
 * routed port (not a bridge port) has a point-to-point /30 from 172.16.0.0/12 (a /26 per router,
 * so 16,384 routers before they repeat), the first port also the router's loopback /32 from
 * 172.28.0.0/14, and each routed port a /64 of 2001:db8:<router>::/48 besides its link-local
 * address. None of these ranges overlaps the subscriber addresses (`subscribers.ts`,
 * `lan-clients.ts`). Attribute names follow MikroTik's manual (`/ip address print detail`).
 */
import type { RouterModel } from './model.js';
import { ipText } from './subscriber-tables.js';
import type { Row } from './tables.js';

const id = (n: number) => `*${n.toString(16).toUpperCase()}`;

/** Ports with addresses: every one but bridge ports (`slave` in `/interface`), at most 16. */
function routedPorts(m: RouterModel): Array<{ i: number; name: string }> {
  return m.interfaceNames
    .map((name, i) => ({ i, name }))
    .filter(({ i }) => i % 3 !== 1)
    .slice(0, 16);
}

/** The router's number in its fleet, which keeps its addresses apart from the others'. */
const routerNo = (m: RouterModel) => m.subscribers.index % 16_384;

/** `/ip/address`: a /30 per routed port (the router holds the first host), and a loopback /32. */
export function ipAddresses(m: RouterModel): Row[] {
  const n = routerNo(m);
  const rows: Row[] = routedPorts(m).map(({ i, name }, k) => {
    const net = 0xac100000 + n * 64 + k * 4;
    return {
      '.id': id(k + 1),
      address: `${ipText(net + 1)}/30`,
      network: ipText(net),
      interface: name,
      'actual-interface': name,
      invalid: 'false',
      dynamic: 'false',
      disabled: String(i % 11 === 10),
      comment: '',
    };
  });
  const first = m.interfaceNames[0];
  if (first !== undefined) {
    const loopback = ipText(0xac1c0000 + n + 1);
    rows.push({
      '.id': id(rows.length + 1),
      address: `${loopback}/32`,
      network: loopback,
      interface: first,
      'actual-interface': first,
      invalid: 'false',
      dynamic: 'false',
      disabled: 'false',
      comment: 'loopback',
    });
  }
  return rows;
}

/** `/ipv6/address`: a global /64 and the link-local address of each routed port. */
export function ipv6Addresses(m: RouterModel): Row[] {
  const n = routerNo(m);
  const rows: Row[] = [];
  for (const { i, name } of routedPorts(m)) {
    const row = (address: string, linkLocal: boolean): Row => ({
      '.id': id(rows.length + 1),
      address,
      'from-pool': '',
      interface: name,
      'actual-interface': name,
      eui64: 'false',
      advertise: String(!linkLocal),
      'no-dad': 'false',
      invalid: 'false',
      dynamic: String(linkLocal),
      'link-local': String(linkLocal),
      disabled: 'false',
    });
    rows.push(row(`2001:db8:${n.toString(16)}:${(i + 1).toString(16)}::1/64`, false));
    rows.push(
      row(`fe80::${((m.seed * 64 + i) & 0xffff).toString(16)}:ff:fe00:${(i + 1).toString(16)}/64`, true),
    );
  }
  return rows;
}
