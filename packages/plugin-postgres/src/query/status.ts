import type { DeviceStatus } from '@ispmonitor/core';
import type { Queryable } from '../db/types.js';

/** One status transition. */
export interface StatusChange {
  device: string;
  ts: number;
  previous: DeviceStatus;
  status: DeviceStatus;
  reason: string | null;
}

/** Time a device spent in each status over a period, and its availability. */
export interface Availability {
  device: string;
  from: number;
  to: number;
  /** Milliseconds per status; `unknown` also covers time before the first recorded transition. */
  ms: Record<DeviceStatus, number>;
  /** online / (online + unreachable + offline); null when the status was never known. */
  ratio: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A row of `ispm_device_status` (its `ts` in epoch ms) as a StatusChange. */
const toChange = (r: Record<string, unknown>): StatusChange => ({
  device: String(r.device),
  ts: Number(r.ts),
  previous: r.previous as DeviceStatus,
  status: r.status as DeviceStatus,
  reason: (r.reason as string | null) ?? null,
});

/** Status history and availability, from the recorded transitions. */
export class StatusReader {
  constructor(private readonly db: Queryable) {}

  async history(device: string, from: number, to: number, limit = 10_000): Promise<StatusChange[]> {
    const res = await this.db.query<Record<string, unknown>>(
      `SELECT device, (extract(epoch FROM ts) * 1000)::float8 AS ts, previous, status, reason
         FROM ispm_device_status WHERE device = $1 AND ts >= $2::timestamptz AND ts <= $3::timestamptz
        ORDER BY ts, id LIMIT $4`,
      [device, iso(from), iso(to), Math.max(1, Math.min(100_000, limit))],
    );
    return res.rows.map(toChange);
  }

  /**
   * Every transition of each device (or the given ones) in [from, to), oldest first per device,
   * preceded by the one in force at `from` (with its own, earlier time) when there is one: a
   * whole fleet's status history for a period in one statement (the availability report).
   */
  async changes(from: number, to: number, devices?: string[]): Promise<StatusChange[]> {
    const res = await this.db.query<Record<string, unknown>>(
      `SELECT device, ts, previous, status, reason, id FROM (
         SELECT DISTINCT ON (device) device, (extract(epoch FROM ts) * 1000)::float8 AS ts,
                previous, status, reason, id
           FROM ispm_device_status WHERE ts < $1::timestamptz AND ($3::text[] IS NULL OR device = ANY($3))
          ORDER BY device, ispm_device_status.ts DESC, id DESC) before
       UNION ALL
       SELECT device, (extract(epoch FROM ts) * 1000)::float8, previous, status, reason, id
         FROM ispm_device_status
        WHERE ts >= $1::timestamptz AND ts < $2::timestamptz AND ($3::text[] IS NULL OR device = ANY($3))
       ORDER BY 1, 2, 6`,
      [iso(from), iso(to), devices ?? null],
    );
    return res.rows.map(toChange);
  }

  /**
   * Availability of each device (or the given ones) over [from, to]: the status in force at
   * `from` is the last transition before it; each later transition switches the clock.
   */
  async availability(from: number, to: number, devices?: string[]): Promise<Availability[]> {
    const res = await this.db.query<{ device: string; ts: number; status: DeviceStatus }>(
      `SELECT device, ts, status FROM (
         SELECT DISTINCT ON (device) device, $1::float8 AS ts, status
           FROM ispm_device_status WHERE ts < $2::timestamptz AND ($4::text[] IS NULL OR device = ANY($4))
          ORDER BY device, ispm_device_status.ts DESC, id DESC) before
       UNION ALL
       SELECT device, (extract(epoch FROM ts) * 1000)::float8, status
         FROM ispm_device_status
        WHERE ts >= $2::timestamptz AND ts <= $3::timestamptz AND ($4::text[] IS NULL OR device = ANY($4))
       ORDER BY 1, 2`,
      [from, iso(from), iso(to), devices ?? null],
    );
    const byDevice = new Map<string, Array<{ ts: number; status: DeviceStatus }>>();
    for (const d of devices ?? []) byDevice.set(d, []);
    for (const r of res.rows) {
      const list = byDevice.get(r.device) ?? [];
      list.push({ ts: Number(r.ts), status: r.status });
      byDevice.set(r.device, list);
    }
    return [...byDevice].map(([device, changes]) => {
      const ms: Record<DeviceStatus, number> = { unknown: 0, online: 0, unreachable: 0, offline: 0 };
      let at = from;
      let current: DeviceStatus = 'unknown';
      for (const c of changes) {
        const t = Math.min(Math.max(c.ts, from), to);
        ms[current] += t - at;
        at = t;
        current = c.status;
      }
      ms[current] += to - at;
      const known = ms.online + ms.unreachable + ms.offline;
      return { device, from, to, ms, ratio: known > 0 ? ms.online / known : null };
    });
  }
}
