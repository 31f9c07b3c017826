/**
 * One subscriber's sessions: the summary (current sessions, routers, reconnects) and the
 * history, newest first, in pages with an opaque keyset cursor (no OFFSET: a page costs the same
 * however deep it is, and rows ending meanwhile neither repeat nor vanish from later pages).
 */
import type { Queryable } from '../db/types.js';
import type {
  EndReason,
  HistoryWindow,
  SessionPage,
  SessionRecord,
  SubscriberSummary,
} from './query-types.js';
import { ms, num, Params, params, run, str } from './search-sql.js';
import { badQuery, parseWindow, requireUser } from './search-terms.js';

const DAY = 86_400_000;
/** Default and largest page of sessions. */
export const SESSIONS_DEFAULT_LIMIT = 50;
export const SESSIONS_MAX_LIMIT = 1000;

/** Columns of a session row; `r` is the router's poll record (for an active row's last seen). */
const COLS = `s.id::text AS id, s.device, s.username, s.service, s.caller_id, host(s.address) AS address, s.interface,
  s.router_session_id, ${ms('s.started_at')} AS start, ${ms('s.ended_at')} AS "end", s.end_reason,
  ${ms('CASE WHEN s.ended_at IS NULL THEN greatest(s.last_seen, r.pppoe_at) ELSE s.last_seen END')} AS last_seen,
  s.reconnect, s.bytes_in::float8 AS bytes_in, s.bytes_out::float8 AS bytes_out, s.peak_in_bps, s.peak_out_bps,
  (extract(epoch FROM s.started_at) * 1000000)::bigint::text AS start_us`;

/** The same user, through the user-name index (`lower(username)`), matched exactly. */
const USER = 'lower(s.username) = lower($1) AND s.username = $1';

interface Row {
  id: string;
  device: string;
  username: string;
  service: string | null;
  caller_id: string | null;
  address: string | null;
  interface: string | null;
  router_session_id: string | null;
  start: number;
  end: number | null;
  end_reason: string | null;
  last_seen: number;
  reconnect: boolean;
  bytes_in: number | null;
  bytes_out: number | null;
  peak_in_bps: number | null;
  peak_out_bps: number | null;
  start_us: string;
}

function record(r: Row): SessionRecord {
  return {
    id: r.id,
    router: r.device,
    user: r.username,
    service: str(r.service),
    callerId: str(r.caller_id),
    address: str(r.address),
    interface: str(r.interface),
    routerSessionId: str(r.router_session_id),
    start: Number(r.start),
    end: num(r.end),
    endReason: (r.end_reason as EndReason | null) ?? null,
    lastSeen: Number(r.last_seen),
    reconnect: r.reconnect === true,
    bytesIn: num(r.bytes_in),
    bytesOut: num(r.bytes_out),
    peakInBps: num(r.peak_in_bps),
    peakOutBps: num(r.peak_out_bps),
  };
}

/** The cursor after `r`: its start in microseconds and its id, base64url. */
function cursorOf(r: Row): string {
  return Buffer.from(`${r.start_us}:${r.id}`).toString('base64url');
}

function parseCursor(cursor: unknown): { us: string; id: string } {
  if (typeof cursor !== 'string' || cursor.length > 64) throw badQuery('bad cursor');
  const m = /^(-?\d{1,19}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m?.[1] || !m[2]) throw badQuery('bad cursor');
  return { us: m[1], id: m[2] };
}

/**
 * Sessions of `user` (exact name) active at some time in [from, to], newest start first. `before`
 * is the `next` of the previous page.
 */
export async function subscriberSessions(
  db: Queryable,
  user: unknown,
  q?: HistoryWindow & { before?: string },
): Promise<SessionPage> {
  const name = requireUser(user);
  const w = parseWindow(q, SESSIONS_DEFAULT_LIMIT, SESSIONS_MAX_LIMIT);
  const p = new Params();
  p.add(name);
  const conds = [USER];
  // The partition key is the end: old weeks are pruned by the window's start.
  if (w.from !== null)
    conds.push(
      `coalesce(s.ended_at, 'infinity'::timestamptz) >= to_timestamp(${p.add(w.from)}::float8 / 1000)`,
    );
  if (w.to !== null) conds.push(`s.started_at <= to_timestamp(${p.add(w.to)}::float8 / 1000)`);
  if (q?.before !== undefined) {
    const c = parseCursor(q.before);
    conds.push(
      `(s.started_at, s.id) < (timestamptz 'epoch' + ${p.add(c.us)}::bigint * interval '1 microsecond', ${p.add(c.id)}::bigint)`,
    );
  }
  const rows = await run<Row>(
    db,
    `SELECT ${COLS} FROM ispm_pppoe_sessions s LEFT JOIN ispm_subscriber_routers r ON r.device = s.device
      WHERE ${conds.join(' AND ')} ORDER BY s.started_at DESC, s.id DESC LIMIT ${p.add(w.limit + 1)}`,
    p,
  );
  const items = rows.slice(0, w.limit);
  const last = rows.length > w.limit ? items[items.length - 1] : undefined;
  return { items: items.map(record), next: last ? cursorOf(last) : null };
}

/** A subscriber at a glance at `now`; undefined when the user was never seen (in the retained history). */
export async function subscriberSummary(
  db: Queryable,
  user: unknown,
  now: number,
): Promise<SubscriberSummary | undefined> {
  const name = requireUser(user);
  const p = new Params();
  p.add(name);
  const d1 = p.add(now - DAY);
  const d7 = p.add(now - 7 * DAY);
  const [active, stats] = await Promise.all([
    run<Row>(
      db,
      `SELECT ${COLS} FROM ispm_pppoe_sessions_open s LEFT JOIN ispm_subscriber_routers r ON r.device = s.device
        WHERE ${USER} ORDER BY s.started_at DESC, s.id DESC`,
      params(name),
    ),
    run<{
      device: string;
      last_seen: number;
      sessions: string;
      r1: string;
      r7: string;
      s1: string;
      s7: string;
    }>(
      db,
      `SELECT s.device,
              max(${ms('CASE WHEN s.ended_at IS NULL THEN greatest(s.last_seen, r.pppoe_at) ELSE s.last_seen END')}) AS last_seen,
              count(*) AS sessions,
              count(*) FILTER (WHERE s.reconnect AND s.started_at >= to_timestamp(${d1}::float8 / 1000)) AS r1,
              count(*) FILTER (WHERE s.reconnect AND s.started_at >= to_timestamp(${d7}::float8 / 1000)) AS r7,
              count(*) FILTER (WHERE s.started_at >= to_timestamp(${d1}::float8 / 1000)) AS s1,
              count(*) FILTER (WHERE s.started_at >= to_timestamp(${d7}::float8 / 1000)) AS s7
         FROM ispm_pppoe_sessions s LEFT JOIN ispm_subscriber_routers r ON r.device = s.device
        WHERE ${USER} GROUP BY s.device`,
      p,
    ),
  ]);
  if (stats.length === 0) return undefined;
  const routers = stats
    .map((s) => ({ router: s.device, lastSeen: Number(s.last_seen), sessions: Number(s.sessions) }))
    .sort((a, b) => b.lastSeen - a.lastSeen || (a.router < b.router ? -1 : 1));
  const sum = (k: 'r1' | 'r7' | 's1' | 's7') => stats.reduce((n, s) => n + Number(s[k]), 0);
  return {
    user: name,
    active: active.map(record),
    lastSeen: Math.max(...routers.map((r) => r.lastSeen)),
    routers,
    reconnects: { last24h: sum('r1'), last7d: sum('r7') },
    sessions: { last24h: sum('s1'), last7d: sum('s7') },
  };
}
