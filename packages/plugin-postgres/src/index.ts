/**
 * `@ispmonitor/plugin-postgres`: storage for ISP Monitor on PostgreSQL, or on an embedded PGlite.
 */

export { DataDirLockedError, type FolderLock, lockDataDir } from './db/lock.js';
export { openPg, type PgDbOptions, redactUrl } from './db/pg.js';
export { openPglite, type PgliteDbOptions } from './db/pglite.js';
export type { CopySpec, Db, PoolStats, Queryable, QueryResult } from './db/types.js';
export { decodeValue, encodeValue } from './ingest/encode.js';
export type { RejectReason, WriteOutcome } from './ingest/writer.js';
export { type MaintenanceReport, type RetentionMs, runMaintenance } from './maintenance/job.js';
export {
  type ConnectOptions,
  checkDatabase,
  type DbHealth,
  describeTarget,
  migrate,
  openDb,
} from './open.js';
export { optionsSchema, type PostgresOptions, type PostgresOptionsInput } from './options.js';
export { DB_NOT_READY, postgres } from './plugin.js';
export type {
  HistorySearch,
  InterfaceRow,
  LeaseRow,
  LinkRow,
  NeighbourRow,
  SessionRow,
  StoredDevice,
} from './query/inventory.js';
export type { Source } from './query/source.js';
export type { Availability, StatusChange } from './query/status.js';
export type { TopQuery, TopRow } from './query/top.js';
export { applyMigrations, LATEST_VERSION, type MigrationReport, schemaVersion } from './schema/migrate.js';
export { type PostgresStore, postgresStore, Storage } from './store.js';
