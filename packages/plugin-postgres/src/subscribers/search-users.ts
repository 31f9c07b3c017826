/** Search part: PPPoE users, current and past, one hit per user with where they are (or were last). */
import type { Queryable } from '../db/types.js';
import type { SubscriberHit } from './query-types.js';
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
  exact: boolean;
}

/**
 * Users matching `text` exactly or by prefix (`mode: 'ranked'`, one statement), or containing it
 * (`'substring'`: current sessions only, which a trigram index serves where there is one).
 * Candidates come from the active sessions first (they rank above past users), then from the
 * ended ones: the first `CANDIDATES` rows of each in name order through the user-name index (so
 * an exact name is always among them); each candidate's best session (the active one, else the
 * latest) is one index probe.
 */
export async function searchUsers(
  db: Queryable,
  text: string,
  mode: 'ranked' | 'substring',
  limit: number,
): Promise<SubscriberHit[]> {
  const p = new Params();
  const t = p.add(text);
  const cap = p.add(CANDIDATES);
  const lim = p.add(limit);
  const open = 'ispm_pppoe_sessions_open';
  const ended = `ispm_pppoe_sessions WHERE coalesce(ended_at, 'infinity'::timestamptz) < 'infinity'::timestamptz AND`;
  // A prefix range read in the index's order (`~<~`) starts with the exact name, so one bounded
  // scan per partition finds both classes; the table is referenced once per part.
  const names = (from: string) =>
    mode === 'substring'
      ? `(SELECT username FROM ${from} ${textCondition('lower(username)', 'substring', text, p)} LIMIT ${cap})`
      : `(SELECT username FROM ${from} ${textCondition('lower(username)', 'prefix', text, p)}
           ORDER BY lower(username) USING ~<~ LIMIT ${cap})`;
  const byName = `ORDER BY lower(username) = ${t} DESC, lower(username) USING ~<~`;
  const past =
    mode === 'substring'
      ? ''
      : `UNION ALL
         (SELECT username FROM (SELECT DISTINCT username FROM (${names(ended)}) x) y
           WHERE username NOT IN (SELECT username FROM a) ${byName} LIMIT ${lim})`;
  const sql = `
    WITH a AS (SELECT DISTINCT username FROM (${names(`${open} WHERE`)}) x),
    c AS ((SELECT username FROM a ${byName} LIMIT ${lim}) ${past})
    SELECT s.username, s.device, s.interface, host(s.address) AS address, s.mac, s.caller_id,
           ${ms('s.started_at')} AS since, s.ended_at IS NULL AS active, lower(s.username) = ${t} AS exact,
           ${ms(`CASE WHEN s.ended_at IS NULL THEN greatest(s.last_seen, (SELECT r.pppoe_at FROM ispm_subscriber_routers r WHERE r.device = s.device)) ELSE s.last_seen END`)} AS last_seen
      FROM c
      CROSS JOIN LATERAL (
        SELECT * FROM ispm_pppoe_sessions x
         WHERE lower(x.username) = lower(c.username) AND x.username = c.username
         ORDER BY coalesce(x.ended_at, 'infinity'::timestamptz) DESC, x.started_at DESC LIMIT 1) s`;
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
    match: mode === 'substring' ? 'substring' : r.exact === true ? 'exact' : 'prefix',
  }));
}
