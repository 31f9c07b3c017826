/**
 * `@ispmonitor/plugin-postgres`: storage for ISP Monitor on PostgreSQL, or on an embedded PGlite.
 */

export type { CompactReport } from './chunks/compact.js';
export type { MaterializeReport } from './chunks/materialize.js';
export type { MergeReport } from './chunks/merge.js';
export type { StorageStats } from './chunks/stats.js';
export type { BinaryType } from './db/binary.js';
export { DataDirLockedError, type FolderLock, lockDataDir } from './db/lock.js';
export { openPg, type PgDbOptions, redactUrl } from './db/pg.js';
export { openPglite, type PgliteDbOptions } from './db/pglite.js';
export type {
  BinaryPayload,
  CopySpec,
  Db,
  EncodedCopy,
  PoolStats,
  Queryable,
  QueryResult,
  RowsCopy,
} from './db/types.js';
export type { StoredValue } from './ingest/encode.js';
export { decodeValue, encodeValue } from './ingest/encode.js';
export type { SeriesKey } from './ingest/series.js';
export { SeriesCache } from './ingest/series.js';
export type { RejectReason, WriteOutcome, WriterOptions } from './ingest/writer.js';
export { SampleWriter } from './ingest/writer.js';
export type { MaintenanceOptions } from './maintenance/job.js';
export { type MaintenanceReport, type RetentionMs, runMaintenance } from './maintenance/job.js';
export type { RollupReport } from './maintenance/rollups.js';
export type { DbMetrics } from './metrics.js';
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
export type * from './query/inventory-types.js';
export type { SeriesRow } from './query/samples.js';
export { SampleReader } from './query/samples.js';
export type { Retention, Source } from './query/source.js';
export type { Availability, StatusChange } from './query/status.js';
export type { TopQuery, TopRow } from './query/top.js';
export type { ReplicaStatus } from './replica/probe.js';
export type { StorageReplica } from './replica/replica.js';
export type { ReplicaState } from './replica/router.js';
export { applyMigrations, LATEST_VERSION, type MigrationReport, schemaVersion } from './schema/migrate.js';
export type { Migration } from './schema/migrations.js';
export { type PostgresStore, postgresStore, Storage } from './store.js';
export type * from './subscribers/query-types.js';
export { formatMac, normaliseIp, normaliseMac } from './subscribers/search-address.js';
export { BAD_QUERY, isBadQuery, MAX_QUERY_LENGTH } from './subscribers/search-terms.js';
