import type { SelfMetrics } from '../metrics/self.js';
import type { Clock, Device, DeviceStatus, Logger } from '../types.js';
import { DueHeap } from './heap.js';
import type { PollOutcome } from './run-poll.js';
import { nextDue, nextStatus, phaseOf } from './status.js';

/** Polls due this close together share one timer wake-up. */
const COALESCE_MS = 50;

/** Scheduler settings, in milliseconds. */
export interface SchedulerOptions {
  intervalMs: number;
  concurrency: number;
  recheckMs: number;
  downAfterMs: number;
}

/** The scheduler's record of one device. */
export interface DeviceEntry {
  device: Device;
  intervalMs: number;
  phaseMs: number;
  due: number;
  /** The slot the current or last poll was for: a poll may start a few ms before its slot. */
  slot: number;
  heapIndex: number;
  running: boolean;
  queued: boolean;
  /** When it joined the queue of polls waiting for a free slot. */
  queuedAt: number;
  /** How long the current or last poll waited in that queue before it started, ms. */
  waitedMs: number;
  removed: boolean;
  status: DeviceStatus;
  since: number;
  failingSince?: number;
  lastPollAt?: number;
  lastSuccessAt?: number;
  lastError?: { code: string; message: string; at: number };
}

export interface SchedulerHooks {
  /** Whether this process polls the device now (scale-out ownership). Skipped slots are not overruns. */
  owns(entry: DeviceEntry): boolean;
  /** Runs one poll of a device (driver, timeout, retries). Must not reject. */
  poll(entry: DeviceEntry): Promise<PollOutcome>;
  /** Called after each poll, with the status before and after it. */
  completed(entry: DeviceEntry, outcome: PollOutcome, previous: DeviceStatus): void;
  /** Called instead of `completed` for a poll that says nothing about the device (`outcome.skipped`). */
  skipped(entry: DeviceEntry, outcome: PollOutcome): void;
}

/**
 * Decides when each device is polled. Every device sits on its own grid (its interval, and a
 * phase from its id so polls spread evenly); one timer serves all devices through a heap. At most
 * `concurrency` polls run at once — the rest wait in FIFO order — and a device is never polled
 * twice at once: a slot that comes while its previous poll still runs or waits is skipped and
 * counted as an overrun, by reason — still waiting (`queued`: the monitor is behind, one of the
 * overload signals through `backlog()`) or still running (`running`: a slow device).
 */
export class Scheduler {
  readonly #entries = new Map<string, DeviceEntry>();
  readonly #heap = new DueHeap<DeviceEntry>();
  readonly #waiting: DeviceEntry[] = [];
  #waitingHead = 0;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: unknown;
  #timerDue = Number.POSITIVE_INFINITY;
  #running = false;
  #active = 0;
  /** Slots dropped so far because the device's previous poll still waited in the queue. */
  #queuedOverruns = 0;
  /** Slots dropped so far because an online device's previous poll, started on time, still ran. */
  #runningOverruns = 0;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly clock: Clock,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
    private readonly hooks: SchedulerHooks,
  ) {}

  get active(): number {
    return this.#active;
  }

  /**
   * Polls due but not started because every concurrency slot is busy, the oldest one's wait, and
   * how many slots were dropped so far because the device's previous poll still waited (the
   * monitor behind) or still ran (a slow device — or a starved loop, which the load monitor tells
   * by the loop's blocked time).
   */
  backlog(): { count: number; oldestWaitMs: number; queuedOverruns: number; runningOverruns: number } {
    const count = this.#waiting.length - this.#waitingHead;
    const oldest = this.#waiting[this.#waitingHead];
    return {
      count,
      oldestWaitMs: oldest ? Math.max(0, this.clock.now() - oldest.queuedAt) : 0,
      queuedOverruns: this.#queuedOverruns,
      runningOverruns: this.#runningOverruns,
    };
  }

  entries(): IterableIterator<DeviceEntry> {
    return this.#entries.values();
  }

  entry(id: string): DeviceEntry | undefined {
    return this.#entries.get(id);
  }

  /** Adds a device, or replaces its definition; `pollNow` polls it at once instead of at its slot. */
  upsert(device: Device, intervalMs: number, pollNow = false): DeviceEntry {
    const now = this.clock.now();
    let entry = this.#entries.get(device.id);
    if (!entry) {
      entry = {
        device,
        intervalMs,
        phaseMs: phaseOf(device.id, intervalMs),
        due: 0,
        slot: 0,
        heapIndex: -1,
        running: false,
        queued: false,
        queuedAt: 0,
        waitedMs: 0,
        removed: false,
        status: 'unknown',
        since: now,
      };
      this.#entries.set(device.id, entry);
    } else {
      entry.device = device;
      if (entry.intervalMs !== intervalMs) {
        entry.intervalMs = intervalMs;
        entry.phaseMs = phaseOf(device.id, intervalMs);
      }
    }
    if (device.enabled === false) {
      this.#heap.remove(entry);
    } else {
      this.#heap.update(entry, pollNow ? now : this.#nextDueOf(entry, now));
    }
    if (this.#running) this.#arm();
    return entry;
  }

  /** Moves a device's next poll to now (a trap came, say); false when it is unknown or disabled. */
  pollNow(id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry || entry.device.enabled === false) return false;
    if (!entry.running && !entry.queued) {
      this.#heap.update(entry, this.clock.now());
      if (this.#running) this.#arm();
    }
    return true;
  }

  /** Removes a device; a poll in flight finishes and its result is dropped. */
  remove(id: string): DeviceEntry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    entry.removed = true;
    this.#heap.remove(entry);
    this.#entries.delete(id);
    return entry;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#arm();
  }

  /** Stops scheduling, drops waiting polls and resolves when the polls in flight have finished. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
    for (let i = this.#waitingHead; i < this.#waiting.length; i++)
      (this.#waiting[i] as DeviceEntry).queued = false;
    this.#waiting.length = 0;
    this.#waitingHead = 0;
    this.metrics.pollQueue.set(0);
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #nextDueOf(entry: DeviceEntry, now: number): number {
    // Unreachable devices are rechecked sooner; offline ones go back to their regular grid.
    const failing =
      entry.failingSince === undefined || entry.status === 'offline'
        ? undefined
        : {
            since: entry.failingSince,
            recheckMs: Math.min(this.options.recheckMs, entry.intervalMs),
            downAfterMs: this.options.downAfterMs,
            offline: false,
          };
    return nextDue(now, entry, failing);
  }

  #arm(): void {
    const head = this.#heap.peek();
    if (!this.#running || !head) return;
    if (this.#timer !== undefined && head.due >= this.#timerDue) return;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timerDue = head.due;
    this.#timer = this.clock.setTimeout(() => this.#tick(), Math.max(0, head.due - this.clock.now()));
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
    if (!this.#running) return;
    const now = this.clock.now();
    // Polls due within the next few milliseconds start now: one wake-up serves many devices.
    const horizon = now + COALESCE_MS;
    for (let head = this.#heap.peek(); head && head.due <= horizon; head = this.#heap.peek()) {
      const previousSlot = head.slot;
      head.slot = Math.max(now, head.due);
      this.#heap.update(head, this.#nextDueOf(head, head.slot));
      if (head.queued || head.running) {
        this.#overrun(head, head.slot - previousSlot);
        continue;
      }
      if (!this.hooks.owns(head)) continue;
      head.queued = true;
      head.queuedAt = now;
      this.#waiting.push(head);
    }
    this.#drain();
    this.#arm();
  }

  /**
   * Counts a slot dropped because the device's previous poll had not finished, by whose fault.
   * The monitor's (`queued`, an overload signal) when that poll still waits for a free slot, or
   * waited at least half the time between the two slots before it started: without the wait it
   * would likely have finished. The device's (`running`) when it started about on time and still
   * runs: a slow or silent device, which says nothing of the monitor's load.
   */
  #overrun(entry: DeviceEntry, gapMs: number): void {
    if (entry.queued || entry.waitedMs * 2 >= gapMs) {
      this.#queuedOverruns++;
      this.metrics.overruns.inc({ reason: 'queued' });
    } else {
      // Only a device that answered its last poll can be slow by the monitor's fault; one that
      // is failing (or not polled yet) is silent on its own account, however blocked the loop.
      if (entry.status === 'online' && entry.failingSince === undefined) this.#runningOverruns++;
      this.metrics.overruns.inc({ reason: 'running' });
    }
  }

  #drain(): void {
    const now = this.clock.now();
    while (this.#active < this.options.concurrency && this.#waitingHead < this.#waiting.length) {
      const entry = this.#waiting[this.#waitingHead++] as DeviceEntry;
      entry.queued = false;
      entry.waitedMs = now - entry.queuedAt;
      if (!entry.removed && entry.device.enabled !== false) this.#launch(entry);
    }
    if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#waitingHead);
      this.#waitingHead = 0;
    }
    this.metrics.pollQueue.set(this.#waiting.length - this.#waitingHead);
  }

  #launch(entry: DeviceEntry): void {
    entry.running = true;
    this.#active++;
    this.metrics.activePollers.set(this.#active);
    const done = this.hooks
      .poll(entry)
      .then((outcome) => this.#complete(entry, outcome))
      .catch((err: unknown) => this.logger.error('poll bookkeeping failed', { device: entry.device.id, err }))
      .finally(() => {
        entry.running = false;
        this.#active--;
        this.metrics.activePollers.set(this.#active);
        this.#inFlight.delete(done);
        if (this.#running) this.#drain();
      });
    this.#inFlight.add(done);
  }

  #complete(entry: DeviceEntry, outcome: PollOutcome): void {
    if (outcome.skipped) {
      this.#skip(entry, outcome);
      return;
    }
    const now = this.clock.now();
    const previous = entry.status;
    const next = nextStatus(entry, outcome.ok, now, this.options.downAfterMs);
    entry.lastPollAt = now;
    entry.failingSince = next.failingSince;
    if (next.status !== previous) {
      entry.status = next.status;
      entry.since = now;
    }
    if (outcome.ok) entry.lastSuccessAt = now;
    else if (outcome.error) entry.lastError = { ...outcome.error, at: now };
    if (!entry.removed) {
      if (this.#running && entry.device.enabled !== false) {
        // A failure pulls the next poll forward to the recheck time; a recovery returns to the grid.
        this.#heap.update(entry, this.#nextDueOf(entry, Math.max(now, entry.slot)));
        this.#arm();
      }
      this.hooks.completed(entry, outcome, previous);
    }
  }

  /**
   * A skipped poll (the monitor was overloaded while it ran) leaves the device as it was: status,
   * failure run, last poll and last error untouched; the next poll comes at its usual time.
   */
  #skip(entry: DeviceEntry, outcome: PollOutcome): void {
    if (entry.removed) return;
    if (this.#running && entry.device.enabled !== false) {
      this.#heap.update(entry, this.#nextDueOf(entry, Math.max(this.clock.now(), entry.slot)));
      this.#arm();
    }
    this.hooks.skipped(entry, outcome);
  }
}
