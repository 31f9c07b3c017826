import type { DeviceStatus, SystemFact } from '@ispmonitor/core';
import type { Queryable } from '../db/types.js';
import { normaliseIp, normaliseMac } from '../subscribers/record-kinds.js';
import type * as Row from './inventory-types.js';

const ts = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const iso = (ms: number) => new Date(ms).toISOString();

/** A history row's first-seen, last-seen and ended times, as ms (columns of the table `t.`). */
const seen = (t: string) =>
  `${ts(`${t}first_seen`)} AS "firstSeen", ${ts(`${t}last_seen`)} AS "lastSeen", ${ts(`${t}ended_at`)} AS "endedAt"`;

const limitOf = (n?: number) => Math.max(1, Math.min(10_000, Math.trunc(n ?? 100)));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Inventory reads for the API: devices, interfaces, neighbours, topology, sessions, leases. */
export class InventoryReader {
  constructor(private readonly db: Queryable) {}

  async devices(): Promise<Row.StoredDevice[]> {
    const res = await this.db.query<Record<string, unknown>>(
      `WITH ids AS (SELECT id FROM ispm_devices UNION SELECT device FROM ispm_device_system
                    UNION SELECT DISTINCT device FROM ispm_device_status)
       SELECT ids.id, sys.facts, ${ts('sys.updated_at')} AS sys_at, d.id IS NOT NULL AS stored,
              st.status, ${ts('st.ts')} AS since
         FROM ids
         LEFT JOIN ispm_devices d ON d.id = ids.id
         LEFT JOIN ispm_device_system sys ON sys.device = ids.id
         LEFT JOIN LATERAL (SELECT status, ts FROM ispm_device_status x WHERE x.device = ids.id
                             ORDER BY ts DESC, id DESC LIMIT 1) st ON true
        ORDER BY ids.id`,
    );
    return res.rows.map((r) => ({
      id: String(r.id),
      system: (r.facts as SystemFact | null) ?? undefined,
      systemUpdatedAt: num(r.sys_at) ?? undefined,
      status: (r.status as DeviceStatus | null) ?? undefined,
      statusSince: num(r.since) ?? undefined,
      stored: r.stored === true,
    }));
  }

  async interfaces(device: string, options: { includeEnded?: boolean } = {}): Promise<Row.InterfaceRow[]> {
    const res = await this.db.query<Row.InterfaceRow>(
      `SELECT device, if_index AS "index", name, alias, description, type, mac, speed_bps AS "speedBps",
              admin_up AS "adminUp", oper_up AS "operUp", ${seen('')}
         FROM ispm_interfaces WHERE device = $1 AND ($2 OR ended_at IS NULL)
        ORDER BY CASE WHEN if_index ~ '^[0-9]+$' THEN lpad(if_index, 12, '0') ELSE if_index END`,
      [device, options.includeEnded === true],
    );
    return res.rows;
  }

  async neighbours(device?: string, options: { includeEnded?: boolean } = {}): Promise<Row.NeighbourRow[]> {
    const res = await this.db.query<Row.NeighbourRow>(
      `SELECT device, protocol, local_interface AS "localInterface", remote_name AS "remoteName",
              remote_id AS "remoteId", remote_address AS "remoteAddress", remote_interface AS "remoteInterface",
              remote_platform AS "remotePlatform", ${seen('')}
         FROM ispm_neighbours WHERE ($1::text IS NULL OR device = $1) AND ($2 OR ended_at IS NULL)
        ORDER BY device, local_interface, first_seen`,
      [device ?? null, options.includeEnded === true],
    );
    return res.rows;
  }

  /** Current neighbour edges; `to` is one of our devices when its id or system name matches. */
  async links(): Promise<Row.LinkRow[]> {
    const res = await this.db.query<Row.LinkRow>(
      `SELECT n.device AS "from", n.local_interface AS "localInterface", n.remote_name AS "remoteName",
              n.remote_interface AS "remoteInterface", n.protocol,
              (SELECT x.id FROM (SELECT id FROM ispm_devices UNION SELECT device FROM ispm_device_system) x
                 LEFT JOIN ispm_device_system sys ON sys.device = x.id
                WHERE x.id IN (n.remote_name, n.remote_id) OR sys.facts->>'name' IN (n.remote_name, n.remote_id)
                LIMIT 1) AS "to"
         FROM ispm_neighbours n WHERE n.ended_at IS NULL ORDER BY 1, 2`,
    );
    return res.rows;
  }

  /** Sessions from the subscriber history (active ones last seen at their router's last poll). */
  async pppoeSessions(q: Row.HistorySearch = {}): Promise<Row.SessionRow[]> {
    const address = q.address === undefined ? null : normaliseIp(q.address);
    if (address === undefined) return [];
    const res = await this.db.query<Row.SessionRow>(
      `SELECT s.id::float8 AS id, s.device, s.username AS "user", host(s.address) AS address,
              s.caller_id AS "callerId", s.service, s.interface,
              ${ts('s.started_at')} AS "startedAt", ${ts('s.ended_at')} AS "endedAt",
              ${ts('CASE WHEN s.ended_at IS NULL THEN greatest(s.last_seen, r.pppoe_at) ELSE s.last_seen END')} AS "lastSeen"
         FROM ispm_pppoe_sessions s LEFT JOIN ispm_subscriber_routers r ON r.device = s.device
        WHERE ($1::text IS NULL OR s.device = $1) AND ($2::text IS NULL OR lower(s.username) = lower($2))
          AND ($3::text IS NULL OR s.mac = $3 OR lower(s.caller_id) = lower($9))
          AND ($4::inet IS NULL OR s.address = $4::inet)
          AND ($5::boolean IS NULL OR (s.ended_at IS NULL) = $5)
          AND ($6::timestamptz IS NULL OR coalesce(s.ended_at, 'infinity'::timestamptz) >= $6)
          AND ($7::timestamptz IS NULL OR s.started_at <= $7)
        ORDER BY s.started_at DESC, s.id DESC LIMIT $8`,
      [
        q.device ?? null,
        q.user ?? null,
        q.mac === undefined ? null : (normaliseMac(q.mac) ?? ''),
        address,
        q.current ?? null,
        q.from === undefined ? null : iso(q.from),
        q.to === undefined ? null : iso(q.to),
        limitOf(q.limit),
        q.mac ?? null,
      ],
    );
    return res.rows;
  }

  /** Leases from the subscriber history; MACs come back as `aa:bb:cc:dd:ee:ff`. */
  async dhcpLeases(q: Row.HistorySearch & { hostName?: string } = {}): Promise<Row.LeaseRow[]> {
    const address = q.address === undefined ? null : normaliseIp(q.address);
    const mac = q.mac === undefined ? null : normaliseMac(q.mac);
    if (address === undefined || mac === undefined) return [];
    const res = await this.db.query<Row.LeaseRow>(
      `SELECT l.id::float8 AS id, l.device, host(l.address) AS address, l.mac, l.host_name AS "hostName", l.server,
              l.status, ${ts('l.first_seen')} AS "firstSeen", ${ts('l.ended_at')} AS "endedAt",
              ${ts('l.expires_at')} AS "expiresAt",
              ${ts('CASE WHEN l.ended_at IS NULL THEN greatest(l.last_seen, r.dhcp_at) ELSE l.last_seen END')} AS "lastSeen"
         FROM ispm_dhcp_leases l LEFT JOIN ispm_subscriber_routers r ON r.device = l.device
        WHERE ($1::text IS NULL OR l.device = $1) AND ($2::text IS NULL OR l.mac = $2)
          AND ($3::inet IS NULL OR l.address = $3::inet) AND ($4::text IS NULL OR lower(l.host_name) = lower($4))
          AND ($5::boolean IS NULL OR (l.ended_at IS NULL) = $5)
          AND ($6::timestamptz IS NULL OR coalesce(l.ended_at, 'infinity'::timestamptz) >= $6)
          AND ($7::timestamptz IS NULL OR l.first_seen <= $7)
        ORDER BY l.first_seen DESC, l.id DESC LIMIT $8`,
      [
        q.device ?? null,
        mac,
        address,
        q.hostName ?? null,
        q.current ?? null,
        q.from === undefined ? null : iso(q.from),
        q.to === undefined ? null : iso(q.to),
        limitOf(q.limit),
      ],
    );
    // MACs are stored as 12 hex digits.
    return res.rows.map((r) => ({ ...r, mac: r.mac.replace(/(..)(?!$)/g, '$1:') }));
  }
}
