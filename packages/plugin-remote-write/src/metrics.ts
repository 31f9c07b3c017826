import { counter, gauge, histogram, registerMetrics } from '@ispmonitor/core';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

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
  return registerMetrics(registry, {
    sent: counter(
      'ispmonitor_remote_write_samples_total{target}',
      'Samples a remote-write receiver accepted',
    ),
    failed: counter(
      'ispmonitor_remote_write_samples_failed_total{target,reason}',
      'Samples a remote-write receiver refused for good (4xx other than 429): not retried',
    ),
    retried: counter(
      'ispmonitor_remote_write_samples_retried_total{target}',
      'Samples sent again after a 5xx, 429 or network error',
    ),
    dropped: counter(
      'ispmonitor_remote_write_samples_dropped_total{target,reason}',
      'Samples not sent to a remote-write target, by reason (too_old: older than spool.maxAge; invalid_timestamp)',
    ),
    pending: gauge(
      'ispmonitor_remote_write_samples_pending{target}',
      'Samples handed to a remote-write target and not yet accepted or refused',
    ),
    shards: gauge('ispmonitor_remote_write_shards{target}', 'Parallel senders of a remote-write target'),
    highestSent: gauge(
      'ispmonitor_remote_write_highest_sent_timestamp_seconds{target}',
      'Newest sample timestamp a remote-write receiver accepted, seconds since the epoch',
    ),
    bytes: counter(
      'ispmonitor_remote_write_bytes_total{target}',
      'Request bytes sent to a remote-write receiver (after snappy), retries included',
    ),
    duration: histogram(
      'ispmonitor_remote_write_sent_batch_duration_seconds{target}',
      'Time of one remote-write request',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
  });
}
