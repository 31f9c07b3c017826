import { openPg, redactUrl } from './db/pg.js';
import { openPglite } from './db/pglite.js';
import type { Db } from './db/types.js';
import type { PostgresOptions } from './options.js';
import { ReplicaProbe } from './replica/probe.js';
import { ReadRouter } from './replica/router.js';
import { applyMigrations, LATEST_VERSION, type MigrationReport, schemaVersion } from './schema/migrate.js';

/** Just enough options to reach a database: a URL, or a PGlite folder, or memory. */
export interface ConnectOptions {
  url?: string;
  /** A read replica of `url`: `checkDatabase` reports its state and replay lag too. */
  readUrl?: string;
  dataDir?: string;
  memory?: boolean;
  pool?: Partial<Pick<PostgresOptions['pool'], 'max' | 'connectTimeout' | 'statementTimeout'>>;
  onIdleError?: (err: Error) => void;
}

/** Opens the database the options name: PostgreSQL when there is a URL, PGlite otherwise. */
export function openDb(o: ConnectOptions): Promise<Db> {
  if (o.url) {
    return openPg({
      url: o.url,
      max: o.pool?.max,
      connectTimeoutMs: o.pool?.connectTimeout,
      statementTimeoutMs: o.pool?.statementTimeout,
      onIdleError: o.onIdleError,
    });
  }
  // A lost worker thread is reported like a lost idle connection (the health check fails too).
  return openPglite({ dataDir: o.dataDir, memory: o.memory, onWorkerGone: o.onIdleError });
}

/** Where the options point, without secrets: for logs and health details. */
export function describeTarget(o: ConnectOptions): string {
  if (o.url) return redactUrl(o.url);
  return o.memory ? 'pglite (memory)' : `pglite ${o.dataDir ?? './.data/pglite'}`;
}

const normalise = (target: string | ConnectOptions): ConnectOptions =>
  typeof target === 'string' ? { url: target } : target;

/**
 * Applies pending migrations and closes: what `ispmonitor migrate` runs. Takes a PostgreSQL URL
 * or connection options (PGlite folder). Safe to run while other replicas start.
 */
export async function migrate(target: string | ConnectOptions): Promise<MigrationReport> {
  const db = await openDb(normalise(target));
  try {
    return await applyMigrations(db);
  } finally {
    await db.close();
  }
}

/** Result of `healthcheck db`. */
export interface DbHealth {
  ok: boolean;
  target: string;
  version: number;
  expected: number;
  message: string;
  /** With `readUrl`: whether the replica answers, is a standby, and how far behind it replays. */
  replica?: { state: string; target: string; lagSeconds: number | null; error?: string };
}

/** Connects, reads the schema version and closes; never throws: what `ispmonitor healthcheck db` runs. */
export async function checkDatabase(target: string | ConnectOptions): Promise<DbHealth> {
  const o = normalise(target);
  const base = { target: describeTarget(o), expected: LATEST_VERSION };
  let db: Db | undefined;
  try {
    db = await openDb(o);
    const version = await schemaVersion(db);
    const ok = version === LATEST_VERSION;
    // The replica does not decide `ok`: without it, reads are answered by the primary.
    const replica = o.url && o.readUrl ? await checkReplica(db, o.readUrl) : undefined;
    return {
      ...base,
      ok,
      version,
      message: ok
        ? 'database reachable, schema current'
        : `schema at version ${version}, expected ${LATEST_VERSION}`,
      ...(replica ? { replica } : {}),
    };
  } catch (err) {
    return { ...base, ok: false, version: 0, message: `database unreachable: ${(err as Error).message}` };
  } finally {
    await db?.close().catch(() => {});
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const wallClock = { now: () => Date.now(), setTimeout: () => undefined, clearTimeout() {} };

/** One check of the replica beside an open primary (for `checkDatabase`); never throws. */
async function checkReplica(primary: Db, readUrl: string): Promise<NonNullable<DbHealth['replica']>> {
  const replica = await openDb({ url: readUrl, pool: { max: 1 } });
  try {
    const router = new ReadRouter(primary, replica, quiet);
    const s = await new ReplicaProbe(
      router,
      { maxLagMs: Number.POSITIVE_INFINITY, target: redactUrl(readUrl) },
      wallClock,
    ).check();
    return {
      state: s.state,
      target: s.target,
      lagSeconds: s.lagSeconds,
      ...(s.error ? { error: s.error } : {}),
    };
  } finally {
    await replica.close().catch(() => {});
  }
}
