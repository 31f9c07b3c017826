import type { Db } from '../db/types.js';
import { migrations as allMigrations, LATEST_VERSION, type Migration } from './migrations.js';

/** Advisory lock key for migrations ("ISPM" + 1): replicas starting together take turns. */
export const MIGRATION_LOCK_KEY = 0x4953_504d_0001;

/** What a migration run did. */
export interface MigrationReport {
  /** Versions applied by this run (empty when the schema was current). */
  applied: number[];
  /** Schema version after the run. */
  version: number;
}

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock: a
 * second replica waits, then sees the versions the first recorded and applies nothing. Running
 * it again is a no-op. A database newer than this code is refused rather than touched.
 */
export async function applyMigrations(
  db: Db,
  list: readonly Migration[] = allMigrations,
): Promise<MigrationReport> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ispm_schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM ispm_schema_migrations')).rows.map((r) =>
        Number(r.version),
      ),
    );
    const newest = Math.max(0, ...done);
    const expected = list[list.length - 1]?.version ?? 0;
    if (newest > expected) {
      throw new Error(
        `database schema is at version ${newest}, newer than this code (${expected}): upgrade the code`,
      );
    }
    const applied: number[] = [];
    for (const m of list) {
      if (done.has(m.version)) continue;
      for (const sql of m.statements) await tx.query(sql);
      await tx.query('INSERT INTO ispm_schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return { applied, version: Math.max(newest, ...applied) };
  });
}

/** The schema version recorded in the database (0 when never migrated). */
export async function schemaVersion(db: Db): Promise<number> {
  const exists = await db.query<{ ok: boolean }>(
    "SELECT to_regclass('ispm_schema_migrations') IS NOT NULL AS ok",
  );
  if (!exists.rows[0]?.ok) return 0;
  const res = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM ispm_schema_migrations');
  return Number(res.rows[0]?.v ?? 0);
}

export { LATEST_VERSION };
