import { createToken, type Labels, type RangeQuery, type Sample, type SampleQuery } from '@ispmonitor/core';
import type { StorageStats } from './chunks/stats.js';
import type { MaintenanceReport } from './maintenance/job.js';
import type {
  HistorySearch,
  InterfaceRow,
  LeaseRow,
  LinkRow,
  NeighbourRow,
  SessionRow,
  StoredDevice,
} from './query/inventory-types.js';
import type { Source } from './query/source.js';
import type { Availability, StatusChange } from './query/status.js';
import type { TopQuery, TopRow } from './query/top.js';
import type { ReplicaStatus } from './replica/probe.js';
import type {
  BindingRecord,
  HistoryImport,
  HistoryWindow,
  SearchHit,
  SearchOptions,
  SessionPage,
  SubscriberSummary,
} from './subscribers/query-types.js';

/**
 * What the server reads from storage. Every method rejects while the database is unreachable.
 * With a read replica (`readUrl`) the reads go to it, except inside `readPrimary` and while it
 * has not yet replayed a device change or history import made through this process; `maintain`,
 * `importHistory` and `storageStats` always use the primary.
 */
export interface PostgresStore extends SampleQuery {
  readonly engine: 'postgres' | 'pglite';
  /**
   * Runs `fn` with every read of this store it makes (across awaits) on the primary: for a read
   * that must see a write made just before it by another path. Without a replica: runs `fn`.
   */
  readPrimary<T>(fn: () => Promise<T>): Promise<T>;
  /** The read replica as its last check found it; undefined without `readUrl`. */
  replicaStatus(): ReplicaStatus | undefined;
  devices(): Promise<StoredDevice[]>;
  interfaces(device: string, options?: { includeEnded?: boolean }): Promise<InterfaceRow[]>;
  neighbours(device?: string, options?: { includeEnded?: boolean }): Promise<NeighbourRow[]>;
  /** Topology: current neighbour edges, resolved to our devices where possible. */
  links(): Promise<LinkRow[]>;
  pppoeSessions(search?: HistorySearch): Promise<SessionRow[]>;
  dhcpLeases(search?: HistorySearch & { hostName?: string }): Promise<LeaseRow[]>;
  statusHistory(device: string, from: number, to: number): Promise<StatusChange[]>;
  availability(from: number, to: number, devices?: string[]): Promise<Availability[]>;
  /**
   * Status transitions of every device (or the given ones) in [from, to), oldest first per
   * device, each preceded by the transition in force at `from` (dated before it) when there is one.
   */
  statusChanges(from: number, to: number, devices?: string[]): Promise<StatusChange[]>;
  topN(query: TopQuery): Promise<TopRow[]>;
  /** Busiest interfaces by in+out bit rate over the window ending now. */
  busiestInterfaces(windowMs: number, limit?: number): Promise<TopRow[]>;
  /** Devices with the highest average CPU load over the window ending now. */
  highestCpu(windowMs: number, limit?: number): Promise<TopRow[]>;
  /** Exact readings of matching series (bigint beyond 2^53). */
  rawSamples(name: string, labels: Labels, from: number, to: number): Promise<Sample[]>;
  /** Which table a range query reads: `raw`, `5m` or `1h`. */
  sourceOf(query: RangeQuery): Source;
  /** Runs one maintenance round now (or at `now`, for tests and the CLI). */
  maintain(now?: number): Promise<MaintenanceReport>;
  /** What the samples take on disk: bytes per sample, chunks, hot rows (for diagnostics). */
  storageStats(): Promise<StorageStats>;
  /**
   * Writes past history (the demo's backfill) into the tables the live recorders fill: status
   * changes, time series as 5-minute aggregates (written as rollups). Bad entries: `BAD_QUERY`.
   */
  importHistory(h: HistoryImport): Promise<{ rows: number }>;
  /**
   * Fleet-wide search: PPPoE users (current and past), interfaces (name, alias, description),
   * IPs and MACs in any notation. Exact before prefix before substring; current before past;
   * newest first. Empty or over-long text, or a bad limit (1..100, default 20): `BAD_QUERY`.
   */
  search(q: string, options?: SearchOptions): Promise<SearchHit[]>;
  /** A PPPoE user's current sessions, routers, reconnects; undefined when never seen. */
  subscriber(user: string): Promise<SubscriberSummary | undefined>;
  /** A PPPoE user's sessions active in [from, to], newest first; `before` is a page's `next`. */
  subscriberSessions(user: string, q?: HistoryWindow & { before?: string }): Promise<SessionPage>;
  /** Who held an IP (sessions, leases, ARP), newest first. Not an IP: `BAD_QUERY`. */
  ipHistory(ip: string, q?: HistoryWindow): Promise<BindingRecord[]>;
  /** Where a MAC (any notation) was seen, newest first. Not a MAC: `BAD_QUERY`. */
  macHistory(mac: string, q?: HistoryWindow): Promise<BindingRecord[]>;
}

/** Token of the store, for the server: `monitor.resolve(postgresStore)`. */
export const postgresStore = createToken<PostgresStore>('ispmonitor.postgres.Store');
