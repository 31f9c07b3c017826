import type { Device, InventoryStore, StateStore } from '@ispmonitor/core';
import type { Queryable } from '../db/types.js';

/** JSON that PostgreSQL's jsonb accepts: bigints become strings rather than failing the write. */
function toJson(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  if (text === undefined) throw new TypeError('value is not JSON-serialisable');
  return text;
}

/**
 * Devices added through the API, persisted as whole JSON documents keyed by id, so they
 * survive a restart. `db` is resolved on each call (the connection opens at start).
 */
export function createInventoryStore(db: () => Promise<Queryable>): InventoryStore {
  return {
    persistent: true,
    async list() {
      const res = await (await db()).query<{ doc: Device }>('SELECT doc FROM ispm_devices ORDER BY id');
      return res.rows.map((r) => r.doc);
    },
    async put(device) {
      await (await db()).query(
        `INSERT INTO ispm_devices (id, doc, updated_at) VALUES ($1, $2::jsonb, now())
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = now()`,
        [device.id, toJson(device)],
      );
    },
    async remove(id) {
      await (await db()).query('DELETE FROM ispm_devices WHERE id = $1', [id]);
    },
  };
}

/** Durable JSON state by namespace and key (alert state, notification log, …). */
export function createStateStore(db: () => Promise<Queryable>): StateStore {
  return {
    async get<T>(namespace: string, key: string) {
      const res = await (await db()).query<{ value: T }>(
        'SELECT value FROM ispm_state WHERE namespace = $1 AND key = $2',
        [namespace, key],
      );
      return res.rows[0]?.value;
    },
    async set(namespace, key, value) {
      await (await db()).query(
        `INSERT INTO ispm_state (namespace, key, value, updated_at) VALUES ($1, $2, $3::jsonb, now())
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
        [namespace, key, toJson(value)],
      );
    },
    async delete(namespace, key) {
      await (await db()).query('DELETE FROM ispm_state WHERE namespace = $1 AND key = $2', [namespace, key]);
    },
    async list<T>(namespace: string) {
      const res = await (await db()).query<{ key: string; value: T }>(
        'SELECT key, value FROM ispm_state WHERE namespace = $1 ORDER BY key',
        [namespace],
      );
      return res.rows;
    },
  };
}
