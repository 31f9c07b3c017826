import { readFileSync } from 'node:fs';

/** A thread's scheduler times since it started, in nanoseconds. */
export interface ThreadTimes {
  /** Time it ran on a CPU. */
  runNs: number;
  /** Time it was ready to run but waited for a CPU (the run queue). */
  waitNs: number;
}

/** Reads the calling thread's `ThreadTimes`; undefined where the system does not say. */
export type ThreadTimesReader = () => ThreadTimes | undefined;

/**
 * The calling thread's times from Linux's `/proc/thread-self/schedstat` ("run ns, wait ns,
 * timeslices"); undefined on other systems or kernels without scheduler statistics. One small
 * procfs read, a few microseconds: cheap enough for every few seconds.
 */
export const readThreadSchedstat: ThreadTimesReader = () => {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    const runNs = Number(run);
    const waitNs = Number(wait);
    return Number.isFinite(runNs) && Number.isFinite(waitNs) ? { runNs, waitNs } : undefined;
  } catch {
    return undefined;
  }
};

/** A thread's wait for a CPU over a stretch of time. */
export interface CpuWaitWindow {
  /** Share of the stretch's wall time the thread was runnable but waited for a CPU, 0–1. */
  waitShare: number;
  /** Share of it the thread ran (its own work), 0–1. */
  runShare: number;
}

/** Stretches shorter than this say too little to report a share. */
const MIN_WINDOW_NS = 1e9;

/**
 * Tells apart the two reasons an event loop's timers fire late: the loop's own work, or a host
 * short of CPU (the thread ready to run but waiting for a core — other processes, too few cores).
 * The remedies differ (move work off the loop, or give the monitor CPU), so the overloaded
 * state's health entry says which. Wall time comes from the monotonic clock, not the monitor's
 * (possibly fake) one, because the scheduler's times are real.
 */
export class CpuWaitMeter {
  #start: { wallNs: number; times: ThreadTimes } | undefined;
  #last: CpuWaitWindow | undefined;
  #latest: ThreadTimes | undefined;

  constructor(
    private readonly read: ThreadTimesReader = readThreadSchedstat,
    private readonly nowNs: () => number = () => Number(process.hrtime.bigint()),
  ) {}

  /** A meter of the calling thread from Linux's schedstat; null where the system does not say. */
  static forThisThread(): CpuWaitMeter | null {
    return readThreadSchedstat() ? new CpuWaitMeter() : null;
  }

  /** Total time the thread waited for a CPU as of the last reading, in seconds (0 when unknown). */
  get totalWaitSeconds(): number {
    return (this.#latest?.waitNs ?? 0) / 1e9;
  }

  /** Reads the thread's times now (for the metric); undefined where the system does not say. */
  refresh(): ThreadTimes | undefined {
    const times = this.read();
    if (times) this.#latest = times;
    return times;
  }

  /**
   * Closes the current window and starts the next (called every few seconds). The window closed
   * is what `recent()` reports until the next call.
   */
  roll(): void {
    const times = this.refresh();
    const wallNs = this.nowNs();
    if (!times) {
      this.#start = undefined;
      return;
    }
    const window = this.#start && this.#share(this.#start, wallNs, times);
    if (window) this.#last = window;
    this.#start = { wallNs, times };
  }

  /**
   * The thread's CPU wait over the recent past: the window going on if it is long enough to say
   * something, else the last closed one; undefined when unknown.
   */
  recent(): CpuWaitWindow | undefined {
    if (this.#start) {
      const times = this.refresh();
      const current = times && this.#share(this.#start, this.nowNs(), times);
      if (current) return current;
    }
    return this.#last;
  }

  #share(
    start: { wallNs: number; times: ThreadTimes },
    wallNs: number,
    times: ThreadTimes,
  ): CpuWaitWindow | undefined {
    const spanNs = wallNs - start.wallNs;
    if (spanNs < MIN_WINDOW_NS) return undefined;
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    return {
      waitShare: clamp((times.waitNs - start.times.waitNs) / spanNs),
      runShare: clamp((times.runNs - start.times.runNs) / spanNs),
    };
  }
}

/** A CPU-wait share from which the host, not the monitor's own work, is named as the cause of lag. */
export const HOST_SHORT_SHARE = 0.2;

/** One clause for an operator: how the loop's thread spent the recent past, and which cause that points to. */
export function describeCpuWait(w: CpuWaitWindow): string {
  const wait = Math.round(w.waitShare * 100);
  const run = Math.round(w.runShare * 100);
  return w.waitShare >= HOST_SHORT_SHARE
    ? `the host is short of CPU: the monitor's thread waited for a CPU ${wait} % of the time (ran ${run} %)`
    : `the monitor's own work: its thread ran ${run} % of the time, waited for a CPU ${wait} %`;
}
