import type { Bus } from '../bus.js';
import type { Clock, HealthCheckResult, Logger } from '../types.js';
import { type CpuWaitMeter, describeCpuWait } from './cpu-wait.js';
import type { ProbeTick } from './loop-probe.js';
import type { ResolvedOverloadOptions } from './options.js';

/** Polls waiting for a free slot. */
export interface Backlog {
  /** How many. */
  count: number;
  /** How long the oldest has waited, ms (0 when none waits). */
  oldestWaitMs: number;
}

/** The lag reported is the largest seen in two half-windows: between 5 and 10 s of history. */
const LAG_HALF_WINDOW_MS = 5_000;

/**
 * Decides whether the monitor is overloaded, with hysteresis: it enters the state as soon as a
 * probe tick shows a lag of at least `lag`, the oldest waiting poll has waited `backlogWait`, or
 * a poll had to be skipped; it leaves once the lag stayed below half of `lag`, the backlog below
 * half of `backlogWait`, and nothing was skipped, for `clearAfter`. Each change is one
 * `monitor:overloaded` event and one log line. With a `CpuWaitMeter` (Linux), the health entry
 * and the log line also say whether the lag is the monitor's own work or a host short of CPU.
 */
export class OverloadDetector {
  #overloaded = false;
  #since = 0;
  #reason = '';
  #lastTroubleAt = Number.NEGATIVE_INFINITY;
  #lagNow = 0;
  #lagPrev = 0;
  #bucketStart = Number.NEGATIVE_INFINITY;
  #delay: { p99Ms: number; maxMs: number } | undefined;

  constructor(
    private readonly options: ResolvedOverloadOptions,
    private readonly clock: Clock,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly backlog: () => Backlog,
    private readonly delayStats: () => { p99Ms: number; maxMs: number } | undefined,
    private readonly cpuWait?: CpuWaitMeter,
  ) {}

  /** Whether the monitor is overloaded now. */
  get overloaded(): boolean {
    return this.#overloaded;
  }

  /** Largest probe lag in the recent window, ms. */
  get lagMs(): number {
    return Math.max(this.#lagNow, this.#lagPrev);
  }

  /** Called at every probe firing. */
  tick({ now, lagMs }: ProbeTick): void {
    if (now - this.#bucketStart >= LAG_HALF_WINDOW_MS) {
      // Node's histogram is read once per half-window, so its p99 covers the same stretch of time.
      this.#delay = this.delayStats() ?? this.#delay;
      this.cpuWait?.roll();
      this.#lagPrev = now - this.#bucketStart >= 2 * LAG_HALF_WINDOW_MS ? 0 : this.#lagNow;
      this.#lagNow = 0;
      this.#bucketStart = now;
    }
    this.#lagNow = Math.max(this.#lagNow, lagMs);
    const o = this.options;
    const backlog = this.backlog();
    if (lagMs >= o.lag / 2 || backlog.oldestWaitMs >= o.backlogWait / 2) this.#lastTroubleAt = now;
    if (lagMs >= o.lag) {
      this.#enter(now, `event loop blocked for ${Math.round(lagMs)} ms (threshold ${o.lag} ms)`, backlog);
    } else if (backlog.oldestWaitMs >= o.backlogWait) {
      const wait = Math.round(backlog.oldestWaitMs);
      this.#enter(
        now,
        `${backlog.count} polls waiting for a free slot, the oldest for ${wait} ms (threshold ${o.backlogWait} ms)`,
        backlog,
      );
    } else if (this.#overloaded && now - this.#lastTroubleAt >= o.clearAfter) {
      this.#leave(now, backlog);
    }
  }

  /**
   * Lag measured on another event loop of the monitor (a poller worker thread), reported about
   * once a second: it enters the state as the own probe's lag does and holds it off clearing;
   * leaving stays with the own probe's ticks.
   */
  external(lagMs: number, source: string): void {
    const now = this.clock.now();
    const o = this.options;
    this.#lagNow = Math.max(this.#lagNow, lagMs);
    if (lagMs >= o.lag / 2) this.#lastTroubleAt = now;
    if (lagMs >= o.lag) {
      this.#enter(
        now,
        `${source}: event loop blocked for ${Math.round(lagMs)} ms (threshold ${o.lag} ms)`,
        this.backlog(),
      );
    }
  }

  /** A poll was skipped because the monitor was overloaded: the state holds (or begins). */
  skipped(message: string): void {
    const now = this.clock.now();
    this.#lastTroubleAt = now;
    this.#enter(now, `poll skipped: ${message}`, this.backlog());
  }

  /** The health check entry: `warn` (degraded, never failing) while overloaded. */
  health(): HealthCheckResult {
    const backlog = this.backlog();
    const details: Record<string, unknown> = {
      overloaded: this.#overloaded,
      lagMs: Math.round(this.lagMs),
      backlog: backlog.count,
      oldestWaitMs: Math.round(backlog.oldestWaitMs),
    };
    if (this.#delay) details.eventLoopDelayP99Ms = Math.round(this.#delay.p99Ms);
    const cpu = this.cpuWait?.recent();
    if (cpu) {
      details.cpuWaitShare = round2(cpu.waitShare);
      details.cpuRunShare = round2(cpu.runShare);
    }
    if (!this.#overloaded) return { status: 'pass', details };
    details.since = new Date(this.#since).toISOString();
    const cause = cpu ? `; ${describeCpuWait(cpu)}` : '';
    return { status: 'warn', message: `degraded: monitor overloaded: ${this.#reason}${cause}`, details };
  }

  #enter(now: number, reason: string, backlog: Backlog): void {
    if (this.#overloaded) return;
    this.#overloaded = true;
    this.#since = now;
    this.#reason = reason;
    const cpu = this.cpuWait?.recent();
    this.logger.warn('monitor overloaded: polls that time out now are skipped, not counted against devices', {
      reason,
      lagMs: Math.round(this.lagMs),
      backlog: backlog.count,
      ...(cpu ? { cause: describeCpuWait(cpu) } : {}),
    });
    this.#emit(now, reason, backlog);
  }

  #leave(now: number, backlog: Backlog): void {
    this.#overloaded = false;
    this.#since = now;
    const o = this.options;
    const reason = `event loop lag below ${o.lag / 2} ms, backlog below ${o.backlogWait / 2} ms and no skipped poll for ${o.clearAfter} ms`;
    this.#reason = '';
    this.logger.info('monitor no longer overloaded', { reason, lagMs: Math.round(this.lagMs) });
    this.#emit(now, reason, backlog);
  }

  #emit(now: number, reason: string, backlog: Backlog): void {
    this.bus.emit('monitor:overloaded', {
      overloaded: this.#overloaded,
      lagMs: Math.round(this.lagMs),
      backlog: backlog.count,
      reason,
      ts: now,
    });
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
