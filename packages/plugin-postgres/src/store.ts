import {
  type Clock,
  counterNames,
  type DeviceStatus,
  describeError,
  type HealthCheckResult,
  type Labels,
  type Logger,
  type RangeQuery,
  type Sample,
  type SeriesData,
} from '@ispmonitor/core';
import { type StorageStats, storageStats } from './chunks/stats.js';
import type { Db } from './db/types.js';
import { importHistory } from './history-import/index.js';
import { SeriesCache } from './ingest/series.js';
import { SampleWriter, type WriteOutcome } from './ingest/writer.js';
import { type MaintenanceReport, runMaintenance } from './maintenance/job.js';
import type { DbMetrics } from './metrics.js';
import type { PostgresOptions } from './options.js';
import { InventoryReader } from './query/inventory.js';
import type { HistorySearch } from './query/inventory-types.js';
import { SampleReader } from './query/samples.js';
import type { Source } from './query/source.js';
import { StatusReader } from './query/status.js';
import { type TopQuery, type TopRow, topN } from './query/top.js';
import type { ReplicaStatus } from './replica/probe.js';
import type { StorageReplica } from './replica/replica.js';
import { onPrimary } from './replica/router.js';
import { LATEST_VERSION, schemaVersion } from './schema/migrate.js';
import type { PostgresStore } from './store-api.js';
import { ipHistory, macHistory } from './subscribers/query-history.js';
import { subscriberSessions, subscriberSummary } from './subscribers/query-sessions.js';
import type {
  HistoryImport,
  HistoryWindow,
  SearchHit,
  SearchOptions,
  SubscriberSummary,
} from './subscribers/query-types.js';
import { search } from './subscribers/search.js';

export { type PostgresStore, postgresStore } from './store-api.js';

/**
 * The open database (and its read replica, if any) and everything built on it. Created by the
 * plugin each time the database is reached; what the plugin provides before that (the
 * `lazyStore`, the sink, the inventory) rejects with `DB_NOT_READY` until it exists.
 */
export class Storage implements PostgresStore {
  readonly engine: 'postgres' | 'pglite';
  readonly writer: SampleWriter;
  readonly samples: SampleReader;
  /** Where reads go: the replica's router with `readUrl`, else the primary itself. */
  readonly reads: Db;
  readonly #inventory: InventoryReader;
  readonly #status: StatusReader;
  readonly #series: SeriesCache;
  #maintaining: Promise<MaintenanceReport> | undefined;

  constructor(
    readonly db: Db,
    private readonly options: PostgresOptions,
    private readonly clock: Clock,
    private readonly metrics: DbMetrics,
    private readonly logger: Logger,
    /** The read replica (`readUrl`): reads go through its router. */
    readonly replica?: StorageReplica,
  ) {
    this.engine = db.engine;
    const reads = replica?.reads ?? db;
    this.reads = reads;
    const r = options.retention;
    this.#series = new SeriesCache(db, options.ingest.seriesCache);
    this.writer = new SampleWriter(db, this.#series, {
      chunkSize: options.ingest.chunkSize,
      parallel: db.engine === 'pglite' ? 1 : Math.min(options.ingest.parallel, options.pool.max),
      minParallelChunk: 1000,
      maxAgeMs: r.raw,
      maxFutureMs: options.ingest.maxFuture,
      counters: counterNames,
      // With chunks, late rows re-open their chunk and its rollups instead of marking buckets.
      rollups: options.rollups.enabled && !options.chunks.enabled,
      now: () => clock.now(),
    });
    this.samples = new SampleReader(reads, { raw: r.raw, rollup5m: r.rollup5m, rollup1h: r.rollup1h }, () =>
      clock.now(),
    );
    this.#inventory = new InventoryReader(reads);
    this.#status = new StatusReader(reads);
  }

  readPrimary<T>(fn: () => Promise<T>): Promise<T> {
    return onPrimary(fn);
  }

  replicaStatus(): ReplicaStatus | undefined {
    return this.replica?.status;
  }

  /**
   * Reads from here on see every write made so far (read-your-writes): they go to the primary
   * until the replica has replayed them. Called after writes a user reads back at once.
   */
  async mustSeeWrites(): Promise<void> {
    await this.replica?.mustSeeWrites();
  }

  /** Closes the replica's pool, then the primary's. Safe to call twice. */
  async close(): Promise<void> {
    await this.replica?.close().catch(() => {});
    await this.db.close();
  }

  /** Writes one batch (the Sink's `write`): throws to make core retry it later. */
  async write(batch: Sample[]): Promise<WriteOutcome> {
    const end = this.metrics.writeDuration.startTimer();
    try {
      const out = await this.writer.write(batch);
      this.metrics.batches.inc({ result: 'ok' });
      this.metrics.samplesWritten.inc({ engine: this.engine }, out.accepted);
      if (out.deduplicated) this.metrics.dedupBatches.inc();
      for (const [reason, n] of Object.entries(out.rejected))
        this.metrics.samplesRejected.inc({ reason }, n ?? 0);
      return out;
    } catch (err) {
      this.metrics.batches.inc({ result: 'error' });
      throw err;
    } finally {
      end();
    }
  }

  async maintain(now = this.clock.now()): Promise<MaintenanceReport> {
    // One round at a time in this process; replicas coordinate with advisory locks.
    this.#maintaining ??= (async () => {
      const started = this.clock.now();
      try {
        const report = await runMaintenance(
          this.db,
          {
            retention: this.options.retention,
            rollups: this.options.rollups.enabled,
            latenessMs: this.options.rollups.lateness,
            partitionsAheadDays: this.options.maintenance.partitionsAhead,
            rollupStatementTimeoutMs: this.options.maintenance.statementTimeout,
            subscriberRetentionMs: this.options.subscribers.retention,
            ...(this.options.chunks.enabled ? { chunks: { hotMs: this.options.chunks.hot } } : {}),
          },
          now,
        );
        if (report.dropped.length) this.writer.forgetPartitions();
        this.metrics.maintenance.inc({ result: 'ok' });
        const seconds = (this.clock.now() - started) / 1000;
        this.metrics.maintenanceDuration.observe(seconds);
        const r = report.rollups;
        if (r) {
          this.metrics.rollupRows.inc({ level: '5m' }, r.rows5m);
          this.metrics.rollupRows.inc({ level: '1h' }, r.rows1h);
        }
        const m = report.materialized;
        if (m) {
          this.metrics.rollupRows.inc({ level: '5m' }, m.rows5m);
          this.metrics.rollupRows.inc({ level: '1h' }, m.rows1h);
        }
        this.logger.debug('database maintenance round', {
          seconds,
          created: report.created.length,
          dropped: report.dropped.length,
          rows5m: r?.rows5m,
          rows1h: r?.rows1h,
          recomputed5m: r?.recomputed5m,
          compacted: report.compaction,
          materialized: report.materialized,
          fiveMinUntil: r?.fiveMinUntil === undefined ? undefined : new Date(r.fiveMinUntil).toISOString(),
        });
        return report;
      } catch (err) {
        this.metrics.maintenance.inc({ result: 'error' });
        this.logger.warn('database maintenance failed', { error: describeError(err) });
        throw err;
      }
    })().finally(() => {
      this.#maintaining = undefined;
    });
    return this.#maintaining;
  }

  async health(): Promise<HealthCheckResult> {
    try {
      const version = await schemaVersion(this.db);
      const details = {
        engine: this.engine,
        schemaVersion: version,
        expected: LATEST_VERSION,
        pool: this.db.poolStats(),
        ...(this.replica ? { replica: this.replica.status } : {}),
      };
      if (version !== LATEST_VERSION)
        return { status: 'fail', message: `schema at version ${version}`, details };
      return { status: 'pass', details };
    } catch (err) {
      return { status: 'fail', message: `database unreachable: ${describeError(err).message}` };
    }
  }

  async storageStats(): Promise<StorageStats> {
    const stats = await storageStats(this.db, this.options.chunks.enabled ? this.options.chunks.hot : null);
    return this.replica ? { ...stats, replica: this.replica.status } : stats;
  }
  range(q: RangeQuery): Promise<SeriesData[]> {
    return this.samples.range(q);
  }
  latest(name: string, labels?: Labels): Promise<Sample[]> {
    return this.samples.latest(name, labels);
  }
  rawSamples(name: string, labels: Labels, from: number, to: number): Promise<Sample[]> {
    return this.samples.rawExact(name, labels, from, to);
  }
  sourceOf(q: RangeQuery): Source {
    return this.samples.source(q);
  }
  devices() {
    return this.#inventory.devices();
  }
  interfaces(device: string, options?: { includeEnded?: boolean }) {
    return this.#inventory.interfaces(device, options);
  }
  neighbours(device?: string, options?: { includeEnded?: boolean }) {
    return this.#inventory.neighbours(device, options);
  }
  links() {
    return this.#inventory.links();
  }
  pppoeSessions(search?: HistorySearch) {
    return this.#inventory.pppoeSessions(search);
  }
  dhcpLeases(search?: HistorySearch & { hostName?: string }) {
    return this.#inventory.dhcpLeases(search);
  }
  statusHistory(device: string, from: number, to: number) {
    return this.#status.history(device, from, to);
  }
  availability(from: number, to: number, devices?: string[]) {
    return this.#status.availability(from, to, devices);
  }
  statusChanges(from: number, to: number, devices?: string[]) {
    return this.#status.changes(from, to, devices);
  }
  topN(q: TopQuery) {
    return topN(this.reads, q);
  }
  async busiestInterfaces(windowMs: number, limit = 10): Promise<TopRow[]> {
    const rows = await topN(this.reads, {
      names: ['interface_in_octets_total', 'interface_out_octets_total'],
      fn: 'rate',
      by: 'interface',
      windowMs,
      to: this.clock.now(),
      limit,
    });
    // Octets per second to bits per second, the unit operators read.
    return rows.map((r) => ({ ...r, value: r.value * 8 }));
  }
  async importHistory(h: HistoryImport): Promise<{ rows: number }> {
    const out = await importHistory(this.db, this.#series, h, {
      rollupStatementTimeoutMs: this.options.maintenance.statementTimeout,
      now: this.clock.now(),
    });
    // The importer reads its history back at once (the demo's charts): from the primary until replayed.
    await this.mustSeeWrites();
    return out;
  }
  search(q: string, options?: SearchOptions): Promise<SearchHit[]> {
    return search(this.reads, q, options);
  }
  subscriber(user: string): Promise<SubscriberSummary | undefined> {
    return subscriberSummary(this.reads, user, this.clock.now());
  }
  subscriberSessions(user: string, q?: HistoryWindow & { before?: string }) {
    return subscriberSessions(this.reads, user, q);
  }
  ipHistory(ip: string, q?: HistoryWindow) {
    return ipHistory(this.reads, ip, q);
  }
  macHistory(mac: string, q?: HistoryWindow) {
    return macHistory(this.reads, mac, q);
  }
  highestCpu(windowMs: number, limit = 10): Promise<TopRow[]> {
    return topN(this.reads, {
      names: ['device_cpu_load_ratio'],
      fn: 'avg',
      by: 'device',
      windowMs,
      to: this.clock.now(),
      limit,
    });
  }
}

/** A status event waiting to be recorded. */
export interface PendingStatus {
  device: string;
  previous: DeviceStatus;
  status: DeviceStatus;
  ts: number;
  reason?: string;
}
