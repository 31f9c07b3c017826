import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeviceStatus } from '../types.js';
import { UntypedGauge } from './untyped-gauge.js';

const STATUSES: DeviceStatus[] = ['unknown', 'online', 'unreachable', 'offline'];

/**
 * The monitor's own metrics, on its own registry (never prom-client's global one). Names are the
 * ones operators already alert on: `ispmonitor_routers_total{status}` and friends.
 */
export class SelfMetrics {
  readonly registry: Registry;
  readonly pollsTotal: Counter<'result'>;
  readonly pollDuration: Histogram<'driver'>;
  readonly activePollers: Gauge;
  readonly pollQueue: Gauge;
  readonly overruns: Counter;
  readonly timeouts: Counter;
  readonly samplesTotal: Counter;
  readonly listenerErrors: Counter<'event'>;
  readonly sinkBuffer: Gauge<'sink'>;
  readonly sinkBufferLimit: Gauge<'sink'>;
  readonly samplesDropped: Counter<'sink' | 'reason'>;
  readonly samplesWritten: Counter<'sink'>;
  readonly sinkWriteFailures: Counter<'sink'>;
  readonly statusTransitions: Counter<'status'>;

  constructor(countByStatus: () => Record<DeviceStatus, number>) {
    this.registry = new Registry();
    const registers = [this.registry];
    // Untyped: the guide's name ends in _total, which Prometheus reserves for counters.
    new UntypedGauge({
      name: 'ispmonitor_routers_total',
      help: 'Devices in the inventory by status (unknown, online, unreachable, offline)',
      labelNames: ['status'],
      registers,
      collect() {
        const counts = countByStatus();
        for (const s of STATUSES) this.set({ status: s }, counts[s]);
      },
    });
    this.activePollers = new Gauge({ name: 'ispmonitor_active_pollers', help: 'Polls in flight', registers });
    this.pollQueue = new Gauge({
      name: 'ispmonitor_poll_queue_length',
      help: 'Polls due and waiting for a free slot',
      registers,
    });
    this.pollsTotal = new Counter({
      name: 'ispmonitor_routers_polled_total',
      help: 'Polls completed, by result (success, failure)',
      labelNames: ['result'],
      registers,
    });
    this.pollDuration = new Histogram({
      name: 'ispmonitor_poll_duration_seconds',
      help: 'Duration of polls, by driver',
      labelNames: ['driver'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.overruns = new Counter({
      name: 'ispmonitor_poll_overruns_total',
      help: 'Polls skipped because the previous poll of the device was still running or queued',
      registers,
    });
    this.timeouts = new Counter({
      name: 'ispmonitor_poll_timeouts_total',
      help: 'Polls cut off at the poll timeout',
      registers,
    });
    this.samplesTotal = new Counter({
      name: 'ispmonitor_samples_total',
      help: 'Samples produced by polls',
      registers,
    });
    this.statusTransitions = new Counter({
      name: 'ispmonitor_device_status_transitions_total',
      help: 'Device status changes, by new status',
      labelNames: ['status'],
      registers,
    });
    this.listenerErrors = new Counter({
      name: 'ispmonitor_listener_errors_total',
      help: 'Event listeners that threw or rejected, by event',
      labelNames: ['event'],
      registers,
    });
    this.sinkBuffer = new Gauge({
      name: 'ispmonitor_sink_buffer_samples',
      help: 'Samples waiting in the buffer of a sink',
      labelNames: ['sink'],
      registers,
    });
    this.sinkBufferLimit = new Gauge({
      name: 'ispmonitor_sink_buffer_limit_samples',
      help: 'Capacity of the buffer of a sink',
      labelNames: ['sink'],
      registers,
    });
    this.samplesDropped = new Counter({
      name: 'ispmonitor_samples_dropped_total',
      help: 'Samples a sink lost: buffer overflow, or still buffered when the monitor stopped',
      labelNames: ['sink', 'reason'],
      registers,
    });
    this.samplesWritten = new Counter({
      name: 'ispmonitor_samples_written_total',
      help: 'Samples a sink accepted',
      labelNames: ['sink'],
      registers,
    });
    this.sinkWriteFailures = new Counter({
      name: 'ispmonitor_sink_write_failures_total',
      help: 'Failed batch writes (each is retried with backoff)',
      labelNames: ['sink'],
      registers,
    });
  }
}
