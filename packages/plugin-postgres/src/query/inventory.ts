import type { DeviceStatus, SystemFact } from '@ispmonitor/core';
import type { Queryable } from '../db/types.js';
import { normaliseIp, normaliseMac } from '../subscribers/record-kinds.js';
import type * as Row from './inventory-types.js';

const ts = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const iso = (ms: number) => new Date(ms).toISOString();

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
    const res = await this.db.query<Record<string, unknown>>(
      `SELECT device, if_index, name, alias, description, type, mac, speed_bps, admin_up, oper_up,
              ${ts('first_seen')} AS first_seen, ${ts('last_seen')} AS last_seen, ${ts('ended_at')} AS ended_at
         FROM ispm_interfaces WHERE device = $1 AND ($2 OR ended_at IS NULL)
        ORDER BY CASE WHEN if_index ~ '^[0-9]+$' THEN lpad(if_index, 12, '0') ELSE if_index END`,
      [device, options.includeEnded === true],
    );
    return res.rows.map((r) => ({
      device: String(r.device),
      index: String(r.if_index),
      name: String(r.name),
      alias: r.alias as string | null,
      description: r.description as string | null,
      type: r.type as string | null,
      mac: r.mac as string | null,
      speedBps: num(r.speed_bps),
      adminUp: r.admin_up as boolean | null,
      operUp: r.oper_up as boolean | null,
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
      endedAt: num(r.ended_at),
    }));
  }

  async neighbours(device?: string, options: { includeEnded?: boolean } = {}): Promise<Row.NeighbourRow[]> {
    const res = await this.db.query<Record<string, unknown>>(
      `SELECT device, protocol, local_interface, remote_name, remote_id, remote_address, remote_interface,
              remote_platform, ${ts('first_seen')} AS first_seen, ${ts('last_seen')} AS last_seen,
              ${ts('ended_at')} AS ended_at
         FROM ispm_neighbours WHERE ($1::text IS NULL OR device = $1) AND ($2 OR ended_at IS NULL)
        ORDER BY device, local_interface, first_seen`,
      [device ?? null, options.includeEnded === true],
    );
    return res.rows.map((r) => ({
      device: String(r.device),
      protocol: String(r.protocol),
      localInterface: r.local_interface as string | null,
      remoteName: r.remote_name as string | null,
      remoteId: r.remote_id as string | null,
      remoteAddress: r.remote_address as string | null,
      remoteInterface: r.remote_interface as string | null,
      remotePlatform: r.remote_platform as string | null,
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
      endedAt: num(r.ended_at),
    }));
  }

  /** Current neighbour edges; `to` is one of our devices when its id or system name matches. */
  async links(): Promise<Row.LinkRow[]> {
    const res = await this.db.query<Record<string, unknown>>(
      `SELECT n.device AS "from", n.local_interface, n.remote_name, n.remote_interface, n.protocol,
              (SELECT x.id FROM (SELECT id FROM ispm_devices UNION SELECT device FROM ispm_device_system) x
                 LEFT JOIN ispm_device_system sys ON sys.device = x.id
                WHERE x.id IN (n.remote_name, n.remote_id) OR sys.facts->>'name' IN (n.remote_name, n.remote_id)
                LIMIT 1) AS "to"
         FROM ispm_neighbours n WHERE n.ended_at IS NULL ORDER BY 1, 2`,
    );
    return res.rows.map((r) => ({
      from: String(r.from),
      localInterface: r.local_interface as string | null,
      to: (r.to as string | null) ?? null,
      remoteName: r.remote_name as string | null,
      remoteInterface: r.remote_interface as string | null,
      protocol: String(r.protocol),
    }));
  }

  /** Sessions from the subscriber history (active ones last seen at their router's last poll). */
  async pppoeSessions(q: Row.HistorySearch = {}): Promise<Row.SessionRow[]> {
    const address = q.address === undefined ? null : normaliseIp(q.address);
    if (address === undefined) return [];
    const res = await this.db.query<Record<string, unknown>>(
      `SELECT s.id, s.device, s.username, host(s.address) AS address, s.caller_id, s.service, s.interface,
              ${ts('s.started_at')} AS started_at, ${ts('s.ended_at')} AS ended_at,
              ${ts('CASE WHEN s.ended_at IS NULL THEN greatest(s.last_seen, r.pppoe_at) ELSE s.last_seen END')} AS last_seen
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
    return res.rows.map((r) => ({
      id: Number(r.id),
      device: String(r.device),
      user: String(r.username),
      address: r.address as string | null,
      callerId: r.caller_id as string | null,
      service: r.service as string | null,
      interface: r.interface as string | null,
      startedAt: Number(r.started_at),
      lastSeen: Number(r.last_seen),
      endedAt: num(r.ended_at),
    }));
  }

  /** Leases from the subscriber history; MACs come back as `aa:bb:cc:dd:ee:ff`. */
  async dhcpLeases(q: Row.HistorySearch & { hostName?: string } = {}): Promise<Row.LeaseRow[]> {
    const address = q.address === undefined ? null : normaliseIp(q.address);
    const mac = q.mac === undefined ? null : normaliseMac(q.mac);
    if (address === undefined || mac === undefined) return [];
    const res = await this.db.query<Record<string, unknown>>(
      `SELECT l.id, l.device, host(l.address) AS address, l.mac, l.host_name, l.server, l.status,
              ${ts('l.first_seen')} AS first_seen, ${ts('l.ended_at')} AS ended_at, ${ts('l.expires_at')} AS expires_at,
              ${ts('CASE WHEN l.ended_at IS NULL THEN greatest(l.last_seen, r.dhcp_at) ELSE l.last_seen END')} AS last_seen
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
    return res.rows.map((r) => ({
      id: Number(r.id),
      device: String(r.device),
      address: String(r.address),
      mac: String(r.mac).replace(/(..)(?!$)/g, '$1:'),
      hostName: r.host_name as string | null,
      server: r.server as string | null,
      status: r.status as string | null,
      expiresAt: num(r.expires_at),
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
      endedAt: num(r.ended_at),
    }));
  }
}
