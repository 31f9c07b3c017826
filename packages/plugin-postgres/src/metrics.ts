import { counter, gauge, histogram, registerMetrics } from '@ispmonitor/core';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { PoolStats } from './db/types.js';

/** The plugin's self-metrics, all named `ispmonitor_db_*`, all in the monitor's registry. */
export interface DbMetrics {
  samplesWritten: Counter<'engine'>;
  samplesRejected: Counter<'reason'>;
  batches: Counter<'result'>;
  writeDuration: Histogram<never>;
  dedupBatches: Counter<never>;
  maintenance: Counter<'result'>;
  maintenanceDuration: Histogram<never>;
  rollupRows: Counter<'level'>;
  factsErrors: Counter<'event'>;
}

/** Creates the metrics in `registry`; pool numbers are read when Prometheus scrapes. */
export function createDbMetrics(registry: Registry, pool: () => PoolStats | undefined): DbMetrics {
  return registerMetrics(registry, {
    poolConnections: gauge(
      'ispmonitor_db_pool_connections{state}',
      'Database connections by state (PGlite has one)',
      function () {
        const p = pool();
        this.set({ state: 'total' }, p?.total ?? 0);
        this.set({ state: 'idle' }, p?.idle ?? 0);
      },
    ),
    poolWaiting: gauge(
      'ispmonitor_db_pool_waiting',
      'Queries waiting for a database connection',
      function () {
        this.set(pool()?.waiting ?? 0);
      },
    ),
    samplesWritten: counter(
      'ispmonitor_db_samples_written_total{engine}',
      'Samples handed to the database (a retried batch counts again; duplicates are not stored twice)',
    ),
    samplesRejected: counter(
      'ispmonitor_db_samples_rejected_total{reason}',
      'Samples not stored because they could never be (malformed, bad value, too old, too new)',
    ),
    batches: counter(
      'ispmonitor_db_write_batches_total{result}',
      'Sample batches written, by result (ok, error)',
    ),
    writeDuration: histogram(
      'ispmonitor_db_write_duration_seconds',
      'Time to write one sample batch',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    dedupBatches: counter(
      'ispmonitor_db_dedup_batches_total',
      'Batches that overlapped stored rows (retries) and went through the duplicate-safe path',
    ),
    maintenance: counter(
      'ispmonitor_db_maintenance_runs_total{result}',
      'Maintenance rounds (partitions, rollups, retention), by result',
    ),
    maintenanceDuration: histogram(
      'ispmonitor_db_maintenance_duration_seconds',
      'Time one maintenance round took (partitions, rollups, retention)',
      [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300],
    ),
    rollupRows: counter(
      'ispmonitor_db_rollup_rows_total{level}',
      'Rollup rows computed by this process, by level (5m, 1h); recomputed buckets count again',
    ),
    factsErrors: counter(
      'ispmonitor_db_event_errors_total{event}',
      'Bus events (facts, device status) that could not be recorded',
    ),
  });
}

/** What the replica gauges read when Prometheus scrapes. */
export interface ReplicaGauges {
  lagSeconds: number | null;
  lagBytes: number | null;
  /** Reads go to the replica (true) or have fallen back to the primary (false). */
  serving: boolean;
}

/** A gauge of a lag read at scrape time; a lag not measured yet (null) leaves it unset rather than 0. */
function lagGauge(name: string, help: string, read: () => number | null) {
  return gauge(name, help, function () {
    const lag = read();
    if (lag !== null) this.set(lag);
  });
}

/**
 * The read replica's self-metrics (only with `readUrl`): its replay lag as the last check found
 * it, whether it serves reads now, and reads by the database that answered them.
 */
export function createReplicaMetrics(registry: Registry, gauges: () => ReplicaGauges): Counter<'target'> {
  const { reads } = registerMetrics(registry, {
    lagSeconds: lagGauge(
      'ispmonitor_db_replica_lag_seconds',
      'How far the read replica replays behind the primary, in seconds, at the last check (0 when caught up)',
      () => gauges().lagSeconds,
    ),
    lagBytes: lagGauge(
      'ispmonitor_db_replica_lag_bytes',
      'WAL bytes written on the primary (its insert position) and not yet replayed on the read replica, at the last check',
      () => gauges().lagBytes,
    ),
    serving: gauge(
      'ispmonitor_db_replica_serving',
      'Whether reads go to the read replica (1) or have fallen back to the primary (0)',
      function () {
        this.set(gauges().serving ? 1 : 0);
      },
    ),
    reads: counter(
      'ispmonitor_db_reads_total{target}',
      'Read statements of the server by the database that answered them (replica, primary)',
    ),
  });
  reads.inc({ target: 'replica' }, 0);
  reads.inc({ target: 'primary' }, 0);
  return reads;
}
