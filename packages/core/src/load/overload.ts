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
  /**
   * Slots dropped so far (a running total) because of the queue: the device's previous poll
   * still waited for a free slot, or waited half the time between the slots before it started;
   * absent where the source does not count them.
   */
  queuedOverruns?: number;
  /**
   * Slots dropped so far because the previous poll of a device that answered its last one,
   * started on time, still ran (a failing device's never count).
   */
  runningOverruns?: number;
}

/** The lag reported is the largest seen in two half-windows: between 5 and 10 s of history. */
const LAG_HALF_WINDOW_MS = 5_000;

/** Dropped slots count against `droppedSlots` over this much history. */
export const OVERRUN_WINDOW_MS = 10_000;

/**
 * Decides whether the monitor is overloaded, with hysteresis: it enters the state as soon as a
 * probe tick shows a lag of at least `lag`, the oldest waiting poll has waited `backlogWait`,
 * `droppedSlots` slots were dropped in the last 10 s by the monitor's fault (the device's
 * previous poll still waited for a free slot, or still ran on a loop blocked `blockedShare` of
 * the time), or a poll had to be skipped; it leaves once the lag stayed below half of `lag`, the
 * backlog below half of `backlogWait`, and nothing was skipped or dropped by its fault, for
 * `clearAfter`. Each change is one `monitor:overloaded` event and one log line. With a `CpuWaitMeter` (Linux), the health entry
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
  /** The scheduler's running totals of overruns at the last tick. */
  #queuedSeen = 0;
  #runningSeen = 0;
  /** Overruns seen in the last `OVERRUN_WINDOW_MS`, by the tick that saw them. */
  readonly #overrunTicks: Array<{ at: number; queued: number; running: number }> = [];

  constructor(
    private readonly options: ResolvedOverloadOptions,
    private readonly clock: Clock,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly backlog: () => Backlog,
    private readonly delayStats: () => { p99Ms: number; maxMs: number } | undefined,
    private readonly cpuWait?: CpuWaitMeter,
    /** Milliseconds the event loop was blocked within [from, to] (the lag probe's account). */
    private readonly blockedMs?: (from: number, to: number) => number,
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
    const dropped = this.#droppedInWindow(now, backlog);
    if (lagMs >= o.lag / 2 || backlog.oldestWaitMs >= o.backlogWait / 2 || dropped.fresh) {
      this.#lastTroubleAt = now;
    }
    if (lagMs >= o.lag) {
      this.#enter(now, `event loop blocked for ${Math.round(lagMs)} ms (threshold ${o.lag} ms)`, backlog);
    } else if (backlog.oldestWaitMs >= o.backlogWait) {
      const wait = Math.round(backlog.oldestWaitMs);
      this.#enter(
        now,
        `${backlog.count} polls waiting for a free slot, the oldest for ${wait} ms (threshold ${o.backlogWait} ms)`,
        backlog,
      );
    } else if (dropped.count >= o.droppedSlots) {
      this.#enter(now, droppedReason(dropped, o, backlog), backlog);
    } else if (this.#overloaded && now - this.#lastTroubleAt >= o.clearAfter) {
      this.#leave(now, backlog);
    }
  }

  /**
   * Slots dropped in the last `OVERRUN_WINDOW_MS` that count as the monitor's: every one behind a
   * queued poll; those behind a running poll only while the event loop was blocked for at least
   * `blockedShare` of the window (a starved loop stretches every poll past its slot; a slow
   * device on a free loop is the device's). `fresh`: this tick saw new ones that count at half
   * those thresholds, which holds the state off clearing.
   */
  #droppedInWindow(
    now: number,
    backlog: Backlog,
  ): { count: number; queued: number; running: number; blockedShare: number; fresh: boolean } {
    const queuedTotal = backlog.queuedOverruns ?? this.#queuedSeen;
    const runningTotal = backlog.runningOverruns ?? this.#runningSeen;
    const queuedNew = queuedTotal - this.#queuedSeen;
    const runningNew = runningTotal - this.#runningSeen;
    this.#queuedSeen = queuedTotal;
    this.#runningSeen = runningTotal;
    const ticks = this.#overrunTicks;
    if (queuedNew > 0 || runningNew > 0) ticks.push({ at: now, queued: queuedNew, running: runningNew });
    while (ticks.length > 0 && now - (ticks[0] as { at: number }).at >= OVERRUN_WINDOW_MS) ticks.shift();
    let queued = 0;
    let running = 0;
    for (const t of ticks) {
      queued += t.queued;
      running += t.running;
    }
    // Read only when it matters: running overruns are rare on a healthy monitor.
    const blockedShare =
      running > 0 && this.blockedMs ? this.blockedMs(now - OVERRUN_WINDOW_MS, now) / OVERRUN_WINDOW_MS : 0;
    const share = this.options.blockedShare;
    const count = queued + (blockedShare >= share ? running : 0);
    const fresh = queuedNew > 0 || (runningNew > 0 && blockedShare >= share / 2);
    return { count, queued, running, blockedShare, fresh };
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
      slotsDroppedQueued10s: this.#overrunTicks.reduce((n, t) => n + t.queued, 0),
      slotsDroppedRunning10s: this.#overrunTicks.reduce((n, t) => n + t.running, 0),
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
    const reason = `event loop lag below ${o.lag / 2} ms, backlog below ${o.backlogWait / 2} ms, no skipped poll and no slot dropped by the monitor's fault for ${o.clearAfter} ms`;
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

/** The reason for slots dropped: how many, behind what, against which threshold. */
function droppedReason(
  d: { count: number; queued: number; running: number; blockedShare: number },
  o: ResolvedOverloadOptions,
  backlog: Backlog,
): string {
  const why = [
    d.queued > 0 ? `${d.queued} still waiting for a free slot (${backlog.count} polls waiting now)` : '',
    d.count > d.queued
      ? `${d.running} still running while the event loop was blocked ${Math.round(d.blockedShare * 100)} % of the time (threshold ${Math.round(o.blockedShare * 100)} %)`
      : '',
  ].filter(Boolean);
  return `${d.count} poll slots dropped in the last ${OVERRUN_WINDOW_MS / 1000} s because the router's previous poll had not finished: ${why.join('; ')} (threshold ${o.droppedSlots})`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
