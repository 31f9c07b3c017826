import type { Labels, RangeQuery, Sample, SeriesData } from '@ispmonitor/core';
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
} from './query/inventory.js';
import type { Source } from './query/source.js';
import type { Availability, StatusChange } from './query/status.js';
import type { TopQuery, TopRow } from './query/top.js';
import type { ReplicaStatus } from './replica/probe.js';
import { onPrimary } from './replica/router.js';
import type { Storage } from './store.js';
import type { PostgresStore } from './store-api.js';
import type {
  BindingRecord,
  HistoryImport,
  SearchHit,
  SessionPage,
  SubscriberSummary,
} from './subscribers/query-types.js';

/**
 * The store the plugin provides at setup, before the database is open: each call goes to the
 * `Storage` of the moment (a new one after the database is reached again), and rejects with
 * `DB_NOT_READY` (from `need`) while there is none. Typed by `PostgresStore` method by method,
 * so a method added to the interface and not here fails to compile.
 */
export class LazyStore implements PostgresStore {
  constructor(
    /** The open storage, or a `DB_NOT_READY` error thrown. */
    private readonly need: () => Storage,
    /** The open storage, or undefined: for what has an answer without a database. */
    private readonly peek: () => Storage | undefined,
    /** The engine the options name, until the database says. */
    private readonly configured: 'postgres' | 'pglite',
  ) {}

  get engine(): 'postgres' | 'pglite' {
    return this.peek()?.engine ?? this.configured;
  }

  // A missing database is a rejected promise, like any other failure of a read, never a throw.
  #call<T>(fn: (s: Storage) => Promise<T>): Promise<T> {
    try {
      return fn(this.need());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  readPrimary<T>(fn: () => Promise<T>): Promise<T> {
    return onPrimary(fn);
  }
  replicaStatus(): ReplicaStatus | undefined {
    return this.peek()?.replicaStatus();
  }
  range(q: RangeQuery): Promise<SeriesData[]> {
    return this.#call((s) => s.range(q));
  }
  latest(name: string, labels?: Labels): Promise<Sample[]> {
    return this.#call((s) => s.latest(name, labels));
  }
  devices(): Promise<StoredDevice[]> {
    return this.#call((s) => s.devices());
  }
  interfaces(device: string, options?: { includeEnded?: boolean }): Promise<InterfaceRow[]> {
    return this.#call((s) => s.interfaces(device, options));
  }
  neighbours(device?: string, options?: { includeEnded?: boolean }): Promise<NeighbourRow[]> {
    return this.#call((s) => s.neighbours(device, options));
  }
  links(): Promise<LinkRow[]> {
    return this.#call((s) => s.links());
  }
  pppoeSessions(search?: HistorySearch): Promise<SessionRow[]> {
    return this.#call((s) => s.pppoeSessions(search));
  }
  dhcpLeases(search?: HistorySearch & { hostName?: string }): Promise<LeaseRow[]> {
    return this.#call((s) => s.dhcpLeases(search));
  }
  statusHistory(device: string, from: number, to: number): Promise<StatusChange[]> {
    return this.#call((s) => s.statusHistory(device, from, to));
  }
  availability(from: number, to: number, devices?: string[]): Promise<Availability[]> {
    return this.#call((s) => s.availability(from, to, devices));
  }
  statusChanges(from: number, to: number, devices?: string[]): Promise<StatusChange[]> {
    return this.#call((s) => s.statusChanges(from, to, devices));
  }
  topN(query: TopQuery): Promise<TopRow[]> {
    return this.#call((s) => s.topN(query));
  }
  busiestInterfaces(windowMs: number, limit?: number): Promise<TopRow[]> {
    return this.#call((s) => s.busiestInterfaces(windowMs, limit));
  }
  highestCpu(windowMs: number, limit?: number): Promise<TopRow[]> {
    return this.#call((s) => s.highestCpu(windowMs, limit));
  }
  rawSamples(name: string, labels: Labels, from: number, to: number): Promise<Sample[]> {
    return this.#call((s) => s.rawSamples(name, labels, from, to));
  }
  /** Synchronous: throws `DB_NOT_READY` while there is no database. */
  sourceOf(query: RangeQuery): Source {
    return this.need().sourceOf(query);
  }
  maintain(now?: number): Promise<MaintenanceReport> {
    return this.#call((s) => s.maintain(now));
  }
  storageStats(): Promise<StorageStats> {
    return this.#call((s) => s.storageStats());
  }
  importHistory(h: HistoryImport): Promise<{ rows: number }> {
    return this.#call((s) => s.importHistory(h));
  }
  search(q: string, options?: { limit?: number }): Promise<SearchHit[]> {
    return this.#call((s) => s.search(q, options));
  }
  subscriber(user: string): Promise<SubscriberSummary | undefined> {
    return this.#call((s) => s.subscriber(user));
  }
  subscriberSessions(
    user: string,
    q?: { from?: number; to?: number; limit?: number; before?: string },
  ): Promise<SessionPage> {
    return this.#call((s) => s.subscriberSessions(user, q));
  }
  ipHistory(ip: string, q?: { from?: number; to?: number; limit?: number }): Promise<BindingRecord[]> {
    return this.#call((s) => s.ipHistory(ip, q));
  }
  macHistory(mac: string, q?: { from?: number; to?: number; limit?: number }): Promise<BindingRecord[]> {
    return this.#call((s) => s.macHistory(mac, q));
  }
}
