import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Clock } from '../types.js';

/** How often the probe's timer is due. */
const PROBE_PERIOD_MS = 100;
/** Lateness up to this is ordinary timer jitter, not a blocked loop. */
const PROBE_JITTER_MS = 10;

/** One firing of the probe. */
export interface ProbeTick {
  /** When it fired (clock time). */
  now: number;
  /** How late it fired: the loop could run nothing for that long. */
  lagMs: number;
}

/**
 * Measures how long the monitor's own event loop was blocked, on the monitor's clock (so tests
 * drive it with a fake one). A timer is due every 100 ms; when it fires late, the loop could run
 * no callback between the time it was due and now, and that interval is logged as blocked. A
 * single long block is therefore seen the moment it ends, not later in a histogram. Blocked
 * intervals are kept for `retainMs`, so a poll can ask how much of its lifetime was blocked.
 *
 * Node's own event-loop delay histogram (`perf_hooks.monitorEventLoopDelay`) runs alongside for
 * the p99 shown in the health report; decisions use the probe only.
 */
export class LoopProbe {
  // Blocked intervals, oldest first, disjoint and increasing (each starts after the previous firing).
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #head = 0;
  #timer: unknown;
  #due = Number.POSITIVE_INFINITY;
  #lastFire = Number.NEGATIVE_INFINITY;
  #running = false;
  #blockedTotalMs = 0;
  #histogram: IntervalHistogram | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly retainMs: number,
    private readonly onTick: (tick: ProbeTick) => void,
  ) {}

  /** Total blocked time seen since start, in ms. */
  get blockedTotalMs(): number {
    return this.#blockedTotalMs;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#lastFire = this.clock.now();
    this.#arm();
    try {
      this.#histogram = monitorEventLoopDelay({ resolution: 20 });
      this.#histogram.enable();
    } catch {
      this.#histogram = undefined;
    }
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = Number.POSITIVE_INFINITY;
    this.#histogram?.disable();
    this.#histogram = undefined;
  }

  /**
   * Milliseconds the loop was blocked within [from, to]: the logged intervals, plus a block still
   * going on — the probe's timer overdue, or the caller's own timer (`lateSince`: when it was due).
   */
  blockedBetween(from: number, to: number, lateSince?: number): number {
    let total = 0;
    for (let i = this.#ends.length - 1; i >= this.#head; i--) {
      const end = this.#ends[i] as number;
      if (end <= from) break;
      total += overlap(this.#starts[i] as number, end, from, to);
    }
    const now = this.clock.now();
    const current = this.#currentBlockStart(lateSince);
    if (current < now) total += overlap(current, now, from, to);
    return total;
  }

  /**
   * When a block still going on began: the probe's timer overdue, or the caller's own timer
   * (`lateSince`: when it was due); +Infinity when none is.
   */
  #currentBlockStart(lateSince: number | undefined): number {
    const now = this.clock.now();
    let current = Number.POSITIVE_INFINITY;
    if (this.#running && now - this.#due > PROBE_JITTER_MS) current = this.#due;
    if (lateSince !== undefined && now - lateSince > PROBE_JITTER_MS) current = Math.min(current, lateSince);
    // Nothing after the probe's last firing is logged yet, so this never counts a block twice.
    return Math.max(current, this.#lastFire);
  }

  /**
   * The longest single stretch, in ms, for which the loop was blocked within [from, to] (a block
   * still going on included, as in `blockedBetween`). Many short delays can add up to much blocked
   * time; only a long stretch can hold a reply unread past a driver's request timer.
   */
  longestBetween(from: number, to: number, lateSince?: number): number {
    let longest = 0;
    for (let i = this.#ends.length - 1; i >= this.#head; i--) {
      const end = this.#ends[i] as number;
      if (end <= from) break;
      longest = Math.max(longest, overlap(this.#starts[i] as number, end, from, to));
    }
    const current = this.#currentBlockStart(lateSince);
    const now = this.clock.now();
    if (current < now) longest = Math.max(longest, overlap(current, now, from, to));
    return longest;
  }

  /** Node's event-loop delay p99 and max since the last call (then reset), in ms. */
  takeDelayStats(): { p99Ms: number; maxMs: number } | undefined {
    const h = this.#histogram;
    if (!h || h.count === 0) return undefined;
    const stats = { p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
    h.reset();
    return stats;
  }

  #arm(): void {
    this.#due = this.clock.now() + PROBE_PERIOD_MS;
    const handle = this.clock.setTimeout(() => this.#fire(), PROBE_PERIOD_MS);
    // The probe alone must not keep the process alive.
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.#timer = handle;
  }

  #fire(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const now = this.clock.now();
    const lagMs = Math.max(0, now - this.#due);
    if (lagMs > PROBE_JITTER_MS) {
      this.#starts.push(this.#due);
      this.#ends.push(now);
      this.#blockedTotalMs += lagMs;
    }
    this.#lastFire = now;
    this.#prune(now);
    this.#arm();
    this.onTick({ now, lagMs });
  }

  #prune(now: number): void {
    const horizon = now - this.retainMs;
    while (this.#head < this.#ends.length && (this.#ends[this.#head] as number) < horizon) this.#head++;
    if (this.#head > 256 && this.#head * 2 > this.#ends.length) {
      this.#starts.splice(0, this.#head);
      this.#ends.splice(0, this.#head);
      this.#head = 0;
    }
  }
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}
