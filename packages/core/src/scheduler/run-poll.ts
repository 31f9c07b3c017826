import { settingsFor } from '../driver.js';
import { describeError, ErrorCodes, monitorError } from '../errors.js';
import { blockedTooLong, type LoadGuard, timeoutVerdict } from '../load/budget.js';
import type { SkipReason } from '../load/load-monitor.js';
import type { Clock, Device, Driver, Logger, PollResult } from '../types.js';

/** How one poll ended. */
export interface PollOutcome {
  ok: boolean;
  result?: PollResult;
  error?: { code: string; message: string };
  /**
   * Set when the poll says nothing about the device: the monitor's own event loop was blocked
   * while it ran (twice: the poll was retried once). No status change, no failure, no sample.
   */
  skipped?: { reason: SkipReason; message: string };
  durationMs: number;
  attempts: number;
}

export interface RunPollOptions {
  timeoutMs: number;
  retries: number;
  clock: Clock;
  logger: Logger;
  /** Aborted when the monitor stops. */
  stopSignal: AbortSignal;
  /** Blocked-loop accounting; without it timeouts are plain wall-clock timers. */
  load?: LoadGuard;
}

type Attempt = Omit<PollOutcome, 'durationMs' | 'attempts' | 'skipped'> & { overloaded?: boolean };

/**
 * Runs a driver's poll with a timeout and retries. A driver that never answers frees its slot at
 * the timeout (its late answer is ignored); a driver that throws is a failed poll, not a crash.
 *
 * The timeout counts the device's time, not a timer's: time the monitor's event loop was blocked
 * is given back (see `load/budget.ts`). An attempt spoilt by a blocked loop is retried once at
 * once, outside `retries`; if the retry is spoilt too, the outcome is `skipped`.
 */
export async function runPoll(driver: Driver, device: Device, options: RunPollOptions): Promise<PollOutcome> {
  const started = options.clock.now();
  let attempt = 0;
  let failures = 0;
  let overloads = 0;
  for (;;) {
    attempt++;
    const { overloaded, ...outcome } = await attemptPoll(driver, device, options);
    const done = (): PollOutcome => ({
      ...outcome,
      durationMs: options.clock.now() - started,
      attempts: attempt,
    });
    if (outcome.ok) return done();
    const stopping = options.stopSignal.aborted;
    if (overloaded) {
      if (++overloads <= 1 && !stopping) continue;
      const message = outcome.error?.message ?? 'monitor overloaded';
      return { ...done(), skipped: { reason: 'overloaded', message } };
    }
    if (++failures <= options.retries && !stopping) continue;
    return done();
  }
}

async function attemptPoll(driver: Driver, device: Device, options: RunPollOptions): Promise<Attempt> {
  const { timeoutMs, clock, logger, stopSignal, load } = options;
  const started = clock.now();
  const controller = new AbortController();
  const onStop = () => controller.abort(monitorError(ErrorCodes.POLL_ABORTED, 'monitor stopping'));
  stopSignal.addEventListener('abort', onStop, { once: true });
  let overloaded = false;
  let timer: unknown;
  const arm = (ms: number) => {
    const dueAt = clock.now() + ms;
    timer = clock.setTimeout(() => onTimer(dueAt), ms);
  };
  const onTimer = (dueAt: number) => {
    timer = undefined;
    const now = clock.now();
    const elapsed = now - started;
    const blocked = load ? load.blockedBetween(started, now, dueAt) : 0;
    const verdict = timeoutVerdict(elapsed, blocked, timeoutMs, load?.maxStretch ?? 1);
    // Blocked time made only of short stretches held no reply past this timer: the device's timeout.
    const spoilt =
      verdict.kind === 'overloaded' &&
      load !== undefined &&
      load.longestBlockBetween(started, now, dueAt) >= load.spoilingBlockMs;
    if (verdict.kind === 'wait') {
      load?.extended();
      arm(verdict.ms);
    } else if (spoilt) {
      overloaded = true;
      const message = `monitor overloaded: its event loop was blocked ${Math.round(blocked)} ms of the poll's ${elapsed} ms`;
      controller.abort(monitorError(ErrorCodes.MONITOR_OVERLOADED, message));
    } else {
      const stretched =
        blocked > 0 ? ` (${elapsed} ms wall time, ${Math.round(blocked)} ms event loop blocked)` : '';
      controller.abort(
        monitorError(ErrorCodes.POLL_TIMEOUT, `poll timed out after ${timeoutMs} ms${stretched}`),
      );
    }
  };
  // A driver error is the device's unless the loop was blocked for much of the attempt.
  const judge = (failed: Attempt): Attempt => {
    if (!load || stopSignal.aborted) return failed;
    const now = clock.now();
    const blocked = load.blockedBetween(started, now);
    const longest = load.longestBlockBetween(started, now);
    if (!blockedTooLong(now - started, blocked, load.blockedShare, longest, load.spoilingBlockMs))
      return failed;
    const why = failed.error ? `${failed.error.code}: ${failed.error.message}` : 'failed';
    const message = `monitor overloaded: its event loop was blocked ${Math.round(blocked)} ms of the poll's ${now - started} ms (driver said ${why})`;
    return { ...failed, overloaded: true, error: { code: ErrorCodes.MONITOR_OVERLOADED, message } };
  };
  arm(timeoutMs);
  try {
    const result = await untilAborted(
      new Promise<PollResult>((resolve) =>
        resolve(driver.poll(device, settingsFor(driver, device), { signal: controller.signal, logger })),
      ),
      controller.signal,
    );
    if (!result || !Array.isArray(result.samples)) {
      const message = `driver ${driver.kind} returned no result`;
      return judge({ ok: false, error: { code: ErrorCodes.POLL_FAILED, message } });
    }
    if (result.error) return judge({ ok: false, result, error: result.error });
    return { ok: true, result };
  } catch (err) {
    if (overloaded) return { ok: false, overloaded: true, error: describeError(err) };
    const error = describeError(err);
    // Core's own timeout already counted the blocked time; anything else the driver threw is judged.
    if (controller.signal.aborted && controller.signal.reason === err) return { ok: false, error };
    return judge({ ok: false, error });
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    stopSignal.removeEventListener('abort', onStop);
  }
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      promise.catch(() => {});
      return reject(signal.reason);
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
