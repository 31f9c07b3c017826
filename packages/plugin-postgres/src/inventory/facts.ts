import type { Device, DeviceStatus, InventoryFacts } from '@ispmonitor/core';
import type { Db, Queryable } from '../db/types.js';
import { recordAddresses } from './addresses.js';

const iso = (ms: number) => new Date(ms).toISOString();
const NEIGHBOUR_COLUMNS = [
  'protocol',
  'local_interface',
  'remote_name',
  'remote_id',
  'remote_address',
  'remote_interface',
  'remote_platform',
] as const;
const s = (v: unknown, max = 500): string | null =>
  v === undefined || v === null ? null : String(v).slice(0, max);

/**
 * Keeps one kind of fact with history: rows of `device` whose key is in `keys` are current (their
 * `last_seen` moves on, or they are inserted), and current rows whose key is gone get `ended_at`.
 * `keyColumn` and `table` are constants of ours, never input.
 */
async function endMissing(
  tx: Queryable,
  table: string,
  keyColumn: string,
  device: string,
  keys: string[],
  ts: string,
) {
  await tx.query(
    `UPDATE ${table} SET ended_at = $3::timestamptz
      WHERE device = $1 AND ended_at IS NULL AND NOT (${keyColumn} = ANY($2::text[]))`,
    [device, keys, ts],
  );
}

/**
 * Records inventory facts from polls (`facts` events): system, interfaces (and their addresses,
 * `./addresses.ts`) and neighbours, each with history. A missing key in the facts means "not collected" and leaves that table alone; an
 * empty list means "none", and ends every current row. Subscriber facts (PPPoE sessions, DHCP
 * leases, wireless clients, ARP) are the subscriber recorder's (`../subscribers/record.ts`).
 */
export async function recordFacts(
  db: Db,
  device: Device,
  facts: InventoryFacts,
  tsMs: number,
): Promise<void> {
  const ts = iso(tsMs);
  const id = device.id;
  await db.transaction(async (tx) => {
    if (facts.system) {
      await tx.query(
        `INSERT INTO ispm_device_system (device, facts, updated_at) VALUES ($1, $2::jsonb, $3::timestamptz)
         ON CONFLICT (device) DO UPDATE SET facts = excluded.facts, updated_at = excluded.updated_at`,
        [id, JSON.stringify(facts.system), ts],
      );
    }
    if (facts.interfaces) {
      const list = facts.interfaces.slice(0, 10_000);
      await upsertInterfaces(tx, id, ts, list);
      await endMissing(
        tx,
        'ispm_interfaces',
        'if_index',
        id,
        list.map((f) => String(f.index)),
        ts,
      );
      await recordAddresses(tx, id, ts, list);
    }
    if (facts.neighbours) {
      const rows = facts.neighbours.slice(0, 10_000).map((n) => ({
        key: [n.protocol, n.localInterface ?? '', n.remoteId ?? n.remoteName ?? n.remoteAddress ?? ''].join(
          '|',
        ),
        values: [
          s(n.protocol),
          s(n.localInterface),
          s(n.remoteName),
          s(n.remoteId),
          s(n.remoteAddress),
          s(n.remoteInterface),
          s(n.remotePlatform),
        ],
        start: ts,
      }));
      const keys = await upsertCurrent(
        tx,
        'ispm_neighbours',
        'nkey',
        id,
        ts,
        NEIGHBOUR_COLUMNS,
        'first_seen',
        rows,
      );
      await endMissing(tx, 'ispm_neighbours', 'nkey', id, keys, ts);
    }
  });
}

/**
 * All interfaces of one device in one statement (array parameters): inserted, or updated and
 * made current again. The last of duplicated indexes wins.
 */
async function upsertInterfaces(
  tx: Queryable,
  device: string,
  ts: string,
  list: readonly NonNullable<InventoryFacts['interfaces']>[number][],
): Promise<void> {
  const byIndex = new Map(list.map((f) => [String(f.index), f]));
  const rows = [...byIndex.values()];
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO ispm_interfaces (device, if_index, name, alias, description, type, mac, speed_bps,
                                  admin_up, oper_up, first_seen, last_seen, ended_at)
     SELECT $1, u.i, u.n, u.a, u.d, u.t, u.m, u.sp, u.au, u.ou, $2::timestamptz, $2::timestamptz, NULL
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::float8[], $10::boolean[], $11::boolean[]) AS u(i, n, a, d, t, m, sp, au, ou)
     ON CONFLICT (device, if_index) DO UPDATE SET name = excluded.name, alias = excluded.alias,
       description = excluded.description, type = excluded.type, mac = excluded.mac,
       speed_bps = excluded.speed_bps, admin_up = excluded.admin_up, oper_up = excluded.oper_up,
       last_seen = excluded.last_seen, ended_at = NULL`,
    [
      device,
      ts,
      rows.map((f) => String(f.index)),
      rows.map((f) => s(f.name) ?? ''),
      rows.map((f) => s(f.alias)),
      rows.map((f) => s(f.description)),
      rows.map((f) => s(f.type)),
      rows.map((f) => s(f.mac)),
      rows.map((f) => (typeof f.speedBps === 'number' && Number.isFinite(f.speedBps) ? f.speedBps : null)),
      rows.map((f) => (typeof f.adminUp === 'boolean' ? f.adminUp : null)),
      rows.map((f) => (typeof f.operUp === 'boolean' ? f.operUp : null)),
    ],
  );
}

/** One current row: its key, column values (in `columns` order) and start time. */
interface CurrentRow {
  key: string;
  values: Array<string | null>;
  start: string;
}

/**
 * Bulk upsert of current rows of one device: one UPDATE for the rows already current, one
 * INSERT for the new ones, whatever the number of rows. Table and column names are constants of
 * ours; every value travels as an array parameter.
 */
async function upsertCurrent(
  tx: Queryable,
  table: string,
  keyColumn: string,
  device: string,
  ts: string,
  columns: readonly string[],
  startColumn: 'first_seen',
  input: CurrentRow[],
): Promise<string[]> {
  const byKey = new Map<string, CurrentRow>();
  for (const r of input) byKey.set(r.key, r);
  const rows = [...byKey.values()];
  if (rows.length === 0) return [];
  const arrays = [
    rows.map((r) => r.key),
    rows.map((r) => r.start),
    ...columns.map((_, i) => rows.map((r) => r.values[i] ?? null)),
  ];
  const cols = columns.map((_c, i) => `c${i}`);
  const unnest = `unnest(${arrays.map((_, i) => `$${i + 3}::text[]`).join(', ')}) AS u(k, st, ${cols.join(', ')})`;
  await tx.query(
    `UPDATE ${table} t SET ${columns.map((c, i) => `${c} = u.c${i}`).join(', ')}, last_seen = $2::timestamptz
       FROM ${unnest}
      WHERE t.device = $1 AND t.${keyColumn} = u.k AND t.ended_at IS NULL`,
    [device, ts, ...arrays],
  );
  await tx.query(
    `INSERT INTO ${table} (device, ${keyColumn}, ${startColumn}, last_seen, ${columns.join(', ')})
     SELECT $1, u.k, u.st::timestamptz, $2::timestamptz, ${cols.map((c) => `u.${c}`).join(', ')} FROM ${unnest}
      WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.device = $1 AND t.${keyColumn} = u.k AND t.ended_at IS NULL)`,
    [device, ts, ...arrays],
  );
  return rows.map((r) => r.key);
}

/** Records a status transition (for availability reports). */
export async function recordStatus(
  db: Queryable,
  device: string,
  previous: DeviceStatus,
  status: DeviceStatus,
  tsMs: number,
  reason?: string,
): Promise<void> {
  await db.query(
    'INSERT INTO ispm_device_status (device, ts, previous, status, reason) VALUES ($1, $2::timestamptz, $3, $4, $5)',
    [device, iso(tsMs), previous, status, s(reason)],
  );
}
