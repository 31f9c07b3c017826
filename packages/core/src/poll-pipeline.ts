import type { Bus } from './bus.js';
import { parseDuration } from './duration.js';
import { ErrorCodes, monitorError } from './errors.js';
import { catalog } from './metrics/catalog.js';
import type { SelfMetrics } from './metrics/self.js';
import type { PollOutcome } from './scheduler/run-poll.js';
import type { DeviceEntry } from './scheduler/scheduler.js';
import { SinkRunner } from './sinks/sink-runner.js';
import type {
  Clock,
  Device,
  DeviceStatus,
  HealthCheckResult,
  Logger,
  Sample,
  Sink,
  SinkOptions,
} from './types.js';

/**
 * What happens after a poll: self-metrics, `device_up`, the device's labels on every sample,
 * samples into every sink's buffer, and the events (`samples`, `facts`, `poll:*`, `device:status`).
 */
export class PollPipeline {
  #sinks: SinkRunner[] = [];
  readonly #loggers = new WeakMap<Device, Logger>();
  // Label children resolved once: the hot path then skips prom-client's label hashing.
  readonly #polled: { success: { inc(n?: number): void }; failure: { inc(n?: number): void } };
  readonly #durations = new Map<string, { observe(v: number): void }>();

  constructor(
    private readonly bus: Bus,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.#polled = {
      success: metrics.pollsTotal.labels('success'),
      failure: metrics.pollsTotal.labels('failure'),
    };
    // At 0 from the first scrape (the operations guide's rules read them), not from the first poll.
    this.#polled.success.inc(0);
    this.#polled.failure.inc(0);
  }

  /** A logger that names the device, kept per device definition. */
  loggerFor(device: Device): Logger {
    let logger = this.#loggers.get(device);
    if (!logger) {
      logger = this.logger.child({ device: device.id });
      this.#loggers.set(device, logger);
    }
    return logger;
  }

  attachSinks(sinks: Sink[], options: SinkOptions): void {
    const names = new Set<string>();
    for (const sink of sinks) {
      if (names.has(sink.name))
        throw monitorError(ErrorCodes.PLUGIN_INVALID, `two sinks are named "${sink.name}"`);
      names.add(sink.name);
    }
    const batchSize = options.batchSize ?? 5_000;
    const resolved = {
      bufferLimit: options.bufferLimit ?? 1_000_000,
      batchSize,
      maxBatchSize: Math.max(options.maxBatchSize ?? batchSize, batchSize),
      flushIntervalMs: parseDuration(options.flushInterval ?? '1s'),
      minBackoffMs: parseDuration(options.minBackoff ?? '500ms'),
      maxBackoffMs: parseDuration(options.maxBackoff ?? '30s'),
      spool: options.spool
        ? { dir: options.spool.dir, maxBytes: options.spool.maxBytes ?? 2 ** 30 }
        : undefined,
    };
    this.#sinks = sinks.map(
      (s) => new SinkRunner(s, resolved, this.clock, this.metrics, this.bus, this.logger),
    );
  }

  completed(entry: DeviceEntry, outcome: PollOutcome, previous: DeviceStatus): void {
    const device = entry.device;
    const now = this.clock.now();
    this.#polled[outcome.ok ? 'success' : 'failure'].inc();
    let duration = this.#durations.get(device.driver);
    if (!duration) {
      duration = this.metrics.pollDuration.labels(device.driver);
      this.#durations.set(device.driver, duration);
    }
    duration.observe(outcome.durationMs / 1000);
    if (outcome.error?.code === ErrorCodes.POLL_TIMEOUT) this.metrics.timeouts.inc();

    const samples = outcome.ok && outcome.result ? outcome.result.samples : [];
    samples.push({ name: catalog.deviceUp.name, labels: {}, value: outcome.ok ? 1 : 0, ts: now });
    stampLabels(samples, device);
    this.metrics.samplesTotal.inc(samples.length);
    for (const sink of this.#sinks) sink.enqueue(samples);

    // Payloads are built only for events someone listens to: this is the hot path.
    const bus = this.bus;
    if (bus.hasListeners('samples')) bus.emit('samples', { device, samples });
    if (outcome.ok && outcome.result) {
      if (outcome.result.facts && bus.hasListeners('facts')) {
        bus.emit('facts', { device, facts: outcome.result.facts, ts: now });
      }
      if (bus.hasListeners('poll:success')) {
        bus.emit('poll:success', { device, durationMs: outcome.durationMs, result: outcome.result });
      }
    } else if (bus.hasListeners('poll:failure')) {
      const error = outcome.error ?? { code: ErrorCodes.POLL_FAILED, message: 'poll failed' };
      bus.emit('poll:failure', { device, durationMs: outcome.durationMs, error });
    }
    if (entry.status !== previous) {
      this.metrics.statusTransitions.inc({ status: entry.status });
      const reason = outcome.ok ? undefined : outcome.error?.message;
      this.bus.emit('device:status', { device, previous, status: entry.status, ts: now, reason });
    }
  }

  /**
   * A poll that says nothing about the device (the monitor was overloaded while it ran): no
   * sample (not even `device_up`), no `poll:failure`, no status change — only `poll:skipped`.
   */
  skipped(entry: DeviceEntry, outcome: PollOutcome): void {
    const skip = outcome.skipped;
    if (!skip) return;
    this.loggerFor(entry.device).debug('poll skipped', { reason: skip.reason, message: skip.message });
    if (this.bus.hasListeners('poll:skipped')) {
      this.bus.emit('poll:skipped', {
        device: entry.device,
        reason: skip.reason,
        message: skip.message,
        durationMs: outcome.durationMs,
        attempts: outcome.attempts,
      });
    }
  }

  sinkHealth(): HealthCheckResult {
    const details: Record<string, unknown> = {};
    let status: HealthCheckResult['status'] = 'pass';
    for (const runner of this.#sinks) {
      const { failures, lastError } = runner.health;
      details[runner.sink.name] = { buffered: runner.size, failures, lastError: lastError?.message };
      if (failures >= 3) status = 'fail';
    }
    return { status, details };
  }

  async closeSinks(deadlineMs: number): Promise<void> {
    await Promise.all(this.#sinks.map((s) => s.close(deadlineMs)));
  }
}

/** Puts `device` and the device's labels on every sample; labels the driver set take precedence. */
function stampLabels(samples: Sample[], device: Device): void {
  const extra = device.labels;
  for (const s of samples) {
    if (extra) for (const k in extra) if (s.labels[k] === undefined) s.labels[k] = extra[k] as string;
    s.labels.device = device.id;
  }
}
