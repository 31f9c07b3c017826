import { describeError, ErrorCodes, monitorError } from '../errors.js';
import type { Clock, Device, Driver, Logger, PollResult } from '../types.js';

/** How one poll ended. */
export interface PollOutcome {
  ok: boolean;
  result?: PollResult;
  error?: { code: string; message: string };
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
}

/**
 * Runs a driver's poll with a timeout and retries. A driver that never answers frees its slot at
 * the timeout (its late answer is ignored); a driver that throws is a failed poll, not a crash.
 */
export async function runPoll(driver: Driver, device: Device, options: RunPollOptions): Promise<PollOutcome> {
  const started = options.clock.now();
  let attempt = 0;
  for (;;) {
    attempt++;
    const outcome = await attemptPoll(driver, device, options);
    const retry = !outcome.ok && attempt <= options.retries && !options.stopSignal.aborted;
    if (!retry) return { ...outcome, durationMs: options.clock.now() - started, attempts: attempt };
  }
}

async function attemptPoll(
  driver: Driver,
  device: Device,
  { timeoutMs, clock, logger, stopSignal }: RunPollOptions,
): Promise<Omit<PollOutcome, 'durationMs' | 'attempts'>> {
  const controller = new AbortController();
  const onStop = () => controller.abort(monitorError(ErrorCodes.POLL_ABORTED, 'monitor stopping'));
  stopSignal.addEventListener('abort', onStop, { once: true });
  const timer = clock.setTimeout(
    () => controller.abort(monitorError(ErrorCodes.POLL_TIMEOUT, `poll timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const result = await untilAborted(
      new Promise<PollResult>((resolve) =>
        resolve(driver.poll(device, { signal: controller.signal, logger })),
      ),
      controller.signal,
    );
    if (!result || !Array.isArray(result.samples)) {
      return {
        ok: false,
        error: { code: ErrorCodes.POLL_FAILED, message: `driver ${driver.kind} returned no result` },
      };
    }
    if (result.error) return { ok: false, result, error: result.error };
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  } finally {
    clock.clearTimeout(timer);
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
