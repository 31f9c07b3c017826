import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
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
  const registers = [registry];
  new Gauge({
    name: 'ispmonitor_db_pool_connections',
    help: 'Database connections by state (PGlite has one)',
    labelNames: ['state'],
    registers,
    collect() {
      const p = pool();
      this.set({ state: 'total' }, p?.total ?? 0);
      this.set({ state: 'idle' }, p?.idle ?? 0);
    },
  });
  new Gauge({
    name: 'ispmonitor_db_pool_waiting',
    help: 'Queries waiting for a database connection',
    registers,
    collect() {
      this.set(pool()?.waiting ?? 0);
    },
  });
  return {
    samplesWritten: new Counter({
      name: 'ispmonitor_db_samples_written_total',
      help: 'Samples handed to the database (a retried batch counts again; duplicates are not stored twice)',
      labelNames: ['engine'],
      registers,
    }),
    samplesRejected: new Counter({
      name: 'ispmonitor_db_samples_rejected_total',
      help: 'Samples not stored because they could never be (malformed, bad value, too old, too new)',
      labelNames: ['reason'],
      registers,
    }),
    batches: new Counter({
      name: 'ispmonitor_db_write_batches_total',
      help: 'Sample batches written, by result (ok, error)',
      labelNames: ['result'],
      registers,
    }),
    writeDuration: new Histogram({
      name: 'ispmonitor_db_write_duration_seconds',
      help: 'Time to write one sample batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    dedupBatches: new Counter({
      name: 'ispmonitor_db_dedup_batches_total',
      help: 'Batches that overlapped stored rows (retries) and went through the duplicate-safe path',
      registers,
    }),
    maintenance: new Counter({
      name: 'ispmonitor_db_maintenance_runs_total',
      help: 'Maintenance rounds (partitions, rollups, retention), by result',
      labelNames: ['result'],
      registers,
    }),
    maintenanceDuration: new Histogram({
      name: 'ispmonitor_db_maintenance_duration_seconds',
      help: 'Time one maintenance round took (partitions, rollups, retention)',
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300],
      registers,
    }),
    rollupRows: new Counter({
      name: 'ispmonitor_db_rollup_rows_total',
      help: 'Rollup rows computed by this process, by level (5m, 1h); recomputed buckets count again',
      labelNames: ['level'],
      registers,
    }),
    factsErrors: new Counter({
      name: 'ispmonitor_db_event_errors_total',
      help: 'Bus events (facts, device status) that could not be recorded',
      labelNames: ['event'],
      registers,
    }),
  };
}

/** What the replica gauges read when Prometheus scrapes. */
export interface ReplicaGauges {
  lagSeconds: number | null;
  lagBytes: number | null;
  /** Reads go to the replica (true) or have fallen back to the primary (false). */
  serving: boolean;
}

/**
 * The read replica's self-metrics (only with `readUrl`): its replay lag as the last check found
 * it, whether it serves reads now, and reads by the database that answered them.
 */
export function createReplicaMetrics(registry: Registry, gauges: () => ReplicaGauges): Counter<'target'> {
  const registers = [registry];
  new Gauge({
    name: 'ispmonitor_db_replica_lag_seconds',
    help: 'How far the read replica replays behind the primary, in seconds, at the last check (0 when caught up)',
    registers,
    collect() {
      const lag = gauges().lagSeconds;
      if (lag !== null) this.set(lag);
    },
  });
  new Gauge({
    name: 'ispmonitor_db_replica_lag_bytes',
    help: 'WAL bytes written on the primary (its insert position) and not yet replayed on the read replica, at the last check',
    registers,
    collect() {
      const lag = gauges().lagBytes;
      if (lag !== null) this.set(lag);
    },
  });
  new Gauge({
    name: 'ispmonitor_db_replica_serving',
    help: 'Whether reads go to the read replica (1) or have fallen back to the primary (0)',
    registers,
    collect() {
      this.set(gauges().serving ? 1 : 0);
    },
  });
  const reads = new Counter({
    name: 'ispmonitor_db_reads_total',
    help: 'Read statements of the server by the database that answered them (replica, primary)',
    labelNames: ['target'],
    registers,
  });
  reads.inc({ target: 'replica' }, 0);
  reads.inc({ target: 'primary' }, 0);
  return reads;
}
