import { chunkTable, chunkTimesTable } from '../chunks/schema.js';
import { interfaceAddresses } from '../inventory/addresses-schema.js';
import { subscriberHistory } from '../subscribers/schema.js';
import { searchIndexes } from '../subscribers/search-schema.js';

/**
 * The schema, as numbered migrations. Each is a list of single statements (PGlite's extended
 * protocol runs one statement per call), applied in one transaction with its version recorded in
 * `ispm_schema_migrations`. Never edit a released migration: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

const U64_OFFSET = '18446744073709551616';

/** The 5-minute and the hourly rollup have the same columns (the text is that of version 1). */
const rollupTable = (name: string) => `CREATE TABLE ${name} (
       series_id integer NOT NULL,
       bucket timestamptz NOT NULL,
       count integer NOT NULL,
       min double precision NOT NULL,
       max double precision NOT NULL,
       sum double precision NOT NULL,
       last double precision NOT NULL,
       last_raw bigint,
       last_ts timestamptz NOT NULL,
       increase double precision,
       PRIMARY KEY (series_id, bucket)) PARTITION BY RANGE (bucket)`;

/** Version 1: series, partitioned samples and rollups, inventory, status history, state. */
const initial: Migration = {
  version: 1,
  name: 'initial schema',
  statements: [
    // One row per series: its name and full label set. `device` is pulled out for fast lookups.
    `CREATE TABLE ispm_series (
       id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       name text NOT NULL,
       labels jsonb NOT NULL,
       kind text NOT NULL CHECK (kind IN ('counter', 'gauge')),
       device text GENERATED ALWAYS AS (labels->>'device') STORED,
       created_at timestamptz NOT NULL DEFAULT now(),
       UNIQUE (name, labels))`,
    'CREATE INDEX ispm_series_device_name ON ispm_series (device, name)',
    'CREATE INDEX ispm_series_labels ON ispm_series USING gin (labels jsonb_path_ops)',
    // `value` is the double used by aggregates; `raw` is the exact unsigned 64-bit integer (bit
    // pattern stored in int8: values >= 2^63 are stored minus 2^64) for integer readings >= 0.
    `CREATE TABLE ispm_samples (
       series_id integer NOT NULL,
       ts timestamptz NOT NULL,
       value double precision NOT NULL,
       raw bigint,
       PRIMARY KEY (series_id, ts)) PARTITION BY RANGE (ts)`,
    rollupTable('ispm_rollup_5m'),
    rollupTable('ispm_rollup_1h'),
    // How far each rollup has been computed (incremental maintenance).
    `CREATE TABLE ispm_rollup_state (
       level text PRIMARY KEY,
       done_until timestamptz NOT NULL)`,
    `CREATE FUNCTION ispm_u64(raw bigint) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
       $$ SELECT CASE WHEN raw < 0 THEN raw::numeric + ${U64_OFFSET} ELSE raw::numeric END $$`,
    // The increase between two counter readings, never negative: a drop is a 32-bit wrap when
    // the previous reading fits in 32 bits and the wrapped increase is under 2^31, else a reset
    // (the increase is the new reading). Exact integers are used when both readings have them.
    `CREATE FUNCTION ispm_counter_delta(prev_raw bigint, prev double precision, cur_raw bigint,
       cur double precision) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
       SELECT CASE
         WHEN prev IS NULL THEN NULL
         WHEN prev_raw >= 0 AND cur_raw >= 0 THEN
           CASE WHEN cur_raw >= prev_raw THEN (cur_raw - prev_raw)::double precision
                WHEN prev_raw < 4294967296 AND cur_raw + 4294967296 - prev_raw < 2147483648
                  THEN (cur_raw + 4294967296 - prev_raw)::double precision
                ELSE cur_raw::double precision END
         WHEN prev_raw IS NOT NULL AND cur_raw IS NOT NULL THEN
           CASE WHEN ispm_u64(cur_raw) >= ispm_u64(prev_raw)
                  THEN (ispm_u64(cur_raw) - ispm_u64(prev_raw))::double precision
                ELSE ispm_u64(cur_raw)::double precision END
         WHEN cur >= prev THEN cur - prev
         WHEN prev < 4294967296 AND cur + 4294967296 - prev < 2147483648 THEN cur + 4294967296 - prev
         ELSE cur END $$`,
    // Devices added through the API: the whole definition as JSON.
    `CREATE TABLE ispm_devices (
       id text PRIMARY KEY,
       doc jsonb NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ispm_state (
       namespace text NOT NULL,
       key text NOT NULL,
       value jsonb NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (namespace, key))`,
    `CREATE TABLE ispm_device_system (
       device text PRIMARY KEY,
       facts jsonb NOT NULL,
       updated_at timestamptz NOT NULL)`,
    `CREATE TABLE ispm_device_status (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       device text NOT NULL,
       ts timestamptz NOT NULL,
       previous text NOT NULL,
       status text NOT NULL,
       reason text)`,
    'CREATE INDEX ispm_device_status_device_ts ON ispm_device_status (device, ts)',
    'CREATE INDEX ispm_device_status_ts ON ispm_device_status (ts)',
    // Inventory with history: a row is current while `ended_at` is NULL.
    `CREATE TABLE ispm_interfaces (
       device text NOT NULL,
       if_index text NOT NULL,
       name text NOT NULL,
       alias text, description text, type text, mac text,
       speed_bps double precision, admin_up boolean, oper_up boolean,
       first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL, ended_at timestamptz,
       PRIMARY KEY (device, if_index))`,
    `CREATE TABLE ispm_neighbours (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       device text NOT NULL,
       nkey text NOT NULL,
       protocol text NOT NULL,
       local_interface text, remote_name text, remote_id text, remote_address text,
       remote_interface text, remote_platform text,
       first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL, ended_at timestamptz)`,
    'CREATE UNIQUE INDEX ispm_neighbours_current ON ispm_neighbours (device, nkey) WHERE ended_at IS NULL',
    `CREATE TABLE ispm_pppoe_sessions (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       device text NOT NULL,
       skey text NOT NULL,
       username text NOT NULL,
       address text, caller_id text, service text, interface text,
       started_at timestamptz NOT NULL, last_seen timestamptz NOT NULL, ended_at timestamptz)`,
    'CREATE UNIQUE INDEX ispm_pppoe_current ON ispm_pppoe_sessions (device, skey) WHERE ended_at IS NULL',
    'CREATE INDEX ispm_pppoe_user ON ispm_pppoe_sessions (lower(username), started_at)',
    'CREATE INDEX ispm_pppoe_caller ON ispm_pppoe_sessions (lower(caller_id))',
    'CREATE INDEX ispm_pppoe_address ON ispm_pppoe_sessions (address)',
    `CREATE TABLE ispm_dhcp_leases (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       device text NOT NULL,
       lkey text NOT NULL,
       address text NOT NULL, mac text NOT NULL, host_name text, server text, status text,
       first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL, ended_at timestamptz)`,
    'CREATE UNIQUE INDEX ispm_dhcp_current ON ispm_dhcp_leases (device, lkey) WHERE ended_at IS NULL',
    'CREATE INDEX ispm_dhcp_mac ON ispm_dhcp_leases (lower(mac), first_seen)',
    'CREATE INDEX ispm_dhcp_address ON ispm_dhcp_leases (address)',
  ],
};

/**
 * Version 2: incremental rollups. 5-minute buckets that received rows after they were rolled up
 * (the next round recomputes them, instead of a whole lateness window every round), and a BRIN
 * index on the samples' time, so a round reads the minutes it rolls up rather than the whole
 * day's partition (rows arrive in time order, so a BRIN index is tiny and cheap to keep).
 */
const incrementalRollups: Migration = {
  version: 2,
  name: 'incremental rollups',
  statements: [
    'CREATE TABLE ispm_rollup_dirty (bucket timestamptz PRIMARY KEY)',
    'CREATE INDEX ispm_samples_ts ON ispm_samples USING brin (ts)',
  ],
};

/**
 * Version 3: a BRIN index on the 5-minute rollups' bucket. The hourly rollup reads one hour of
 * them; without it that was a scan of the whole day's partition, which at 10,000 routers grows
 * by 30 M rows an hour. Rows arrive in bucket order, so the index stays tiny.
 */
const rollupBucketIndex: Migration = {
  version: 3,
  name: 'rollup bucket index',
  statements: ['CREATE INDEX ispm_rollup_5m_bucket ON ispm_rollup_5m USING brin (bucket)'],
};

/** Every migration, in order. The last version is the level the code expects. */
export const migrations: readonly Migration[] = [
  initial,
  incrementalRollups,
  rollupBucketIndex,
  // Version 4 lives with the code that writes it: src/subscribers/schema.ts.
  subscriberHistory,
  // Version 5: the search's indexes, in src/subscribers/search-schema.ts.
  searchIndexes,
  // Version 6: interface addresses, in src/inventory/addresses-schema.ts.
  interfaceAddresses,
  // Versions 7 and 8: compressed chunks and their shared times, in src/chunks/schema.ts.
  chunkTable,
  chunkTimesTable,
];

/** The schema version this code expects. */
export const LATEST_VERSION = migrations[migrations.length - 1]?.version ?? 0;
