/** Search parts from the current interfaces: by name, alias or description, and by MAC. */
import type { Queryable } from '../db/types.js';
import type { InterfaceHit, MacHit, Match } from './query-types.js';
import { formatMac, type MacTerm } from './search-address.js';
import { IFACE_MAC, IFACE_TEXT } from './search-schema.js';
import { CANDIDATES, macCondition, ms, Params, run, str, textCondition } from './search-sql.js';

interface Row {
  device: string;
  if_index: string;
  name: string;
  alias: string | null;
  description: string | null;
  mac: string | null;
  oper_up: boolean | null;
  last_seen: number;
  first_seen: number;
  exact?: boolean;
}

const COLS = `device, if_index, name, alias, description, mac, oper_up, ${ms('first_seen')} AS first_seen, ${ms('last_seen')} AS last_seen`;

/**
 * Current interfaces whose name, alias or description matches `text` exactly or by prefix
 * (`'ranked'`), or contains it (`'substring'`), with their last poll; one statement.
 */
export async function searchInterfaces(
  db: Queryable,
  text: string,
  mode: 'ranked' | 'substring',
): Promise<Array<{ hit: InterfaceHit; lastSeen: number }>> {
  const p = new Params();
  const t = p.add(text);
  // Each column in its own branch, so each can use its index (migration 5); UNION drops an
  // interface met twice. A substring is looked for in all three columns at once (the trigram
  // index's expression, where there is one).
  const branch = (expr: string, match: Match) =>
    `(SELECT ${COLS}, (lower(name) = ${t} OR lower(alias) = ${t} OR lower(description) = ${t}) AS exact
        FROM ispm_interfaces WHERE ended_at IS NULL AND ${textCondition(expr, match, text, p)}
       ${match === 'prefix' ? `ORDER BY ${expr} USING ~<~` : ''} LIMIT ${CANDIDATES})`;
  // A prefix range in index order starts with the exact value: one branch per column serves both.
  const sql =
    mode === 'substring'
      ? branch(IFACE_TEXT, 'substring')
      : ['lower(name)', 'lower(alias)', 'lower(description)'].map((c) => branch(c, 'prefix')).join(' UNION ');
  const rows = await run<Row>(db, sql, p);
  const matchOf = (r: Row): Match =>
    mode === 'substring' ? 'substring' : r.exact === true ? 'exact' : 'prefix';
  return rows.map((r) => ({
    hit: {
      kind: 'interface',
      router: r.device,
      index: r.if_index,
      name: r.name,
      alias: str(r.alias),
      description: str(r.description),
      mac: r.mac === null ? null : formatMac(r.mac.toLowerCase().replace(/[^0-9a-f]/g, '')),
      operUp: r.oper_up ?? null,
      match: matchOf(r),
    },
    lastSeen: Number(r.last_seen),
  }));
}

/** Current (and past) interfaces with a MAC matching `mac`: MAC hits of source `interface`. */
export async function searchInterfaceMacs(db: Queryable, mac: MacTerm): Promise<MacHit[]> {
  const p = new Params();
  const sql = `SELECT ${COLS}, ended_at IS NULL AS active FROM ispm_interfaces
                WHERE mac IS NOT NULL AND ${macCondition(IFACE_MAC, mac.hex, mac.full, p)} LIMIT ${CANDIDATES}`;
  const rows = await run<Row & { active: boolean }>(db, sql, p);
  return rows.map((r) => ({
    kind: 'mac',
    mac: formatMac(
      String(r.mac)
        .toLowerCase()
        .replace(/[^0-9a-f]/g, ''),
    ),
    source: 'interface',
    router: r.device,
    user: null,
    address: null,
    interface: r.name,
    active: r.active === true,
    since: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    match: mac.full ? 'exact' : 'prefix',
  }));
}
