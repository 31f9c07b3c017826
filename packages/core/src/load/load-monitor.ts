import type { Registry } from 'prom-client';
import type { Bus } from '../bus.js';
import type { Clock, HealthCheckResult, Logger } from '../types.js';
import type { LoadGuard } from './budget.js';
import { CpuWaitMeter } from './cpu-wait.js';
import { LoopProbe } from './loop-probe.js';
import { LoadMetrics } from './metrics.js';
import { type ResolvedOverloadOptions, spoilingBlockMs } from './options.js';
import { type Backlog, OverloadDetector } from './overload.js';

/**
 * Why a poll was skipped, the `reason` label of `ispmonitor_polls_skipped_total`: the monitor's
 * loop was blocked (`overloaded`), or the worker thread running it died (`worker`).
 */
export type SkipReason = 'overloaded' | 'worker';

/**
 * The monitor watching itself: the lag probe, the overloaded state, and their metrics, in one
 * object the scheduler's polls ask about blocked time (it is their `LoadGuard`).
 */
export class LoadMonitor implements LoadGuard {
  readonly #probe: LoopProbe;
  readonly #detector: OverloadDetector;
  readonly #metrics: LoadMetrics;

  constructor(
    readonly options: ResolvedOverloadOptions,
    timeoutMs: number,
    clock: Clock,
    bus: Bus,
    registry: Registry,
    logger: Logger,
    backlog: () => Backlog,
    /**
     * Tells the event loop's own work from a host short of CPU: by default this thread's (the
     * constructor runs on the loop's thread) where the system says (Linux), null where it does
     * not; tests pass their own.
     */
    cpuWait: CpuWaitMeter | null = CpuWaitMeter.forThisThread(),
  ) {
    // An attempt lasts at most timeout × maxStretch; a minute more covers slow bookkeeping.
    const retainMs = timeoutMs * options.maxStretch + 60_000;
    this.#probe = new LoopProbe(clock, retainMs, (tick) => this.#detector.tick(tick));
    this.#detector = new OverloadDetector(
      options,
      clock,
      bus,
      logger,
      backlog,
      () => this.#probe.takeDelayStats(),
      cpuWait ?? undefined,
      (from, to) => this.#probe.blockedBetween(from, to),
    );
    this.#metrics = new LoadMetrics(registry, {
      overloaded: () => this.#detector.overloaded,
      lagMs: () => this.#detector.lagMs,
      blockedTotalMs: () => this.#probe.blockedTotalMs,
      cpuWaitSeconds: cpuWait
        ? () => {
            cpuWait.refresh();
            return cpuWait.totalWaitSeconds;
          }
        : undefined,
    });
  }

  get maxStretch(): number {
    return this.options.maxStretch;
  }

  get blockedShare(): number {
    return this.options.blockedShare;
  }

  get spoilingBlockMs(): number {
    return spoilingBlockMs(this.options);
  }

  /** Whether the monitor counts itself overloaded now. */
  get overloaded(): boolean {
    return this.#detector.overloaded;
  }

  start(): void {
    this.#probe.start();
  }

  stop(): void {
    this.#probe.stop();
  }

  blockedBetween(from: number, to: number, lateSince?: number): number {
    return this.#probe.blockedBetween(from, to, lateSince);
  }

  longestBlockBetween(from: number, to: number, lateSince?: number): number {
    return this.#probe.longestBetween(from, to, lateSince);
  }

  extended(): void {
    this.#metrics.extended.inc();
  }

  /** Counts a skipped poll; the overloaded state holds (or begins). */
  skipped(reason: SkipReason, message: string): void {
    this.#metrics.skipped.inc({ reason });
    this.#detector.skipped(message);
  }

  /** A poller worker's event-loop lag: a blocked worker makes the monitor overloaded as its own loop does. */
  workerLag(worker: number, lagMs: number): void {
    this.#detector.external(lagMs, `poller worker ${worker}`);
  }

  /** Counts a poll skipped for a reason other than load (a worker died): the overloaded state is not touched. */
  countSkipped(reason: SkipReason): void {
    this.#metrics.skipped.inc({ reason });
  }

  health(): HealthCheckResult {
    return this.#detector.health();
  }
}
