/**
 * `@ispmonitor/plugin-postgres`: storage for ISP Monitor on PostgreSQL, or on an embedded PGlite.
 */

export { DataDirLockedError, type FolderLock, lockDataDir } from './db/lock.js';
export { openPg, type PgDbOptions, redactUrl } from './db/pg.js';
export { openPglite, type PgliteDbOptions } from './db/pglite.js';
export type { CopySpec, Db, PoolStats, Queryable, QueryResult } from './db/types.js';
export { SampleWriter } from './ingest/writer.js';
export { SampleReader } from './query/samples.js';
export { applyMigrations, LATEST_VERSION, type MigrationReport, schemaVersion } from './schema/migrate.js';
