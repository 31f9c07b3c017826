// The subscriber-history dataset of bench/subscribers.mjs, generated with set-based SQL
// (generate_series) into the plugin's own tables (its migrations create them), on PostgreSQL or
// PGlite, and cached: a PostgreSQL data folder (or a PGlite folder) under .cache/bench/ is reused
// while its dataset version matches; an older schema is migrated in place.
//
// R routers (`r00000`…), S subscribers (`u0000000`…, S / R per router), 30 days ending at `end`:
// subscriber i has n = 14 or 15 past sessions (14.4 on average: 2 % of the subscribers reconnect
// every hour) and one active session; the sessions tile the 30 days with a 30-second gap for one
// subscriber in ten (a reconnect) and 20 minutes for the others. A subscriber keeps one MAC
// (a bijection of i, so all distinct); each session gets an address from a 2^22 pool, so addresses
// are reused across subscribers over the month. Plus 24 interfaces per router.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyMigrations, LATEST_VERSION, openPg, openPglite } from '@ispmonitor/plugin-postgres';
import { folderBytes, migrateCached } from '../postgres/query.mjs';
import { PG_BIN, startPgServer } from '../support/pg-server.mjs';

const run = promisify(execFile);
/** Bump when the generated rows change: a cached dataset of another version is rebuilt. */
export const DATASET_VERSION = 1;
const DAY = 86_400_000;
const MONTH = 30 * DAY;
const MAC_MULT = 2654435761n;
const POOL = 4_194_304; // 2^22 addresses from 10.0.0.0

/** What the generator produces for subscriber i (mirrors the SQL, for the query mix). */
export const model = {
  user: (i) => `u${String(i).padStart(7, '0')}`,
  router: (i, routers) => `r${String(i % routers).padStart(5, '0')}`,
  past: (i) => 14 + (i % 10 < 4 ? 1 : 0),
  macHex: (i) => ((BigInt(i) * MAC_MULT) % 2n ** 48n).toString(16).padStart(12, '0'),
  /** Address of session k of subscriber i. */
  address: (i, k) => {
    const n = 167772160 + ((i * 13 + k * 7919) % POOL);
    return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  },
};

const routerSql = `'r' || lpad((i % $3)::text, 5, '0')`;
const macSql = `lpad(to_hex((i::bigint * ${MAC_MULT}) % 281474976710656), 12, '0')`;

// One slice of subscribers [$1, $2): their sessions (n past, one active), into the parent table
// (rows are routed to the week of their end, or to the open partition).
const SESSIONS = `
INSERT INTO ispm_pppoe_sessions (device, username, service, caller_id, mac, address, interface, router_session_id,
  started_at, last_seen, ended_at, end_reason, bytes_in, bytes_out, reconnect)
SELECT ${routerSql}, 'u' || lpad(i::text, 7, '0'), 'pppoe-in',
       upper(substr(m, 1, 2) || ':' || substr(m, 3, 2) || ':' || substr(m, 5, 2) || ':' || substr(m, 7, 2) || ':' ||
             substr(m, 9, 2) || ':' || substr(m, 11, 2)),
       m, '10.0.0.0'::inet + ((i * 13 + k * 7919) % ${POOL}), '<pppoe-u' || lpad(i::text, 7, '0') || '>',
       '*' || to_hex(i * 64 + k),
       st, CASE WHEN k < n THEN st + per - gap ELSE $4::timestamptz END,
       CASE WHEN k < n THEN st + per - gap END, CASE WHEN k < n THEN 'vanished' END,
       (i::bigint * 7919 + k * 104729) % 10000000000, (i::bigint * 104729 + k * 7919) % 1000000000,
       k > 0 AND i % 10 = 0
  FROM generate_series($1::int, $2::int - 1) i
 CROSS JOIN LATERAL (SELECT 14 + (i % 10 < 4)::int AS n, ${macSql} AS m) a
 CROSS JOIN LATERAL (SELECT interval '30 days' / (a.n + 1) AS per,
                            CASE WHEN i % 10 = 0 THEN interval '30 seconds' ELSE interval '20 minutes' END AS gap,
                            ((i * 7) % 3600) * interval '1 second' AS off) b
 CROSS JOIN LATERAL generate_series(0, a.n) k
 CROSS JOIN LATERAL (SELECT $4::timestamptz - interval '30 days' + k * b.per + b.off AS st) c`;

const INTERFACES = `
INSERT INTO ispm_interfaces (device, if_index, name, alias, description, type, mac, speed_bps, admin_up, oper_up,
  first_seen, last_seen)
SELECT 'r' || lpad(d::text, 5, '0'), j::text, 'ether' || j,
       CASE WHEN j = 1 THEN 'uplink' WHEN j <= 4 THEN 'olt-' || j ELSE NULL END,
       CASE WHEN j = 1 THEN 'to core ' || (d % 40) ELSE 'port ' || j END, 'ethernetCsmacd',
       '4C:5E:0C:' || upper(substr(x, 1, 2) || ':' || substr(x, 3, 2) || ':' || substr(x, 5, 2)),
       1e9, true, j % 5 <> 0, $2::timestamptz - interval '30 days', $2::timestamptz
  FROM generate_series(0, $1::int - 1) d, generate_series(1, 24) j,
       LATERAL (SELECT lpad(to_hex(((d * 24 + j)::bigint * 40503) % 16777216), 6, '0') AS x) m`;

/** Weekly partitions (by end) of the four subscriber tables over [from, to], named as the plugin names them. */
const WEEKS = `DO $$
DECLARE w timestamptz; t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ispm_pppoe_sessions', 'ispm_dhcp_leases', 'ispm_wireless_clients', 'ispm_arp_bindings'] LOOP
    FOR w IN SELECT generate_series(date_trunc('week', (timestamptz '%FROM%') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                                    timestamptz '%TO%', interval '7 days') LOOP
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        t || '_p' || to_char(w AT TIME ZONE 'UTC', 'YYYYMMDD'), t, w, w + interval '7 days');
    END LOOP;
  END LOOP;
END $$`;

/** Fills `db` (migrated, empty) with the dataset; `parallel` slices at once (PostgreSQL pool). */
export async function build(db, { routers, subscribers, end, parallel = 1, log = () => {} }) {
  await applyMigrations(db);
  const iso = (ms) => new Date(ms).toISOString();
  await db.query(WEEKS.replace('%FROM%', iso(end - MONTH - DAY)).replace('%TO%', iso(end)));
  await db.query(INTERFACES, [routers, iso(end)]);
  await db.query(
    `INSERT INTO ispm_subscriber_routers (device, pppoe_at, updated_at)
     SELECT 'r' || lpad(d::text, 5, '0'), $2::timestamptz, $2::timestamptz FROM generate_series(0, $1::int - 1) d`,
    [routers, iso(end)],
  );
  const slice = 25_000;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < subscribers) {
      const a = next;
      next += slice;
      await db.query(SESSIONS, [a, Math.min(subscribers, a + slice), routers, iso(end)]);
      done++;
      if (done % 4 === 0) log(`  ${Math.min(subscribers, done * slice)}/${subscribers} subscribers`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  for (const t of ['ispm_pppoe_sessions', 'ispm_interfaces', 'ispm_subscriber_routers'])
    await db.query(`VACUUM (ANALYZE) ${t}`);
}

function cacheState(metaFile, want) {
  const meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : undefined;
  const same =
    meta?.datasetVersion === DATASET_VERSION &&
    meta.routers === want.routers &&
    meta.subscribers === want.subscribers;
  return { meta, fresh: same && meta.schemaVersion <= LATEST_VERSION };
}

/**
 * The cached PostgreSQL dataset: starts its server (building the dataset first when absent or
 * stale; migrating it when only the schema is older). Returns { server, url, meta, built }.
 */
export async function cachedPg(root, want, log) {
  const dataDir = join(root, `pg-subscribers-${want.routers}`);
  const metaFile = `${dataDir}.json`;
  let { meta, fresh } = cacheState(metaFile, want);
  if (!fresh) {
    if (meta) log(`cached dataset ${dataDir} is stale: rebuilding`);
    rmSync(metaFile, { force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  let server = await startPgServer({ durable: fresh, dataDir });
  try {
    if (!fresh) {
      const url = await server.createDatabase('bench');
      const end = Math.floor(Date.now() / DAY) * DAY;
      const t0 = performance.now();
      log(`building ${want.routers} routers, ${want.subscribers} subscribers, 30 days in ${dataDir} …`);
      const db = await openPg({ url, max: 2, statementTimeoutMs: 0 });
      try {
        await build(db, { ...want, end, parallel: 2, log });
        await db.query('CHECKPOINT');
      } finally {
        await db.close();
      }
      const buildS = Math.round((performance.now() - t0) / 1000);
      // The build's WAL holds nothing the data needs after a clean shutdown.
      await server.stop();
      await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_resetwal'), dataDir]);
      server = await startPgServer({ durable: true, dataDir });
      meta = {
        datasetVersion: DATASET_VERSION,
        schemaVersion: LATEST_VERSION,
        ...want,
        end,
        buildS,
        builtAt: new Date().toISOString(),
        bytes: await folderBytes(dataDir),
      };
      writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
      log(`built in ${buildS} s, ${(meta.bytes / 2 ** 30).toFixed(1)} GiB on disk`);
    } else if (meta.schemaVersion < LATEST_VERSION) {
      await migrateCached(server.url('bench'), log);
      meta = { ...meta, schemaVersion: LATEST_VERSION, bytes: await folderBytes(dataDir) };
      writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    }
    return { server, url: server.url('bench'), meta, built: !fresh };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** The cached PGlite dataset folder (built when absent or stale). Returns { dataDir, meta, built }. */
export async function cachedPglite(root, want, log) {
  const dataDir = join(root, `pglite-subscribers-${want.routers}`);
  const metaFile = `${dataDir}.json`;
  let { meta, fresh } = cacheState(metaFile, want);
  if (fresh && meta.schemaVersion === LATEST_VERSION) return { dataDir, meta, built: false };
  if (!fresh) {
    rmSync(metaFile, { force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  const db = await openPglite({ dataDir });
  try {
    const t0 = performance.now();
    if (fresh) {
      await applyMigrations(db);
    } else {
      log(
        `building ${want.routers} routers, ${want.subscribers} subscribers, 30 days in ${dataDir} (PGlite) …`,
      );
      meta = { datasetVersion: DATASET_VERSION, ...want, end: Math.floor(Date.now() / DAY) * DAY };
      await build(db, { ...want, end: meta.end, log });
      meta.buildS = Math.round((performance.now() - t0) / 1000);
      meta.builtAt = new Date().toISOString();
    }
  } finally {
    await db.close();
  }
  meta = { ...meta, schemaVersion: LATEST_VERSION, bytes: await folderBytes(dataDir) };
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  return { dataDir, meta, built: !fresh };
}

// `node bench/subscribers/dataset.mjs [routers subscribers]`: builds (or migrates) the cached
// PostgreSQL dataset alone, e.g. ahead of a run.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('../../.cache/bench/', import.meta.url));
  const want = {
    routers: Number(process.argv[2] ?? 10_000),
    subscribers: Number(process.argv[3] ?? 500_000),
  };
  const ds = await cachedPg(root, want, console.log);
  console.log(JSON.stringify(ds.meta));
  await ds.server.stop();
}
