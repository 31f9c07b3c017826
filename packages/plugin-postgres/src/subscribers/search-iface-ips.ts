/**
 * Search part: addresses of routers' interfaces (`ispm_interface_addresses`, migration 6), exact,
 * by block or by textual prefix like the other IP sources. One hit per router, interface and
 * address: the current row, else the latest. The interface's name comes from `ispm_interfaces`
 * (its current name, or its last one when it is gone).
 */
import type { Queryable } from '../db/types.js';
import type { IpHit, Match } from './query-types.js';
import type { IpTerm } from './search-address.js';
import { CANDIDATES, ipCondition, ms, Params, run, str } from './search-sql.js';

interface Row {
  device: string;
  if_index: string;
  address: string;
  iface: string | null;
  active: boolean;
  since: number;
  last_seen: number;
}

/**
 * Current rows that match, then ended ones, at most `CANDIDATES` of each: for an exact address
 * the latest ended, for a prefix or a block the first in address order (an index scan that
 * stops at the limit).
 */
export async function searchInterfaceIps(db: Queryable, ip: IpTerm): Promise<IpHit[]> {
  const exact = ip.kind === 'exact';
  const match: Match = exact ? 'exact' : 'prefix';
  const p = new Params();
  const cond = ipCondition('address', ip, p);
  const cap = p.add(CANDIDATES);
  const part = (current: boolean) => `
    (SELECT a.device, a.if_index, host(a.address) AS address, i.name AS iface, ${current} AS active,
            ${ms('a.first_seen')} AS since, ${ms('a.last_seen')} AS last_seen
       FROM (SELECT * FROM ispm_interface_addresses
              WHERE ${cond} AND ended_at IS ${current ? '' : 'NOT '}NULL
              ORDER BY ${exact ? (current ? 'last_seen DESC' : 'ended_at DESC') : 'address'} LIMIT ${cap}) a
       LEFT JOIN ispm_interfaces i ON i.device = a.device AND i.if_index = a.if_index)`;
  const rows = await run<Row>(db, `${part(true)} UNION ALL ${part(false)}`, p);
  rows.sort((a, b) => Number(b.active) - Number(a.active) || Number(b.last_seen) - Number(a.last_seen));
  const seen = new Set<string>();
  const hits: IpHit[] = [];
  for (const r of rows) {
    const key = `${r.device}\u0000${r.if_index}\u0000${r.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    hits.push({
      kind: 'ip',
      ip: String(r.address),
      source: 'interface',
      router: r.device,
      user: null,
      mac: null,
      hostName: null,
      interface: str(r.iface) ?? String(r.if_index),
      active: r.active === true,
      since: Number(r.since),
      lastSeen: Number(r.last_seen),
      match,
    });
  }
  return hits;
}
