import { type Counter, type Gauge, type Histogram, Registry } from 'prom-client';
import type { DeviceStatus } from '../types.js';
import { counter, gauge, histogram, registerMetrics } from './define.js';
import { UntypedGauge } from './untyped-gauge.js';

const STATUSES: DeviceStatus[] = ['unknown', 'online', 'unreachable', 'offline'];

const POLL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The monitor's own metrics besides `ispmonitor_routers_total`, by the name the code uses. */
const SELF_METRICS = {
  activePollers: gauge('ispmonitor_active_pollers', 'Polls in flight'),
  pollQueue: gauge('ispmonitor_poll_queue_length', 'Polls due and waiting for a free slot'),
  pollsTotal: counter(
    'ispmonitor_routers_polled_total{result}',
    'Polls completed, by result (success, failure)',
  ),
  pollDuration: histogram(
    'ispmonitor_poll_duration_seconds{driver}',
    'Duration of polls, by driver',
    POLL_BUCKETS,
  ),
  overruns: counter(
    'ispmonitor_poll_overruns_total{reason}',
    'Poll slots dropped because the previous poll of the device had not finished, by reason (queued: it still waited for a free slot, the monitor is behind; running: it still ran, a slow device)',
  ),
  timeouts: counter('ispmonitor_poll_timeouts_total', 'Polls cut off at the poll timeout'),
  samplesTotal: counter('ispmonitor_samples_total', 'Samples produced by polls'),
  statusTransitions: counter(
    'ispmonitor_device_status_transitions_total{status}',
    'Device status changes, by new status',
  ),
  listenerErrors: counter(
    'ispmonitor_listener_errors_total{event}',
    'Event listeners that threw or rejected, by event',
  ),
  sinkBuffer: gauge('ispmonitor_sink_buffer_samples{sink}', 'Samples waiting in the buffer of a sink'),
  sinkBufferLimit: gauge('ispmonitor_sink_buffer_limit_samples{sink}', 'Capacity of the buffer of a sink'),
  samplesDropped: counter(
    'ispmonitor_samples_dropped_total{sink,reason}',
    'Samples a sink lost: buffer overflow, or still buffered when the monitor stopped',
  ),
  samplesWritten: counter('ispmonitor_samples_written_total{sink}', 'Samples a sink accepted'),
  sinkWriteFailures: counter(
    'ispmonitor_sink_write_failures_total{sink}',
    'Failed batch writes (each is retried with backoff)',
  ),
};

/**
 * The monitor's own metrics, on its own registry (never prom-client's global one). Names are the
 * ones operators already alert on: `ispmonitor_routers_total{status}` and friends.
 */
export class SelfMetrics {
  readonly registry: Registry;
  declare readonly pollsTotal: Counter<'result'>;
  declare readonly pollDuration: Histogram<'driver'>;
  declare readonly activePollers: Gauge;
  declare readonly pollQueue: Gauge;
  declare readonly overruns: Counter<'reason'>;
  declare readonly timeouts: Counter;
  declare readonly samplesTotal: Counter;
  declare readonly listenerErrors: Counter<'event'>;
  declare readonly sinkBuffer: Gauge<'sink'>;
  declare readonly sinkBufferLimit: Gauge<'sink'>;
  declare readonly samplesDropped: Counter<'sink' | 'reason'>;
  declare readonly samplesWritten: Counter<'sink'>;
  declare readonly sinkWriteFailures: Counter<'sink'>;
  declare readonly statusTransitions: Counter<'status'>;

  constructor(countByStatus: () => Record<DeviceStatus, number>) {
    this.registry = new Registry();
    // Untyped: the guide's name ends in _total, which Prometheus reserves for counters.
    new UntypedGauge({
      name: 'ispmonitor_routers_total',
      help: 'Devices in the inventory by status (unknown, online, unreachable, offline)',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        const counts = countByStatus();
        for (const s of STATUSES) this.set({ status: s }, counts[s]);
      },
    });
    // The fields above are typed by hand; assigning to them checks the table gives each that type.
    const metrics: Omit<SelfMetrics, 'registry'> = registerMetrics(this.registry, SELF_METRICS);
    Object.assign(this, metrics);
    // Both series exist from the start, so `increase()` sees the first dropped slot.
    for (const reason of ['queued', 'running']) this.overruns.inc({ reason }, 0);
  }
}
