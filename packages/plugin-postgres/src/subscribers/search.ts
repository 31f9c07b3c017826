/**
 * Fleet-wide search over storage: PPPoE users, interfaces, IPs and MACs (routers come from the
 * server's registry). Each part reads a bounded number of rows through an index; the hits are
 * ranked exact, prefix, substring; within one class current before past, then most recent first.
 */
import type { Queryable } from '../db/types.js';
import type { SearchHit, SearchOptions } from './query-types.js';
import { searchIps, searchMacs } from './search-bindings.js';
import { searchInterfaceIps } from './search-iface-ips.js';
import { searchInterfaceMacs, searchInterfaces } from './search-interfaces.js';
import { MATCH_RANK } from './search-sql.js';
import { badQuery, parseSearch } from './search-terms.js';
import { searchUsers } from './search-users.js';

/** Default and largest number of hits. */
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 100;
/**
 * Substring matching needs this many characters, covers current rows only (active sessions,
 * current interfaces) and runs only when nothing matched exactly or by prefix: a trigram index
 * serves it where the server has `pg_trgm` (migration 5), else it reads those rows.
 */
export const SUBSTRING_MIN_LENGTH = 3;

interface Ranked {
  hit: SearchHit;
  key: string;
  active: boolean;
  lastSeen: number;
}

function keyOf(h: SearchHit): string {
  switch (h.kind) {
    case 'subscriber':
      return `s\u0000${h.user}`;
    case 'interface':
      return `i\u0000${h.router}\u0000${h.index}`;
    case 'ip':
      // Many routers may hold one address on an interface (a LAN's gateway): one hit each.
      return `ip\u0000${h.source}\u0000${h.ip}${h.source === 'interface' ? `\u0000${h.router}\u0000${h.interface}` : ''}`;
    case 'mac':
      return `m\u0000${h.source}\u0000${h.mac}${h.source === 'interface' ? `\u0000${h.router}\u0000${h.interface}` : ''}`;
    default:
      return `r\u0000${h.id}`;
  }
}

const ranked = (hit: Exclude<SearchHit, { kind: 'router' | 'interface' }>): Ranked => ({
  hit,
  key: keyOf(hit),
  active: hit.active,
  lastSeen: hit.lastSeen,
});

const better = (a: Ranked, b: Ranked) =>
  MATCH_RANK[a.hit.match] - MATCH_RANK[b.hit.match] ||
  Number(b.active) - Number(a.active) ||
  b.lastSeen - a.lastSeen ||
  (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Checks a search limit: 1..`SEARCH_MAX_LIMIT`, default `SEARCH_DEFAULT_LIMIT`. */
export function searchLimit(limit: unknown): number {
  if (limit === undefined) return SEARCH_DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT)
    throw badQuery(`limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}`);
  return limit;
}

async function textPart(
  db: Queryable,
  text: string,
  mode: 'ranked' | 'substring',
  limit: number,
  interfaces = true,
): Promise<Ranked[]> {
  const [users, ifaces] = await Promise.all([
    searchUsers(db, text, mode, limit),
    interfaces ? searchInterfaces(db, text, mode) : [],
  ]);
  return [
    ...users.map(ranked),
    ...ifaces.map(({ hit, lastSeen }) => ({ hit, key: keyOf(hit), active: true, lastSeen })),
  ];
}

/**
 * Searches users, interfaces, IPs and MACs for `q` (see `parseSearch` for what is refused).
 * Substring matches are looked for only when there is no exact or prefix match.
 */
export async function search(db: Queryable, q: unknown, options?: SearchOptions): Promise<SearchHit[]> {
  const terms = parseSearch(q);
  const limit = searchLimit(options?.limit);
  // A whole MAC, an address or a block is no interface's name (user names may be MACs, though).
  const names = !(terms.mac?.full || terms.ip?.kind === 'exact' || terms.text.includes('/'));
  const parts: Array<Promise<Ranked[]>> = [textPart(db, terms.text, 'ranked', limit, names)];
  if (terms.mac) {
    const mac = terms.mac;
    parts.push(searchMacs(db, mac).then((h) => h.map(ranked)));
    parts.push(searchInterfaceMacs(db, mac).then((h) => h.map(ranked)));
  }
  if (terms.ip) {
    const ip = terms.ip;
    parts.push(searchIps(db, ip).then((h) => h.map(ranked)));
    parts.push(searchInterfaceIps(db, ip).then((h) => h.map(ranked)));
  }
  const best = new Map<string, Ranked>();
  const keep = (list: Ranked[]) => {
    for (const r of list) {
      const had = best.get(r.key);
      if (!had || better(r, had) < 0) best.set(r.key, r);
    }
  };
  for (const list of await Promise.all(parts)) keep(list);
  // A MAC or an address is looked up as one; as a substring of names it would only cost a scan.
  const scan = options?.substring !== false && best.size === 0;
  if (scan && terms.text.length >= SUBSTRING_MIN_LENGTH && !terms.mac && !terms.ip) {
    keep(await textPart(db, terms.text, 'substring', limit));
  }
  return [...best.values()]
    .sort(better)
    .slice(0, limit)
    .map((r) => r.hit);
}
