/** Search part: PPPoE users, current and past, one hit per user with where they are (or were last). */
import type { Queryable } from '../db/types.js';
import type { Match, SubscriberHit } from './query-types.js';
import { formatMac } from './search-address.js';
import { CANDIDATES, ms, Params, run, str, textCondition } from './search-sql.js';

interface Row {
  username: string;
  device: string;
  interface: string | null;
  address: string | null;
  mac: string | null;
  caller_id: string | null;
  since: number;
  last_seen: number;
  active: boolean;
}

/**
 * Users matching `text` in one match class. Candidates are read from the active sessions first
 * (they rank above past users), then from all sessions, at most `CANDIDATES` rows each through
 * the user-name index; each candidate's best session (the active one, else the latest) is read
 * with one index probe. `activeOnly` limits the search to current sessions (used for substring
 * matching, which no index serves).
 */
export async function searchUsers(
  db: Queryable,
  text: string,
  match: Match,
  limit: number,
  activeOnly = false,
): Promise<SubscriberHit[]> {
  const p = new Params();
  const cond = textCondition('lower(username)', match, text, p);
  const cap = p.add(CANDIDATES);
  const lim = p.add(limit);
  const past = activeOnly
    ? ''
    : `UNION ALL
       (SELECT username, 1 FROM (SELECT DISTINCT username FROM (
          SELECT username FROM ispm_pppoe_sessions
           WHERE ${cond} AND coalesce(ended_at, 'infinity'::timestamptz) < 'infinity'::timestamptz LIMIT ${cap}) x) y
         WHERE username NOT IN (SELECT username FROM a) LIMIT ${lim})`;
  const sql = `
    WITH a AS (SELECT DISTINCT username FROM (SELECT username FROM ispm_pppoe_sessions_open WHERE ${cond} LIMIT ${cap}) x),
    c AS ((SELECT username, 0 AS tier FROM a LIMIT ${lim}) ${past})
    SELECT s.username, s.device, s.interface, host(s.address) AS address, s.mac, s.caller_id,
           ${ms('s.started_at')} AS since, s.ended_at IS NULL AS active,
           ${ms(`CASE WHEN s.ended_at IS NULL THEN greatest(s.last_seen, r.pppoe_at) ELSE s.last_seen END`)} AS last_seen
      FROM c
      CROSS JOIN LATERAL (
        SELECT * FROM ispm_pppoe_sessions x
         WHERE lower(x.username) = lower(c.username) AND x.username = c.username
         ORDER BY coalesce(x.ended_at, 'infinity'::timestamptz) DESC, x.started_at DESC LIMIT 1) s
      LEFT JOIN ispm_subscriber_routers r ON r.device = s.device`;
  const rows = await run<Row>(db, sql, p);
  return rows.map((r) => ({
    kind: 'subscriber',
    user: r.username,
    active: r.active === true,
    router: r.device,
    interface: str(r.interface),
    address: str(r.address),
    mac: r.mac ? formatMac(r.mac) : str(r.caller_id),
    since: Number(r.since),
    lastSeen: Number(r.last_seen),
    match,
  }));
}
