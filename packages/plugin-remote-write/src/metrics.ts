import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The plugin's self-metrics, named after Prometheus' own remote-write client
 * (`prometheus_remote_storage_*`), labelled by `target`.
 */
export interface RemoteWriteMetrics {
  /** Samples the receiver accepted. */
  sent: Counter<'target'>;
  /** Samples the receiver refused for good (4xx other than 429), by `reason` (`http_400`, …). */
  failed: Counter<'target' | 'reason'>;
  /** Samples sent again after a 5xx, 429 or network error. */
  retried: Counter<'target'>;
  /** Samples not sent, by `reason` (`too_old`: older than `spool.maxAge`; `invalid_timestamp`). */
  dropped: Counter<'target' | 'reason'>;
  /** Samples handed to the target and not yet accepted or refused. */
  pending: Gauge<'target'>;
  /** Parallel senders. */
  shards: Gauge<'target'>;
  /** Newest sample timestamp the receiver accepted, in seconds. */
  highestSent: Gauge<'target'>;
  /** Request bytes sent (after snappy), retries included. */
  bytes: Counter<'target'>;
  /** Time per request, retries apart. */
  duration: Histogram<'target'>;
}

/** Creates the metrics in the monitor's registry. */
export function createMetrics(registry: Registry): RemoteWriteMetrics {
  const registers = [registry];
  const p = 'ispmonitor_remote_write_';
  return {
    sent: new Counter({
      name: `${p}samples_total`,
      help: 'Samples a remote-write receiver accepted',
      labelNames: ['target'],
      registers,
    }),
    failed: new Counter({
      name: `${p}samples_failed_total`,
      help: 'Samples a remote-write receiver refused for good (4xx other than 429): not retried',
      labelNames: ['target', 'reason'],
      registers,
    }),
    retried: new Counter({
      name: `${p}samples_retried_total`,
      help: 'Samples sent again after a 5xx, 429 or network error',
      labelNames: ['target'],
      registers,
    }),
    dropped: new Counter({
      name: `${p}samples_dropped_total`,
      help: 'Samples not sent to a remote-write target, by reason (too_old: older than spool.maxAge; invalid_timestamp)',
      labelNames: ['target', 'reason'],
      registers,
    }),
    pending: new Gauge({
      name: `${p}samples_pending`,
      help: 'Samples handed to a remote-write target and not yet accepted or refused',
      labelNames: ['target'],
      registers,
    }),
    shards: new Gauge({
      name: `${p}shards`,
      help: 'Parallel senders of a remote-write target',
      labelNames: ['target'],
      registers,
    }),
    highestSent: new Gauge({
      name: `${p}highest_sent_timestamp_seconds`,
      help: 'Newest sample timestamp a remote-write receiver accepted, seconds since the epoch',
      labelNames: ['target'],
      registers,
    }),
    bytes: new Counter({
      name: `${p}bytes_total`,
      help: 'Request bytes sent to a remote-write receiver (after snappy), retries included',
      labelNames: ['target'],
      registers,
    }),
    duration: new Histogram({
      name: `${p}sent_batch_duration_seconds`,
      help: 'Time of one remote-write request',
      labelNames: ['target'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}
