/**
 * Subscriber history (issue 16): the tables of migration 4 and their partitioning.
 *
 * Four tables — PPPoE sessions, DHCP leases, wireless registrations, ARP bindings — each
 * partitioned by the row's END: `PARTITION BY RANGE (coalesce(ended_at, 'infinity'))`.
 *  - `<table>_open` holds the active rows (ended_at NULL ↦ 'infinity'); a unique index on
 *    (device, key) there is what keeps a session ONE row across restarts and replicas.
 *  - `<table>_pYYYYMMDD` holds the rows that ended in the ISO week (Monday 00:00 UTC) of that date.
 *    Ending a row is an UPDATE of `ended_at` through the parent: PostgreSQL moves it out of `_open`.
 *  - Retention drops whole weekly partitions (no DELETE, no dead rows).
 *
 * Readers: an ACTIVE row's `last_seen` is the last checkpoint written; its true "last seen" is
 * `greatest(last_seen, ispm_subscriber_routers.<kind>_at)` (the router's last successful poll
 * that collected that kind), so a poll that changes nothing writes one router row, not one row
 * per session. Ended rows carry their own last_seen. MACs are 12 lower-case hex digits (`mac`
 * columns, NULL when a PPP caller id is not a MAC); addresses are `inet` (exact and CIDR search
 * use the btree index: `address <<= '10.1.0.0/16'` is indexable).
 * Writers of ended rows (the history import) must create the weekly partitions first:
 * `ensureSubscriberPartitions` in `./schema-partitions.ts`.
 */
import type { Migration } from '../schema/migrations.js';

/** The four history tables (constants: the only names that reach SQL identifiers). */
export const SUBSCRIBER_TABLES = [
  'ispm_pppoe_sessions',
  'ispm_dhcp_leases',
  'ispm_wireless_clients',
  'ispm_arp_bindings',
] as const;
export type SubscriberTable = (typeof SUBSCRIBER_TABLES)[number];

/** End reasons stored in `end_reason`. */
export const END_REASONS = ['vanished', 'router unreachable', 'monitor restart'] as const;
export type EndReason = (typeof END_REASONS)[number];

const PART = `PARTITION BY RANGE ((coalesce(ended_at, 'infinity'::timestamptz)))`;
const REASON = `end_reason text CHECK (end_reason IN ('vanished', 'router unreachable', 'monitor restart'))`;
const open = (t: SubscriberTable) =>
  `CREATE TABLE ${t}_open PARTITION OF ${t} FOR VALUES FROM ('infinity') TO (MAXVALUE)`;
/**
 * A history table, partitioned by end: its id (from the table's sequence), the router, the kind's
 * `own` columns, the start (`first_seen` unless named), last sighting, `beforeEnd`, the end and its
 * reason, then `after`. The column order is the one these tables were first created with.
 */
function historyTable(
  t: SubscriberTable,
  c: { own: string[]; start?: string; beforeEnd?: string[]; after?: string[] },
): string {
  const columns = [
    `id bigint NOT NULL DEFAULT nextval('${t}_id')`,
    'device text NOT NULL',
    ...c.own,
    `${c.start ?? 'first_seen'} timestamptz NOT NULL`,
    'last_seen timestamptz NOT NULL',
    ...(c.beforeEnd ?? []),
    'ended_at timestamptz',
    REASON,
    ...(c.after ?? []),
  ];
  return `CREATE TABLE ${t} (\n       ${columns.join(',\n       ')}) ${PART}`;
}
const MAC_RE = `'^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$|^[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}$|^[0-9a-f]{12}$'`;

/**
 * Weekly partitions for the ended rows of an old table (named like `partitionName` makes them),
 * created in the migration itself so the old history can move in.
 */
const weeksFor = (t: SubscriberTable, old: string) => `DO $$
DECLARE w timestamptz;
BEGIN
  FOR w IN SELECT DISTINCT date_trunc('week', ended_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
             FROM ${old} WHERE ended_at IS NOT NULL AND ended_at > '1970-01-05' AND ended_at < '9999-01-01' LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF ${t} FOR VALUES FROM (%L) TO (%L)',
      '${t}_p' || to_char(w AT TIME ZONE 'UTC', 'YYYYMMDD'), w, w + interval '7 days');
  END LOOP;
END $$`;

/** Version 4: partitioned subscriber history; the rows of the two old tables move in. */
export const subscriberHistory: Migration = {
  version: 4,
  name: 'subscriber history',
  statements: [
    // Per router and kind: its last successful poll that collected the kind (see above).
    `CREATE TABLE ispm_subscriber_routers (
       device text PRIMARY KEY,
       pppoe_at timestamptz, dhcp_at timestamptz, wireless_at timestamptz, arp_at timestamptz,
       updated_at timestamptz NOT NULL)`,
    'ALTER TABLE ispm_pppoe_sessions RENAME TO ispm_pppoe_sessions_v1',
    'ALTER TABLE ispm_dhcp_leases RENAME TO ispm_dhcp_leases_v1',
    ...SUBSCRIBER_TABLES.map((t) => `CREATE SEQUENCE ${t}_id AS bigint`),
    historyTable('ispm_pppoe_sessions', {
      own: [
        'username text NOT NULL',
        'service text',
        'caller_id text',
        'mac text',
        'address inet',
        'interface text',
        'router_session_id text',
      ],
      start: 'started_at',
      after: [
        'bytes_in bigint',
        'bytes_out bigint',
        'peak_in_bps double precision',
        'peak_out_bps double precision',
        'reconnect boolean NOT NULL DEFAULT false',
      ],
    }),
    historyTable('ispm_dhcp_leases', {
      own: ['mac text NOT NULL', 'address inet NOT NULL', 'host_name text', 'server text', 'status text'],
      beforeEnd: ['expires_at timestamptz'],
    }),
    historyTable('ispm_wireless_clients', {
      own: ['mac text NOT NULL', 'interface text NOT NULL', 'ssid text', 'signal_dbm double precision'],
    }),
    historyTable('ispm_arp_bindings', {
      own: ['address inet NOT NULL', 'mac text NOT NULL', 'interface text', 'type text'],
    }),
    ...SUBSCRIBER_TABLES.map(open),
    // The identity of an active row, per router (the recorder's upserts and updates use these).
    `CREATE UNIQUE INDEX ispm_pppoe_sessions_open_key ON ispm_pppoe_sessions_open
       (device, username, coalesce(router_session_id, ''), coalesce(caller_id, ''))`,
    'CREATE UNIQUE INDEX ispm_dhcp_leases_open_key ON ispm_dhcp_leases_open (device, mac, address)',
    'CREATE UNIQUE INDEX ispm_wireless_clients_open_key ON ispm_wireless_clients_open (device, mac, interface)',
    'CREATE UNIQUE INDEX ispm_arp_bindings_open_key ON ispm_arp_bindings_open (device, address, mac)',
    // Old rows move in. Text that is not an address becomes NULL (sessions) or is left behind
    // (leases: the address is part of their identity).
    `CREATE FUNCTION pg_temp.ispm_inet(v text) RETURNS inet LANGUAGE plpgsql IMMUTABLE AS $$
       BEGIN RETURN v::inet; EXCEPTION WHEN others THEN RETURN NULL; END $$`,
    `CREATE FUNCTION pg_temp.ispm_mac(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
       SELECT CASE WHEN lower(v) ~ ${MAC_RE} THEN regexp_replace(lower(v), '[^0-9a-f]', '', 'g') END $$`,
    weeksFor('ispm_pppoe_sessions', 'ispm_pppoe_sessions_v1'),
    weeksFor('ispm_dhcp_leases', 'ispm_dhcp_leases_v1'),
    `INSERT INTO ispm_pppoe_sessions (id, device, username, service, caller_id, mac, address, interface,
                                      started_at, last_seen, ended_at, end_reason)
     SELECT id, device, username, service, caller_id, pg_temp.ispm_mac(caller_id), pg_temp.ispm_inet(address),
            interface, started_at, last_seen, ended_at, 'vanished'
       FROM ispm_pppoe_sessions_v1 WHERE ended_at > '1970-01-05' AND ended_at < '9999-01-01'`,
    `INSERT INTO ispm_pppoe_sessions_open (id, device, username, service, caller_id, mac, address, interface,
                                           started_at, last_seen)
     SELECT id, device, username, service, caller_id, pg_temp.ispm_mac(caller_id), pg_temp.ispm_inet(address),
            interface, started_at, last_seen
       FROM ispm_pppoe_sessions_v1 WHERE ended_at IS NULL ORDER BY id
     ON CONFLICT DO NOTHING`,
    `INSERT INTO ispm_dhcp_leases (id, device, mac, address, host_name, server, status, first_seen, last_seen,
                                   ended_at, end_reason)
     SELECT id, device, pg_temp.ispm_mac(mac), pg_temp.ispm_inet(address), host_name, server, status,
            first_seen, last_seen, ended_at, 'vanished'
       FROM ispm_dhcp_leases_v1
      WHERE ended_at > '1970-01-05' AND ended_at < '9999-01-01'
        AND pg_temp.ispm_mac(mac) IS NOT NULL AND pg_temp.ispm_inet(address) IS NOT NULL`,
    `INSERT INTO ispm_dhcp_leases_open (id, device, mac, address, host_name, server, status, first_seen, last_seen)
     SELECT id, device, pg_temp.ispm_mac(mac), pg_temp.ispm_inet(address), host_name, server, status,
            first_seen, last_seen
       FROM ispm_dhcp_leases_v1
      WHERE ended_at IS NULL AND pg_temp.ispm_mac(mac) IS NOT NULL AND pg_temp.ispm_inet(address) IS NOT NULL
      ORDER BY id
     ON CONFLICT DO NOTHING`,
    `SELECT setval('ispm_pppoe_sessions_id', coalesce((SELECT max(id) FROM ispm_pppoe_sessions_v1), 0) + 1, false)`,
    `SELECT setval('ispm_dhcp_leases_id', coalesce((SELECT max(id) FROM ispm_dhcp_leases_v1), 0) + 1, false)`,
    'DROP FUNCTION pg_temp.ispm_inet(text)',
    'DROP FUNCTION pg_temp.ispm_mac(text)',
    'DROP TABLE ispm_pppoe_sessions_v1',
    'DROP TABLE ispm_dhcp_leases_v1',
    // Readers' indexes, on every partition. text_pattern_ops: equality and prefix (LIKE 'ab%').
    'CREATE INDEX ispm_pppoe_sessions_user ON ispm_pppoe_sessions (lower(username) text_pattern_ops, started_at)',
    'CREATE INDEX ispm_pppoe_sessions_mac ON ispm_pppoe_sessions (mac text_pattern_ops, started_at)',
    'CREATE INDEX ispm_pppoe_sessions_address ON ispm_pppoe_sessions (address, started_at)',
    'CREATE INDEX ispm_pppoe_sessions_device ON ispm_pppoe_sessions (device, ended_at)',
    'CREATE INDEX ispm_dhcp_leases_mac ON ispm_dhcp_leases (mac text_pattern_ops, first_seen)',
    'CREATE INDEX ispm_dhcp_leases_address ON ispm_dhcp_leases (address, first_seen)',
    'CREATE INDEX ispm_dhcp_leases_device ON ispm_dhcp_leases (device, ended_at)',
    'CREATE INDEX ispm_wireless_clients_mac ON ispm_wireless_clients (mac text_pattern_ops, first_seen)',
    'CREATE INDEX ispm_wireless_clients_device ON ispm_wireless_clients (device, ended_at)',
    'CREATE INDEX ispm_arp_bindings_mac ON ispm_arp_bindings (mac text_pattern_ops, first_seen)',
    'CREATE INDEX ispm_arp_bindings_address ON ispm_arp_bindings (address, first_seen)',
    'CREATE INDEX ispm_arp_bindings_device ON ispm_arp_bindings (device, ended_at)',
  ],
};
