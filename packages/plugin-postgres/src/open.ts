import { openPg, redactUrl } from './db/pg.js';
import { openPglite } from './db/pglite.js';
import type { Db } from './db/types.js';
import type { PostgresOptions } from './options.js';
import { applyMigrations, LATEST_VERSION, type MigrationReport, schemaVersion } from './schema/migrate.js';

/** Just enough options to reach a database: a URL, or a PGlite folder, or memory. */
export interface ConnectOptions {
  url?: string;
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
    return {
      ...base,
      ok,
      version,
      message: ok
        ? 'database reachable, schema current'
        : `schema at version ${version}, expected ${LATEST_VERSION}`,
    };
  } catch (err) {
    return { ...base, ok: false, version: 0, message: `database unreachable: ${(err as Error).message}` };
  } finally {
    await db?.close().catch(() => {});
  }
}
